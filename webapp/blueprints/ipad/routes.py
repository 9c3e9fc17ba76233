"""The in-meeting view for the host, on an iPad: the day's meetings, and one meeting with its
list, marks, notes, catalogue and summary. Only the meeting's host may open or change it."""

from datetime import date

from flask import abort, jsonify, render_template, request
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, lazyload, selectinload

from webapp import access
from webapp.blueprints.ipad import bp
from webapp.extensions import db
from webapp.models import ListItem, Meeting, Programme, ProgrammeList, Season, User
from webapp.services import meeting_change_batch as batches
from webapp.services import meeting_changes as changes
from webapp.services.catalogue import is_video_file, programme_search
from webapp.services.meeting_index import (
    default_day,
    meeting_days,
    meetings_on,
    presented_items,
)
from webapp.services.meeting_offline import offline_needs
from webapp.services.meeting_summary import (
    render_summary,
    sends_of,
    sent_note,
    summary_subject,
    why_summary_cannot_be_sent,
)
from webapp.web import static_files
from webapp.web.forms import database_id
from webapp.web.views import email_html_response, render

CATALOGUE_RESULTS = 15


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user; each meeting, its host."""


def _hosted_meeting_or_404(meeting_id: int, whole: bool = True) -> Meeting:
    """The meeting, if the current user hosts it: anyone else gets 404, whoever they are.
    `whole` loads its buyers and list for showing; a change needs the meeting alone."""
    query = db.select(Meeting).where(Meeting.id == meeting_id)
    if whole:
        query = query.options(
            selectinload(Meeting.attendees).options(joinedload(User.company),
                                                    lazyload(User.roles)),
            joinedload(Meeting.programme_list).selectinload(ProgrammeList.items)
            .joinedload(ListItem.programme))
    meeting = db.session.scalar(query)
    if meeting is None or not access.may_run_meeting(current_user, meeting):
        abort(404)
    return meeting


@bp.route("/ipad/")
def day():
    """The host's meetings of one day; the picker offers only days that have meetings."""
    days, today = meeting_days(current_user)
    chosen = request.args.get("day", "")
    try:
        shown = date.fromisoformat(chosen) if chosen else None
    except ValueError:
        shown = None
    if shown not in days:
        shown = default_day(days, today)
    meetings = meetings_on(current_user, shown) if days else []
    return render("ipad/day.html", days=days, shown=shown, today=today, meetings=meetings,
                  needs=offline_needs(meetings))


@bp.route("/ipad/meetings/<int:meeting_id>")
def meeting(meeting_id):
    """A meeting, ready to run: it is started by the page's first change (see ipad.js)."""
    found = _hosted_meeting_or_404(meeting_id)
    sends = sends_of(found)
    return render("ipad/meeting.html", meeting=found, items=found.programme_list.items
                  if found.programme_list else [], sends=sends,
                  sent_note=sends and sent_note(sends[0], found),
                  subject=summary_subject(found), cannot_send=why_summary_cannot_be_sent(found))


@bp.route("/ipad/meetings/<int:meeting_id>/present")
def present(meeting_id):
    """The meeting's list as full-screen programme cards for the buyers to see: no notes."""
    found = _hosted_meeting_or_404(meeting_id, whole=False)
    items = presented_items(found)
    return render("ipad/present.html", meeting=found, items=items,
                  videos={item.id for item in items if is_video_file(item.screener_url)})


@bp.route("/ipad/meetings/<int:meeting_id>/changes", methods=["POST"])
def change(meeting_id):
    """Apply one change sent by the device's outbox, once per idempotency key."""
    found = _hosted_meeting_or_404(meeting_id, whole=False)
    form = request.form
    key, kind = form.get("key", "").strip(), form.get("kind", "")
    if not 8 <= len(key) <= 64 or kind not in changes.KINDS:
        return jsonify(error="A change needs a key (8 to 64 characters) and a known kind."), 400
    try:
        item_id = database_id(form["item_id"]) if form.get("item_id") else None
        base_version = database_id(form["version"]) if form.get("version") else None
    except ValueError:
        return jsonify(error="item_id and version are whole numbers."), 400
    status, answer = changes.apply_change(found, current_user, changes.Change(
        key=key, kind=kind, item_id=item_id, value=form.get("value", "")[:20000],
        base_version=base_version))
    return jsonify(answer), status


@bp.route("/ipad/changes", methods=["POST"])
def change_batch():
    """Apply a batch of changes from the device's outbox, in order, each once per key."""
    payload = request.get_json(silent=True)
    sent = payload.get("changes") if isinstance(payload, dict) else None
    if not isinstance(sent, list) or not 1 <= len(sent) <= batches.MAX_CHANGES:
        return jsonify(error=f"A batch carries 1 to {batches.MAX_CHANGES} changes."), 400
    return jsonify(answers=batches.apply_batch(current_user, sent))


@bp.route("/ipad/meetings/<int:meeting_id>/items")
def items(meeting_id):
    """The meeting's list, after a programme was added from the catalogue."""
    found = _hosted_meeting_or_404(meeting_id)
    return render_template("ipad/_items.html", meeting=found,
                           items=found.programme_list.items if found.programme_list else [])


@bp.route("/ipad/meetings/<int:meeting_id>/catalogue")
def catalogue(meeting_id):
    """Search the whole catalogue, to add a programme to the meeting's list."""
    found = _hosted_meeting_or_404(meeting_id)
    search = request.args.get("q", "")[:200]
    results = db.session.scalars(programme_search(search).limit(CATALOGUE_RESULTS).where(
        access.programme_visible(current_user)).options(
        selectinload(Programme.seasons).selectinload(Season.episodes))).all() \
        if search.strip() else []
    on_list = {(i.programme_id, i.season_id, i.episode_id) for i in found.programme_list.items} \
        if found.programme_list else set()
    return render_template("ipad/_catalogue.html", meeting=found, search=search,
                           results=results, on_list=on_list)


@bp.route("/ipad/meetings/<int:meeting_id>/summary")
def summary(meeting_id):
    """The summary email as it would go out now, for the summary tab's frame."""
    return email_html_response(render_summary(_hosted_meeting_or_404(meeting_id))["html"])


@bp.route("/ipad/sw.js")
def service_worker():
    """The service worker: served from /ipad/ so that it looks after the in-meeting view."""
    response = static_files.send("ipad/sw.js")
    response.headers["Cache-Control"] = "no-cache"
    return response
