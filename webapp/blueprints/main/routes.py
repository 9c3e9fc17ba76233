from flask import request
from flask_login import current_user, login_required

from webapp.blueprints.main import bp
from webapp.services.profiles import buyers_block, profile_context
from webapp.web.views import render


@bp.route("/")
@login_required
def home():
    """The start page: what this user can do here."""
    return render("main/home.html")


@bp.route("/profile")
@login_required
def profile():
    """The signed-in user's own profile and relationships."""
    page = request.args.get("buyers_page", 1, type=int)
    context = profile_context(current_user, page)
    return render("main/profile.html", buyers_block(context), **context)
