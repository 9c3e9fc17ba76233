"""Creating and editing people, suspending them, and linking Sales Coordinators to AMs."""

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from webapp import access, search
from webapp.extensions import db
from webapp.models import Company, Role, RoleKind, Territory, User
from webapp.services import DomainError
from webapp.services.accounts import end_all_sessions, find_by_email, normalise_email, set_password


def save_user(user: User | None, *, email: str, first_name: str, last_name: str,
              roles: list[Role], job_title: str = "", phone: str = "", territories=(),
              region=None, company=None, account_manager: User | None = None,
              status: str | None = None, password: str | None = None) -> User:
    """Create (user=None) or update a user from an administrator's form."""
    email = normalise_email(email)
    existing = find_by_email(email)
    if existing is not None and existing is not user:
        raise DomainError("Another user already has this email address.", field="email")
    if not roles:
        raise DomainError("Choose at least one role.", field="roles")
    if account_manager is not None and not account_manager.is_account_manager:
        raise DomainError("Choose a user who holds the Account Manager role.",
                          field="account_manager")
    if user is None:
        user = User()
        db.session.add(user)
    user.email, user.first_name, user.last_name = email, first_name.strip(), last_name.strip()
    user.job_title, user.phone = job_title.strip(), phone.strip()
    user.roles = list(roles)
    user.territories = list(territories)
    user.region, user.company = region, company
    user.account_manager = account_manager if account_manager is not user else None
    if status:
        user.status = status
    if password:
        set_password(user, password)
    db.session.flush()
    return user


def set_suspended(user: User, suspended: bool, *, by: User) -> None:
    if user.id == by.id and suspended:
        raise DomainError("You cannot suspend your own account.")
    user.is_suspended = suspended
    if suspended:
        end_all_sessions(user)
    db.session.flush()


def link_sales_coordinator(account_manager: User, sales_coordinator: User) -> None:
    """Add a direct AM -> SC link; both users must hold the matching built-in role."""
    if not account_manager.is_account_manager:
        raise DomainError(f"{account_manager} is not an Account Manager.")
    if not sales_coordinator.is_sales_coordinator:
        raise DomainError(f"{sales_coordinator} does not hold the Sales Coordinator role.")
    if sales_coordinator.id == account_manager.id:
        raise DomainError("An Account Manager cannot coordinate for themselves.")
    if sales_coordinator not in account_manager.sales_coordinators:
        account_manager.sales_coordinators.append(sales_coordinator)
    db.session.flush()


def unlink_sales_coordinator(account_manager: User, sales_coordinator: User) -> None:
    if sales_coordinator in account_manager.sales_coordinators:
        account_manager.sales_coordinators.remove(sales_coordinator)
    db.session.flush()


def builtin_role(kind: RoleKind) -> Role:
    return db.session.scalar(select(Role).where(Role.kind == kind))


def user_directory(*, q: str = "", role_id: int = 0, territory_id: int = 0, company: str = "",
                   status: str = "", account_manager: User | None = None) -> Select:
    """Users matching an administrator's search and filters, by surname."""
    query = select(User).options(selectinload(User.roles), selectinload(User.territories),
                                 joinedload(User.company))
    if q and q.strip():
        query = query.where(search.matches_person(q))
    if role_id:
        query = query.where(User.roles.any(Role.id == role_id))
    if territory_id:
        query = query.where(User.territories.any(Territory.id == territory_id))
    if company and company.strip():
        query = query.where(User.company.has(
            search.text_matches(Company.name, company)))
    if status == "suspended":
        query = query.where(User.is_suspended.is_(True))
    elif status:
        query = query.where(User.status == status, User.is_suspended.is_(False))
    if account_manager is not None:
        query = query.where(User.id.in_(
            access.buyers_of(account_manager).with_only_columns(User.id).order_by(None)))
    return query.order_by(User.last_name, User.first_name, User.id)
