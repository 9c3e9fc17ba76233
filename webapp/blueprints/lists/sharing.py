"""Sharing a list: the form that sends it to several recipients, and revoking a link."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from webapp import access
from webapp.blueprints.lists import bp
from webapp.blueprints.lists.forms import ShareForm
from webapp.blueprints.lists.routes import _list_or_404
from webapp.extensions import db
from webapp.models import ListShare, User
from webapp.search import matches_person
from webapp.services import DomainError, form_tokens
from webapp.services import list_sharing as service
from webapp.services.catalogue_access import has_restricted_items
from webapp.web.forms import database_id
from webapp.web.views import refused, render

BUYERS_OFFERED = 30


def _buyer_options(chosen_ids: list[int], search: str) -> tuple[list[User], list[User]]:
    """(the ticked buyers, the sharer's buyers matching the search), both within the sharer's
    reach (access.buyers_looked_after_by)."""
    in_reach = access.buyers_looked_after_by(current_user).options(joinedload(User.company))
    chosen = db.session.scalars(in_reach.where(User.id.in_(chosen_ids))).all() \
        if chosen_ids else []
    found = in_reach.where(User.id.not_in(chosen_ids)) if chosen_ids else in_reach
    if search.strip():
        found = found.where(matches_person(search))
    return chosen, db.session.scalars(found.limit(BUYERS_OFFERED)).all()


def _share_page(programme_list, form: ShareForm, status: int = 200):
    search = request.args.get("buyer_q", "")[:200]
    chosen, found = _buyer_options(form.buyers.data or [], search)
    return render("lists/share.html", "buyer_options", programme_list=programme_list,
                  form=form, chosen=chosen, found=found, search=search, status=status,
                  offer_grant=access.may_grant_access(current_user)
                  and has_restricted_items(programme_list.id))


@bp.route("/lists/<int:list_id>/share", methods=["GET", "POST"])
@login_required
def share(list_id):
    """Email the list to buyers and addresses, each with a link of their own."""
    programme_list = _list_or_404(list_id, whole=True)
    if not access.may_create_lists(current_user):
        abort(403)
    form = ShareForm()
    if request.method == "GET":  # the search box asks again with the buyers ticked so far
        form.buyers.data = request.args.getlist("buyers", type=database_id)
    if request.method == "GET" or not form.validate_on_submit():
        return _share_page(programme_list, form, 422 if request.method == "POST" else 200)
    back = url_for("lists.show", list_id=list_id, _anchor="shared-with")
    try:
        form_tokens.use(form.form_token.data, current_user, request.form.items(multi=True))
        shares = service.share_list(
            programme_list, current_user, form.chosen_buyers(), form.emails.data or "",
            form.message.data or "", form.days.data, form.max_views.data,
            grant_access=form.grant_access.data)
    except form_tokens.AlreadySubmitted as done:  # this very form, sent again
        flash(refused(done), "info")
        return redirect(back, code=303)
    except DomainError as error:
        refused(error, form, fields={"buyers": "buyers", "emails": "emails"})
        form.form_token.data = form_tokens.new_token()
        status = 409 if isinstance(error, form_tokens.SentWithOtherContent) else 422
        return _share_page(programme_list, form, status)
    db.session.commit()
    names = ", ".join(share.recipient for share in shares)
    flash(f"“{programme_list.name}” is on its way to {names}.", "success")
    return redirect(back, code=303)


@bp.route("/lists/<int:list_id>/shares/<int:share_id>/revoke", methods=["POST"])
@login_required
def revoke_share(list_id, share_id):
    """Withdraw one recipient's link; it then answers that it was withdrawn."""
    programme_list = _list_or_404(list_id, whole=True)
    share = db.session.scalar(access.shares_visible_to(current_user, programme_list)
                              .where(ListShare.id == share_id))
    if share is None:
        abort(404)
    if service.revoke(share, current_user):
        flash(f"The link sent to {share.recipient} no longer works.", "success")
    db.session.commit()
    return redirect(url_for("lists.show", list_id=list_id, _anchor="shared-with"), code=303)
