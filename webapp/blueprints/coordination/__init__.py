from flask import Blueprint

bp = Blueprint("coordination", __name__)

from webapp.blueprints.coordination import routes  # noqa: E402,F401
