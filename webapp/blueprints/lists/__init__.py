from flask import Blueprint

bp = Blueprint("lists", __name__)

from webapp.blueprints.lists import adding, exports, routes, sharing  # noqa: E402,F401
