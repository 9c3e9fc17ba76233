from flask import Blueprint

bp = Blueprint("admin", __name__)

from webapp.blueprints.admin import (  # noqa: E402,F401
    catalogue,
    catalogue_access,
    outbox,
    places,
    roles,
    settings,
    sign_in,
    users,
)
