from flask import Blueprint

bp = Blueprint("admin", __name__)

from webapp.blueprints.admin import outbox, places, roles, users  # noqa: E402,F401
