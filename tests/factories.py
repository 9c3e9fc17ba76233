"""Small factories for test data. Each commits, so the test client sees the rows."""

import itertools

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Company, Region, Role, RoleKind, Territory, User, UserStatus  # noqa: F401
from webapp.services.passwords import hash_password

_numbers = itertools.count(1)
PASSWORD = "correct horse battery"


def role(kind: RoleKind) -> Role:
    return db.session.scalar(select(Role).where(Role.kind == kind))


def custom_role(name="Reporting (all users)", permissions=()) -> Role:
    item = Role(name=name, description="")
    item.permissions = permissions
    db.session.add(item)
    db.session.commit()
    return item


def territory(name=None) -> Territory:
    item = Territory(name=name or f"Territory {next(_numbers)}")
    db.session.add(item)
    db.session.commit()
    return item


def region(name=None) -> Region:
    item = Region(name=name or f"Region {next(_numbers)}")
    db.session.add(item)
    db.session.commit()
    return item


def company(name=None, territories=()) -> Company:
    item = Company(name=name or f"Company {next(_numbers)}", territories=list(territories))
    db.session.add(item)
    db.session.commit()
    return item


def user(*kinds: RoleKind, first_name=None, last_name="Tester", email=None, territories=(),
         password=PASSWORD, status=UserStatus.ACTIVE, roles=(), **fields) -> User:
    n = next(_numbers)
    first_name = first_name or f"User{n}"
    item = User(
        email=email or f"{first_name.lower()}.{n}@example.com",
        first_name=first_name,
        last_name=last_name,
        password_hash=hash_password(password) if password else None,
        status=status,
        roles=[role(k) for k in kinds] + list(roles),
        territories=list(territories),
        **fields,
    )
    db.session.add(item)
    db.session.commit()
    return item


def admin(**fields) -> User:
    return user(RoleKind.ADMINISTRATOR, first_name=fields.pop("first_name", "Ada"), **fields)


def account_manager(**fields) -> User:
    return user(RoleKind.ACCOUNT_MANAGER, **fields)


def sales_coordinator(*account_managers, **fields) -> User:
    item = user(RoleKind.SALES_COORDINATOR, **fields)
    for am in account_managers:
        am.sales_coordinators.append(item)
    db.session.commit()
    return item


def buyer(**fields) -> User:
    return user(RoleKind.BUYER, **fields)


# A fixed authenticator-app secret for tests (base32); codes are computed from it.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def authenticator(user: User, secret=TOTP_SECRET, name="Phone"):
    from webapp.models import TotpAuthenticator

    item = TotpAuthenticator(user_id=user.id, name=name, secret=secret)
    db.session.add(item)
    db.session.commit()
    return item
