"""The navigation each user sees: only what their permissions allow (the views check too)."""

from flask import request, url_for
from flask_login import current_user

from webapp.permissions import Permission

# Links for internal users (the sales team) only, whatever their permissions.
INTERNAL = "internal"
# Links for holders of the Sales Coordinator role, whatever their permissions.
SALES_COORDINATORS = "sales coordinators"

# (endpoint, label, permission needed (None: any logged-in user), url arguments)
MAIN_LINKS = [
    ("catalogue.index", "Catalogue", None, {}),
    ("lists.index", "Lists", None, {}),
    ("meetings.index", "Meetings", INTERNAL, {}),
    ("coordination.account_managers", "My Account Managers", SALES_COORDINATORS, {}),
    ("approvals.index", "Approvals", Permission.APPROVE_REGISTRATIONS, {}),
    ("reporting.index", "Reporting", Permission.VIEW_REPORTING, {}),
]

ADMIN_LINKS = [
    ("admin.users", "Users", Permission.MANAGE_USERS, {}),
    ("admin.roles", "Roles", Permission.MANAGE_ROLES, {}),
    ("admin.places", "Territories", Permission.MANAGE_TERRITORIES, {"kind_name": "territories"}),
    ("admin.places", "Regions", Permission.MANAGE_TERRITORIES, {"kind_name": "regions"}),
    ("admin.places", "Companies", Permission.MANAGE_TERRITORIES, {"kind_name": "companies"}),
    ("admin.catalogue", "Catalogue", Permission.MANAGE_CATALOGUE, {}),
    ("admin.outbox", "Outbox", Permission.MANAGE_OUTBOX, {}),
    ("admin.sign_in_settings", "Sign-in", Permission.MANAGE_USERS, {}),
    ("admin.settings", "Settings", Permission.MANAGE_SETTINGS, {}),
]


def _may_follow(permission) -> bool:
    if permission is None:
        return True
    if permission == INTERNAL:
        return current_user.is_internal
    if permission == SALES_COORDINATORS:
        return current_user.is_sales_coordinator
    return current_user.can(permission)


def _allowed(links):
    if not current_user.is_authenticated:
        return []
    return [(endpoint, label, args) for endpoint, label, permission, args in links
            if _may_follow(permission)]


def main_links():
    return _allowed(MAIN_LINKS)


def admin_links():
    return _allowed(ADMIN_LINKS)


def is_current(endpoint: str, args: dict) -> bool:
    return request.endpoint == endpoint and all(
        (request.view_args or {}).get(k) == v for k, v in args.items())


def url_with(**changes) -> str:
    """This page's URL with some query arguments changed (pagination, tabs)."""
    args = {**request.args.to_dict(), **changes}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_app(app):
    # Globals rather than context, so macros imported without context can use them too.
    app.add_template_global(main_links)
    app.add_template_global(admin_links)
    app.add_template_global(is_current)
    app.add_template_global(url_with)
