"""The permissions a role can hold. Names live here in code; roles live in the database."""

from enum import StrEnum


class Permission(StrEnum):
    MANAGE_USERS = "manage_users"
    MANAGE_ROLES = "manage_roles"
    MANAGE_TERRITORIES = "manage_territories"
    APPROVE_REGISTRATIONS = "approve_registrations"
    MANAGE_CATALOGUE = "manage_catalogue"
    MANAGE_GLOBAL_LISTS = "manage_global_lists"
    MANAGE_MEETINGS_FOR_OTHERS = "manage_meetings_for_others"
    VIEW_REPORTING = "view_reporting"
    VIEW_REPORTING_ALL = "view_reporting_all"
    MANAGE_OUTBOX = "manage_outbox"
    GRANT_SCREENER_ACCESS = "grant_screener_access"
    MANAGE_SETTINGS = "manage_settings"

    @property
    def label(self) -> str:
        return PERMISSION_INFO[self][0]

    @property
    def description(self) -> str:
        return PERMISSION_INFO[self][1]


PERMISSION_INFO = {
    Permission.MANAGE_USERS: (
        "Manage users",
        "Create, edit and suspend users, and link Sales Coordinators to Account Managers.",
    ),
    Permission.MANAGE_ROLES: (
        "Manage roles",
        "Create roles and choose which permissions each role holds.",
    ),
    Permission.MANAGE_TERRITORIES: (
        "Manage territories & companies",
        "Create, rename and delete territories, regions and companies.",
    ),
    Permission.APPROVE_REGISTRATIONS: (
        "Approve registrations",
        "Review buyer registrations, assign a company and approve or reject them.",
    ),
    Permission.MANAGE_CATALOGUE: (
        "Manage catalogue",
        "Create, edit, import and delete programmes, seasons, episodes and screeners.",
    ),
    Permission.MANAGE_GLOBAL_LISTS: (
        "Manage global lists",
        "Create and edit the lists every internal user can see.",
    ),
    Permission.MANAGE_MEETINGS_FOR_OTHERS: (
        "Manage meetings on behalf of others",
        "Set up and edit meetings hosted by any Account Manager.",
    ),
    Permission.VIEW_REPORTING: (
        "View reporting",
        "See buyer activity for the buyers of the Account Managers you are linked to.",
    ),
    Permission.VIEW_REPORTING_ALL: (
        "View reporting for all users",
        "See buyer activity for every buyer, whoever looks after them.",
    ),
    Permission.MANAGE_OUTBOX: (
        "Manage the email outbox",
        "See every email the CMS sends and retry failed ones.",
    ),
    Permission.GRANT_SCREENER_ACCESS: (
        "Grant screener access",
        "Open restricted programmes and screeners to the buyers a list or meeting summary "
        "is sent to.",
    ),
    Permission.MANAGE_SETTINGS: (
        "Manage distributor settings",
        "Change the distributor settings: name, logo, sending address, email footer, colour.",
    ),
}

PERMISSION_NAMES = frozenset(p.value for p in Permission)
