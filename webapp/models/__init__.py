"""The domain's tables. Import models from here."""

from webapp.models.people import (
    Role,
    RoleKind,
    RolePermission,
    User,
    UserStatus,
    account_manager_coordinators,
    user_roles,
    user_territories,
)
from webapp.models.places import Company, Region, Territory, company_territories

__all__ = [
    "Company",
    "Region",
    "Role",
    "RoleKind",
    "RolePermission",
    "Territory",
    "User",
    "UserStatus",
    "account_manager_coordinators",
    "company_territories",
    "user_roles",
    "user_territories",
]
