from flask import Blueprint

bp = Blueprint("reporting", __name__)

from webapp.blueprints.reporting import formatting, routes  # noqa: E402,F401
