from flask import Blueprint

bp = Blueprint("registration", __name__)

from webapp.blueprints.registration import routes  # noqa: E402,F401
