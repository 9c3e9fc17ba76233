"""Roles and the permissions they hold."""

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Role, RoleKind
from webapp.permissions import Permission
from webapp.services import DomainError

BUILTIN_ROLES = {
    RoleKind.ADMINISTRATOR: ("Administrator", "Runs the CMS.", set(Permission)),
    RoleKind.ACCOUNT_MANAGER: (
        "Account Manager",
        "Sells programmes to buyers and hosts their meetings.",
        {Permission.APPROVE_REGISTRATIONS, Permission.VIEW_REPORTING,
         Permission.GRANT_SCREENER_ACCESS},
    ),
    RoleKind.SALES_COORDINATOR: (
        "Sales Coordinator",
        "Supports Account Managers with registrations, meetings and reporting.",
        {Permission.APPROVE_REGISTRATIONS, Permission.VIEW_REPORTING},
    ),
    RoleKind.BUYER: ("Buyer", "External user at a broadcaster or platform.", set()),
}


def ensure_builtin_roles() -> dict[RoleKind, Role]:
    """Create missing built-in roles; existing ones keep what administrators set."""
    roles = {}
    for kind, (name, description, permissions) in BUILTIN_ROLES.items():
        role = db.session.scalar(select(Role).where(Role.kind == kind))
        if role is None:
            role = Role(kind=kind, name=name, description=description)
            role.permissions = permissions
            db.session.add(role)
        roles[kind] = role
    db.session.flush()
    return roles


def save_role(role: Role | None, *, name: str, description: str, permissions) -> Role:
    name = " ".join(name.split())
    # The database lowers both sides: SQLite's lower() leaves non-ASCII letters as they are,
    # and a name lowered by Python would then miss the very row the unique index has.
    clash = select(Role.id).where(func.lower(Role.name) == func.lower(name))
    if role is not None:
        clash = clash.where(Role.id != role.id)
    if db.session.scalar(clash) is not None:
        raise DomainError(f"A role called “{name}” already exists.", field="name")
    if role is None:
        role = Role()
        db.session.add(role)
    role.name, role.description = name, description.strip()
    role.permissions = permissions
    db.session.flush()
    return role


def delete_role(role: Role) -> None:
    if role.is_builtin:
        raise DomainError("Built-in roles cannot be deleted.")
    db.session.delete(role)
    db.session.flush()
