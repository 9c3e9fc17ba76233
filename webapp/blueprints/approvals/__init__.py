from flask import Blueprint

bp = Blueprint("approvals", __name__)

from webapp.blueprints.approvals import routes  # noqa: E402,F401
