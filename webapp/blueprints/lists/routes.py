"""Lists: the Lists section and a list's page, where items are added, ordered and annotated."""

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp import access
from webapp.blueprints.lists import bp
from webapp.blueprints.lists.forms import (
    AddItemForm,
    MoveForm,
    NewListForm,
    NoteForm,
    RenameForm,
    ReorderForm,
)
from webapp.extensions import db
from webapp.models import (
    Episode,
    EventKind,
    ListItem,
    ListKind,
    ListShare,
    Programme,
    ProgrammeList,
    Season,
    User,
)
from webapp.search import text_matches
from webapp.services import DomainError, activity, list_sharing
from webapp.services import lists as service
from webapp.services.catalogue import programme_search
from webapp.services.meetings import meeting_of_list
from webapp.services.notes import NoteConflict
from webapp.web.pagination import paginate
from webapp.web.views import attachment, is_htmx_request, refused, render

TABS = {"all": "All", "my": "My lists", "buyer": "Buyer lists", "global": "Global",
        "shared": "Shared with me"}


def _tab_filter(tab: str):
    if tab == "my":
        return (ProgrammeList.kind == ListKind.MY) & (ProgrammeList.owner_id == current_user.id)
    if tab in (ListKind.BUYER, ListKind.GLOBAL):
        return ProgrammeList.kind == tab
    if tab == "shared":
        return ProgrammeList.id.in_(
            select(ListShare.list_id).where(ListShare.buyer_id == current_user.id,
                                            ListShare.revoked_at.is_(None)))
    return None


@bp.route("/lists")
@login_required
def index():
    """The lists this user may see, by kind, searchable."""
    may_create = access.may_create_lists(current_user)
    return _index_page(NewListForm().fill_choices(current_user) if may_create else None)


def _index_page(form: NewListForm | None, status: int = 200):
    tab = request.args.get("tab", "all")
    tab = tab if tab in TABS else "all"
    search = request.args.get("q", "")[:200]
    query = access.lists_visible_to(current_user)
    if (condition := _tab_filter(tab)) is not None:
        query = query.where(condition)
    if search.strip():
        query = query.where(text_matches(ProgrammeList.name, search))
    item_counts = (select(func.count(ListItem.id))
                   .where(ListItem.list_id == ProgrammeList.id,
                          access.list_item_visible(current_user))
                   .correlate(ProgrammeList).scalar_subquery())
    query = query.add_columns(item_counts).order_by(ProgrammeList.updated_at.desc(),
                                                    ProgrammeList.id.desc())
    page = paginate(query, request.args.get("page", 1, type=int),
                    current_app.config["USERS_PER_PAGE"], rows=True)
    return render("lists/index.html", "results", page=page, tab=tab, tabs=TABS, search=search,
                  form=form, status=status)


@bp.route("/lists", methods=["POST"])
@login_required
def create():
    """Create a list and open it."""
    if not access.may_create_lists(current_user):
        abort(403)
    form = NewListForm().fill_choices(current_user)
    if form.validate_on_submit():
        try:
            buyer = db.session.get(User, form.buyer.data) if form.buyer.data else None
            created = service.create_list(current_user, form.name.data,
                                          ListKind(form.kind.data), buyer)
        except DomainError as error:
            refused(error, form, field="name")
        else:
            db.session.commit()
            return redirect(url_for("lists.show", list_id=created.id), code=303)
    return _index_page(form, 422)


def _list_or_404(list_id: int, edit: bool = False, whole: bool = False,
                 items: bool = True) -> ProgrammeList:
    """A list the user may see (else 404); with edit=True one they may change (else 403);
    with its items loaded unless items=False.

    A meeting's list is reached here for its items only; with whole=True (rename, delete,
    share) it is not found: it lives and dies with its meeting."""
    found = service.list_with_items(list_id) if items else select(ProgrammeList).where(
        ProgrammeList.id == list_id)
    reachable = access.lists_reachable_by(current_user).whereclause
    programme_list = db.session.scalar(found.where(reachable))
    if programme_list is None or whole and programme_list.kind == ListKind.MEETING:
        abort(404)
    if edit and not access.may_edit_list(current_user, programme_list):
        abort(403)
    return programme_list


def _item_or_404(programme_list: ProgrammeList, item_id: int) -> ListItem:
    items = access.visible_items(current_user, programme_list.items)
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        abort(404)
    return item


def _one_item_or_404(list_id: int, item_id: int,
                     edit: bool = False) -> tuple[ProgrammeList, ListItem]:
    """As _list_or_404 and _item_or_404, loading the one item and not the whole list."""
    programme_list = _list_or_404(list_id, edit=edit, items=False)
    item = db.session.scalar(service.list_item(list_id, item_id)
                             .where(access.list_item_visible(current_user)))
    if item is None:
        abort(404)
    return programme_list, item


def _page(programme_list: ProgrammeList, block: str | None = None, status: int = 200,
          **context):
    if block is None and access.may_create_lists(current_user):
        context["shares"] = list_sharing.shares_shown(current_user, programme_list)
    return render("lists/show.html", block, programme_list=programme_list,
                  items=access.visible_items(current_user, programme_list.items),
                  editable=access.may_edit_list(current_user, programme_list),
                  rename_form=context.pop("rename_form", None) or RenameForm(
                      name=programme_list.name),
                  status=status, **context)


@bp.route("/lists/<int:list_id>")
@login_required
def show(list_id):
    """A list with its items; editable for its owner (global lists: "manage global lists")."""
    programme_list = _list_or_404(list_id)
    if programme_list.kind == ListKind.MEETING:
        meeting = meeting_of_list(programme_list)
        return redirect(url_for("meetings.show", meeting_id=meeting.id, _anchor="list-items"))
    activity.record_now(current_user, EventKind.LIST_VIEW, list_id=programme_list.id)
    return _page(programme_list)


@bp.route("/lists/<int:list_id>/rename", methods=["POST"])
@login_required
def rename(list_id):
    """Rename the list."""
    programme_list = _list_or_404(list_id, edit=True, whole=True)
    form = RenameForm()
    if form.validate_on_submit():
        service.rename_list(programme_list, form.name.data)
        db.session.commit()
        flash("List renamed.", "success")
        return redirect(url_for("lists.show", list_id=list_id), code=303)
    return _page(programme_list, status=422, rename_form=form)


@bp.route("/lists/<int:list_id>/delete", methods=["POST"])
@login_required
def delete(list_id):
    """Delete the list and its items."""
    programme_list = _list_or_404(list_id, edit=True, whole=True)
    name = programme_list.name
    service.delete_list(programme_list)
    db.session.commit()
    flash(f"“{name}” deleted.", "success")
    return redirect(url_for("lists.index"), code=303)


@bp.route("/lists/<int:list_id>/duplicate", methods=["POST"])
@login_required
def duplicate(list_id):
    """Copy the list, items and notes, into my lists."""
    programme_list = _list_or_404(list_id)
    if not access.may_create_lists(current_user):
        abort(403)
    copy = service.duplicate_list(programme_list, current_user)
    db.session.commit()
    flash(f"Copied into your lists as “{copy.name}”.", "success")
    return redirect(url_for("lists.show", list_id=copy.id), code=303)


@bp.route("/lists/<int:list_id>/export.csv")
@login_required
def export(list_id):
    """The list as a CSV file."""
    programme_list = _list_or_404(list_id)
    filename = "".join(c if c.isalnum() else "-" for c in programme_list.name).strip("-")
    items = access.visible_items(current_user, programme_list.items)
    return Response(service.export_csv(items), mimetype="text/csv",
                    headers=attachment(f"{filename or 'list'}.csv"))


@bp.route("/lists/<int:list_id>/catalogue")
@login_required
def catalogue_search(list_id):
    """Search the catalogue from the list page, to add programmes, seasons or episodes."""
    programme_list = _list_or_404(list_id, edit=True)
    search = request.args.get("q", "")[:200]
    results = db.session.scalars(programme_search(search).limit(10).where(
        access.programme_visible(current_user)).options(
        selectinload(Programme.seasons).selectinload(Season.episodes))).all() \
        if search.strip() else []
    if is_htmx_request():
        return render_template("lists/_catalogue_results.html", programme_list=programme_list,
                               search=search, results=results)
    return _page(programme_list, search=search, results=results)


def _items_answer(programme_list: ProgrammeList, focus: str | None = None):
    """The updated items for htmx; back to the list page otherwise."""
    if is_htmx_request():
        db.session.expire(programme_list, ["items"])
        return _page(_list_or_404(programme_list.id), "items", focus=focus)
    return redirect(url_for("lists.show", list_id=programme_list.id), code=303)


@bp.route("/lists/<int:list_id>/items", methods=["POST"])
@login_required
def add_item(list_id):
    """Add a programme, season or episode at the end of the list."""
    programme_list = _list_or_404(list_id, edit=True)
    form = AddItemForm()
    if not form.validate_on_submit():
        abort(400)
    programme = db.session.get(Programme, form.programme_id.data)
    season = db.session.get(Season, form.season_id.data) if form.season_id.data else None
    episode = db.session.get(Episode, form.episode_id.data) if form.episode_id.data else None
    if programme is None or (form.season_id.data and season is None) or (
            form.episode_id.data and episode is None):
        abort(404)
    try:
        item = service.add_item(programme_list, programme, season, episode)
    except DomainError:
        abort(400)
    db.session.commit()
    return _items_answer(programme_list, focus=f"list-item-{item.id}")


@bp.route("/lists/<int:list_id>/items/<int:item_id>/move", methods=["POST"])
@login_required
def move_item(list_id, item_id):
    """Move an item up or down."""
    programme_list = _list_or_404(list_id, edit=True)
    item = _item_or_404(programme_list, item_id)
    form = MoveForm()
    if not form.validate_on_submit() or not form.offset:
        abort(400)
    service.move_item(item, form.offset)
    db.session.commit()
    return _items_answer(programme_list, focus=f"move-{form.direction.data}-{item.id}")


@bp.route("/lists/<int:list_id>/order", methods=["POST"])
@login_required
def reorder(list_id):
    """Put the items in the order they were dragged to."""
    programme_list = _list_or_404(list_id, edit=True)
    form = ReorderForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.reorder_items(programme_list, service.parse_order(form.order.data))
    except DomainError:
        abort(400)
    db.session.commit()
    return _items_answer(programme_list)


@bp.route("/lists/<int:list_id>/items/<int:item_id>/remove", methods=["POST"])
@login_required
def remove_item(list_id, item_id):
    """Take an item out of the list."""
    programme_list = _list_or_404(list_id, edit=True)
    service.remove_item(_item_or_404(programme_list, item_id))
    db.session.commit()
    return _items_answer(programme_list)


def _item_fragment(programme_list, item, status=200, **context):
    editable = access.may_edit_list(current_user, programme_list)
    # The count places the move buttons, which only an editor is shown.
    count = service.item_count(programme_list) if editable else 0
    return render("lists/_item.html", programme_list=programme_list, item=item,
                  editable=editable, count=count, status=status, **context)


@bp.route("/lists/<int:list_id>/items/<int:item_id>")
@login_required
def item(list_id, item_id):
    """One item (an htmx fragment; a link to the list otherwise)."""
    programme_list, found = _one_item_or_404(list_id, item_id)
    if not is_htmx_request():
        return redirect(url_for("lists.show", list_id=list_id, _anchor=f"list-item-{item_id}"))
    return _item_fragment(programme_list, found)


@bp.route("/lists/<int:list_id>/items/<int:item_id>/note", methods=["GET", "POST"])
@login_required
def note(list_id, item_id):
    """Edit an item's note inline; a note changed meanwhile by someone else is a conflict."""
    programme_list, found = _one_item_or_404(list_id, item_id, edit=True)
    form = NoteForm(data={"note": found.note, "version": found.note_version})
    if request.method == "POST":
        if not form.validate_on_submit():
            return _item_fragment(programme_list, found, 422, form=form, editing=True)
        try:
            service.update_note(found, form.note.data or "", form.version.data)
        except NoteConflict as conflict:
            refused(conflict)  # shown with both texts, to choose from
            return _item_fragment(programme_list, found, 409, conflict=conflict)
        db.session.commit()
        if not is_htmx_request():
            return redirect(url_for("lists.show", list_id=list_id), code=303)
        return _item_fragment(programme_list, found)
    if not is_htmx_request():
        return _page(_list_or_404(list_id), editing_item=found.id, note_form=form)
    return _item_fragment(programme_list, found, form=form, editing=True)
