"""My Account Managers: a Sales Coordinator's AMs and the buyers of them all."""

from flask import abort, current_app, request
from flask_login import current_user, login_required

from webapp.blueprints.coordination import bp, roster
from webapp.permissions import Permission
from webapp.web.views import render


@bp.before_request
@login_required
def _sales_coordinators_only():
    """The page is a Sales Coordinator's view of their own AMs: whoever holds the role."""
    if not current_user.is_sales_coordinator:
        abort(403)


@bp.route("/my-account-managers")
def account_managers():
    """Each of the SC's AMs, direct or by territory, and their buyers, searchable."""
    search = request.args.get("q", "")[:200]
    links = roster.account_manager_links(current_user)
    page, rows = roster.buyers_page(current_user, links, search,
                                    request.args.get("page", 1, type=int),
                                    current_app.config["USERS_PER_PAGE"])
    return render("coordination/account_managers.html", "buyers", account_manager_links=links,
                  page=page, rows=rows, search=search,
                  may_report=current_user.can(Permission.VIEW_REPORTING))
