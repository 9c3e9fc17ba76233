from flask import Blueprint

bp = Blueprint("meetings", __name__)

from webapp.blueprints.meetings import agenda, routes  # noqa: E402,F401
