from flask import Blueprint

bp = Blueprint("admin", __name__)

from webapp.blueprints.admin import catalogue, outbox, places, roles, users  # noqa: E402,F401
