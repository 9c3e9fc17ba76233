from flask import Blueprint

bp = Blueprint("auth", __name__)

from webapp.blueprints.auth import (  # noqa: E402,F401
    passwords,
    routes,
    second_step,
    security,
)
