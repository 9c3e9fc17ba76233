from flask import Blueprint

bp = Blueprint("shared", __name__)

from webapp.blueprints.shared import routes  # noqa: E402,F401
