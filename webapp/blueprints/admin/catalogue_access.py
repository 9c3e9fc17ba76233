"""Admin > Catalogue: an item's Access (open or restricted, and its grants by person, company
and group), the buyer groups, and the access report."""

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp.blueprints.admin import bp
from webapp.blueprints.admin.access_forms import GranteeForm, RestrictionForm
from webapp.blueprints.admin.forms import ConfirmForm, NameForm
from webapp.extensions import db
from webapp.models import AccessGrant, BuyerGroup, Company, User
from webapp.permissions import Permission
from webapp.search import text_matches
from webapp.services import DomainError
from webapp.services import catalogue_access as service
from webapp.web.pagination import paginate
from webapp.web.views import get_or_404, permission_required, refused, render

manage_catalogue = permission_required(Permission.MANAGE_CATALOGUE)
ITEM_KINDS = ",".join(service.ITEM_KINDS)
TABS = {"individuals": ("Individuals", User, "user"),
        "companies": ("Companies", Company, "company"),
        "groups": ("Groups", BuyerGroup, "group")}
CANDIDATES = 20


def _tab() -> str:
    tab = request.values.get("tab", "individuals")
    return tab if tab in TABS else "individuals"


def _candidates(tab: str, search: str):
    """Who may be granted the item on this tab, matching the search (the first few)."""
    if tab == "individuals":
        query = service.buyer_candidates(search)
    else:
        model = TABS[tab][1]
        query = select(model).order_by(model.name_key)
        query = query.where(text_matches(model.name, search)) if search.strip() else query
    return db.session.scalars(query.limit(CANDIDATES)).all()


def _access_page(kind: str, item, status: int = 200, grant_form=None):
    tab = _tab()
    search = request.args.get("q", "")[:200]
    attribute = TABS[tab][2]
    grants = [g for g in service.grants_of(item) if getattr(g, attribute) is not None]
    return render("admin/catalogue/access.html", "grantees", kind=kind, item=item,
                  label=service.item_label(item), tab=tab, tabs=TABS, grants=grants,
                  search=search, candidates=_candidates(tab, search),
                  restriction=RestrictionForm(restricted=item.restricted),
                  grant_form=grant_form or GranteeForm(), confirm=ConfirmForm(),
                  status=status)


@bp.route(f"/catalogue/access/<any({ITEM_KINDS}):kind>/<int:item_id>")
@manage_catalogue
def item_access(kind, item_id):
    """Who sees a programme, season or episode: open, or the granted buyers, companies and
    groups (one tab each)."""
    return _access_page(kind, get_or_404(service.ITEM_KINDS[kind], item_id))


@bp.route(f"/catalogue/access/<any({ITEM_KINDS}):kind>/<int:item_id>/restriction",
          methods=["POST"])
@manage_catalogue
def set_restriction(kind, item_id):
    """Make the item restricted or open."""
    item = get_or_404(service.ITEM_KINDS[kind], item_id)
    form = RestrictionForm()
    if not form.validate_on_submit():
        abort(400)
    service.set_restricted(item, form.restricted.data, current_user)
    db.session.commit()
    flash("Restricted: only granted buyers see it." if item.restricted
          else "Open to every approved buyer.", "success")
    return redirect(url_for("admin.item_access", kind=kind, item_id=item_id), code=303)


@bp.route(f"/catalogue/access/<any({ITEM_KINDS}):kind>/<int:item_id>/grants",
          methods=["POST"])
@manage_catalogue
def grant_access(kind, item_id):
    """Grant the item to a buyer, a company or a group (the tab says which)."""
    item = get_or_404(service.ITEM_KINDS[kind], item_id)
    tab, form = _tab(), GranteeForm()
    grantee_id = form.grantee
    grantee = db.session.get(TABS[tab][1], grantee_id) if grantee_id else None
    if grantee is None:
        form.grantee_id.errors = ["Choose who to grant it to."]
        return _access_page(kind, item, 422, form)
    try:
        service.grant(item, grantee, current_user)
    except DomainError as error:
        refused(error, form, field="grantee_id")
        return _access_page(kind, item, 422, form)
    db.session.commit()
    flash(f"{grantee} may now see {service.item_label(item)}.", "success")
    return redirect(url_for("admin.item_access", kind=kind, item_id=item_id, tab=tab),
                    code=303)


@bp.route("/catalogue/access/grants/<int:grant_id>/revoke", methods=["POST"])
@manage_catalogue
def revoke_access(grant_id):
    """Take a grant back."""
    row = get_or_404(AccessGrant, grant_id)
    kind = "programme" if row.programme_id else "season" if row.season_id else "episode"
    item_id = row.programme_id or row.season_id or row.episode_id
    tab = next(name for name, (_, _, attribute) in TABS.items()
               if getattr(row, f"{attribute}_id") is not None)
    if ConfirmForm().validate_on_submit():
        service.revoke(row, current_user)
        db.session.commit()
        flash("Access taken back.", "success")
    return redirect(url_for("admin.item_access", kind=kind, item_id=item_id, tab=tab),
                    code=303)


# --- The access report -------------------------------------------------------------------


@bp.route("/catalogue/access-report")
@manage_catalogue
def access_report():
    """Each restricted item: who may see it, and who watched it."""
    return render("admin/catalogue/access_report.html", lines=service.access_report())


@bp.route("/catalogue/access-report.csv")
@manage_catalogue
def access_report_csv():
    """The access report as CSV (cells a spreadsheet would run are neutralised)."""
    return Response(service.access_report_csv(), mimetype="text/csv", headers={
                        "Content-Disposition": 'attachment; filename="access-report.csv"'})


# --- Buyer groups ------------------------------------------------------------------------


def _groups_page(form, status: int = 200):
    page = paginate(select(BuyerGroup).order_by(BuyerGroup.name_key),
                    request.args.get("page", 1, type=int), current_app.config["USERS_PER_PAGE"])
    return render("admin/buyer_groups.html", page=page, form=form, confirm=ConfirmForm(),
                  status=status)


@bp.route("/buyer-groups", methods=["GET", "POST"])
@manage_catalogue
def buyer_groups():
    """The buyer groups (GET) and a new one (POST)."""
    form = NameForm()
    if form.validate_on_submit():
        try:
            group = service.create_group(form.name.data)
        except DomainError as error:
            refused(error, form, field="name")
        else:
            db.session.commit()
            flash(f"Group “{group.name}” added.", "success")
            return redirect(url_for("admin.buyer_group", group_id=group.id), code=303)
    return _groups_page(form, 422 if form.is_submitted() else 200)


def _group_page(group: BuyerGroup, form=None, status: int = 200):
    search = request.args.get("q", "")[:200]
    candidates = db.session.scalars(
        service.buyer_candidates(search, exclude_group=group).limit(CANDIDATES)).all() \
        if search.strip() else []
    return render("admin/buyer_group.html", group=group, form=form or NameForm(name=group.name),
                  search=search, candidates=candidates, member_form=GranteeForm(),
                  confirm=ConfirmForm(), status=status)


@bp.route("/buyer-groups/<int:group_id>", methods=["GET", "POST"])
@manage_catalogue
def buyer_group(group_id):
    """A group's members (GET); rename it (POST)."""
    group = get_or_404(BuyerGroup, group_id)
    form = NameForm(name=group.name)
    if form.validate_on_submit():
        try:
            service.rename_group(group, form.name.data)
        except DomainError as error:
            refused(error, form, field="name")
        else:
            db.session.commit()
            flash("Group renamed.", "success")
            return redirect(url_for("admin.buyer_group", group_id=group.id), code=303)
    return _group_page(group, form, 422 if form.is_submitted() else 200)


@bp.route("/buyer-groups/<int:group_id>/delete", methods=["POST"])
@manage_catalogue
def delete_buyer_group(group_id):
    """Delete a group (after the confirmation); its grants go with it."""
    group = get_or_404(BuyerGroup, group_id)
    if ConfirmForm().validate_on_submit():
        name = group.name
        service.delete_group(group)
        db.session.commit()
        flash(f"Group “{name}” deleted.", "success")
    return redirect(url_for("admin.buyer_groups"), code=303)


@bp.route("/buyer-groups/<int:group_id>/members", methods=["POST"])
@manage_catalogue
def add_group_member(group_id):
    """Add a buyer to the group."""
    group = get_or_404(BuyerGroup, group_id)
    buyer_id = GranteeForm().grantee
    try:
        service.add_member(group, db.session.get(User, buyer_id) if buyer_id else None)
    except DomainError as error:
        flash(refused(error), "error")
        return _group_page(group, status=422)
    db.session.commit()
    return redirect(url_for("admin.buyer_group", group_id=group.id), code=303)


@bp.route("/buyer-groups/<int:group_id>/members/<int:user_id>/remove", methods=["POST"])
@manage_catalogue
def remove_group_member(group_id, user_id):
    """Take a buyer out of the group."""
    group = get_or_404(BuyerGroup, group_id)
    if ConfirmForm().validate_on_submit():
        service.remove_member(group, get_or_404(User, user_id))
        db.session.commit()
    return redirect(url_for("admin.buyer_group", group_id=group.id), code=303)
