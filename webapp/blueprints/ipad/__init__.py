from flask import Blueprint

bp = Blueprint("ipad", __name__)

from webapp.blueprints.ipad import routes  # noqa: E402,F401
