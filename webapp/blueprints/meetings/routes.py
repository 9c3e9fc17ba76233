"""Meetings on the website: the index, one form to set up and change them, the meeting page
with its list, notes and summary email, cancelling and deleting."""

from datetime import date

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, lazyload, selectinload

from webapp import access
from webapp.blueprints.meetings import bp
from webapp.blueprints.meetings.forms import (
    CopyListForm,
    MeetingForm,
    NotesForm,
    SendSummaryForm,
)
from webapp.extensions import db
from webapp.models import Company, Meeting, ProgrammeList, User
from webapp.search import matches_person, text_matches
from webapp.services import DomainError, form_tokens, meeting_choices
from webapp.services import meeting_summary as summary
from webapp.services import meetings as service
from webapp.services.lists import list_with_items
from webapp.services.meeting_index import TABS, MeetingFilters, meeting_index
from webapp.services.meeting_invites import calendar_for, invitations_of, location_of
from webapp.services.notes import NoteConflict
from webapp.web.formatting import plural
from webapp.web.forms import database_id
from webapp.web.pagination import paginate
from webapp.web.views import email_html_response, is_htmx_request, refused, render

PICKER_RESULTS = 20


# What a buyer may open here: their own meeting's page and its calendar invitation.
BUYER_ENDPOINTS = {"meetings.invite", "meetings.attending"}


@bp.before_request
@login_required
def _internal_users_only():
    """Meetings are the sales team's; a buyer sees only their own meetings, on their own
    page, to which the invitation's link (the meeting's page) sends them."""
    if current_user.is_internal or request.endpoint in BUYER_ENDPOINTS:
        return None
    if request.endpoint == "meetings.show":
        return redirect(url_for("meetings.attending", **request.view_args))
    abort(403)


def _meeting_or_404(meeting_id: int, edit: bool = False) -> Meeting:
    """A meeting the user may see (else 404); with edit=True, one they may change (else 403)."""
    meeting = db.session.scalar(
        access.meetings_visible_to(current_user).where(Meeting.id == meeting_id).options(
            # Who they are is shown, not their roles.
            joinedload(Meeting.host).lazyload(User.roles),
            selectinload(Meeting.attendees).options(joinedload(User.company),
                                                     lazyload(User.roles))))
    if meeting is None:
        abort(404)
    if edit and not access.may_edit_meeting(current_user, meeting):
        abort(403)
    return meeting


def _date_arg(name: str, errors: list[str]) -> date | None:
    value = request.args.get(name, "").strip()
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        errors.append(f"“{value[:40]}” is not a date: use the form 2026-10-13.")
        return None


@bp.route("/meetings")
def index():
    """The meetings this user may see: upcoming or past, by host and dates, searchable."""
    errors: list[str] = []
    tab = request.args.get("tab", "upcoming")
    filters = MeetingFilters(
        tab=tab if tab in TABS else "upcoming", search=request.args.get("q", "")[:200],
        host_id=request.args.get("host", type=database_id), date_from=_date_arg("from", errors),
        date_to=_date_arg("to", errors))
    page = paginate(meeting_index(current_user, filters), request.args.get("page", 1, type=int),
                    current_app.config["USERS_PER_PAGE"])
    hosts = db.session.scalars(access.hosts_available_to(current_user)
                               .options(lazyload(User.roles))).all()
    return render("meetings/index.html", "results", page=page, filters=filters, tabs=TABS,
                  hosts=hosts, errors=errors, today=date.today(),
                  status=400 if errors else 200)


def _details(form: MeetingForm) -> service.MeetingDetails:
    return service.MeetingDetails(
        title=form.title.data or "", host_id=form.host.data or None,
        day=form.day.data, start=form.start.data, timezone=form.timezone.data or "UTC",
        duration_minutes=form.duration.data, market=form.market.data or "",
        stand=form.stand.data or "", room=form.room.data or "",
        pre_meeting_notes=form.pre_meeting_notes.data or "",
        attendee_ids=form.attendees.data or [], source_list_id=form.source_list.data or None)


def _meeting_list(meeting: Meeting | None) -> ProgrammeList | None:
    """The meeting's own list with its items, if it has one."""
    if meeting is None or meeting.list_id is None:
        return None
    return db.session.scalar(list_with_items(meeting.list_id))


def _form_token() -> str:
    """The form's one-time token: the one it was sent with, or a new one."""
    posted = request.form.get("form_token", "")
    return posted if form_tokens.TOKEN.fullmatch(posted) else form_tokens.new_token()


def _form_page(form: MeetingForm, meeting: Meeting | None, status: int = 200, clash=None,
               form_token: str | None = None):
    # Editing a meeting, its list is edited in place below the form (saved as it changes).
    return render("meetings/form.html", form=form, meeting=meeting, clash=clash,
                  form_token=form_token or _form_token(),
                  picker=_picker_context(
                      meeting_choices.choosable_host(current_user, form.host.data, meeting),
                      meeting_choices.chosen_attendees(current_user, form.attendees.data or [])),
                  programme_list=_meeting_list(meeting), editable=meeting is not None,
                  status=status)


def _accepted_clashes(form: MeetingForm) -> set[int]:
    """The meetings the editor was warned of and saved anyway (their ids, comma-separated)."""
    return {int(part) for part in (form.allow_clash.data or "").split(",")[:50]
            if part.isascii() and part.isdigit()}


def _save(form: MeetingForm, meeting: Meeting | None):
    """Validate and save the form; the form again, with what was typed, when it fails."""
    if not form.validate_on_submit():
        return _form_page(form, meeting, 422 if form.is_submitted() else 200)
    try:
        used = form_tokens.use(request.form.get("form_token"), current_user,
                               request.form.items(multi=True))
        saved = service.save_meeting(
            current_user, _details(form), meeting,
            schedule=request.form.get("action") == "schedule",
            accepted_clashes=_accepted_clashes(form))
    except form_tokens.AlreadySubmitted as done:  # this very form, sent again
        flash(refused(done), "info")
        return redirect(done.earlier.result_url or url_for("meetings.index"), code=303)
    except form_tokens.SentWithOtherContent as changed:
        refused(changed, form)
        return _form_page(form, meeting, 409, form_token=form_tokens.new_token())
    except service.ClashWarning as clash:
        refused(clash)  # shown above the form, with a way to save anyway
        return _form_page(form, meeting, 409, clash=clash)
    except DomainError as error:
        refused(error, form)
        return _form_page(form, meeting, 422)
    shown = url_for("meetings.show", meeting_id=saved.meeting.id)
    if used is not None:
        used.result_url = shown
    db.session.commit()
    flash(_saved_message(saved), "success")
    return redirect(shown, code=303)


def _saved_message(saved: service.Saved) -> str:
    """What this save did, not what the meeting's state might suggest: a second tab
    scheduling a draft the first has just scheduled sent nothing."""
    title = saved.meeting.title
    if saved.invited:
        return f"“{title}” saved; invitations are on their way."
    if saved.already_scheduled:
        return (f"“{title}” saved. It had already been scheduled and its buyers invited, "
                "so no invitation went out again.")
    if saved.cancelled:
        return f"“{title}” saved; the buyers removed are sent a cancellation."
    return f"“{title}” saved."


@bp.route("/meetings/new", methods=["GET", "POST"])
def new():
    """Set up a meeting, for oneself or for one of one's Account Managers."""
    hosts = db.session.scalars(access.hosts_available_to(current_user).limit(2)).all()
    if not hosts:
        abort(403)
    form = MeetingForm()
    if request.method == "GET":
        form.timezone.data = current_app.config["DEFAULT_MEETING_TIMEZONE"]
        # ?host= preselects one (My Account Managers links here per AM); the service and
        # the picker decide whether this user may choose them.
        form.host.data = (request.args.get("host", type=database_id)
                          or (hosts[0].id if len(hosts) == 1 else 0))
    form.fill_choices(current_user)
    return _save(form, None)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id):
    """Change a meeting: the same form, filled in."""
    meeting = _meeting_or_404(meeting_id, edit=True)
    form = MeetingForm()
    if request.method == "GET":
        start = meeting.local_start
        form.process(data={
            "host": meeting.host_id, "title": meeting.title, "day": start.date(),
            "start": start.time().replace(tzinfo=None), "timezone": meeting.timezone,
            "duration": meeting.duration_minutes, "market": meeting.market,
            "stand": meeting.stand, "room": meeting.room,
            "pre_meeting_notes": meeting.pre_meeting_notes,
            "attendees": [b.id for b in meeting.attendees]})
    form.fill_choices(current_user, current_host=meeting.host)
    return _save(form, meeting)


def _picker_context(host: User | None, selected: list[User], search: str = "") -> dict:
    """The buyer picker: the chosen buyers (those not the host's flagged) and the host's
    other buyers matching the search."""
    results, more = [], 0
    if host is not None:
        query = meeting_choices.meeting_buyers(host).where(User.id.not_in([b.id for b in selected]))
        if search.strip():
            query = query.where(matches_person(search) | User.company.has(
                text_matches(Company.name, search)))
        results = db.session.scalars(query.limit(PICKER_RESULTS + 1)).all()
        more, results = len(results) > PICKER_RESULTS, results[:PICKER_RESULTS]
    return {"host": host, "selected": selected, "search": search, "results": results,
            "more": more, "strangers": meeting_choices.buyers_not_of(host, selected)
            if host is not None else []}


@bp.route("/meetings/buyers")
def buyer_picker():
    """The buyer picker for the meeting form (htmx): the host's buyers, searchable; adding and
    removing buyers, and changing the host, answer with the picker again."""
    host = meeting_choices.choosable_host(current_user, request.args.get("host", type=database_id))
    ids = [i for i in request.args.getlist("attendees", type=database_id)
           if i != request.args.get("remove", type=database_id)]
    if added := request.args.get("add", type=database_id):
        ids.append(added)
    context = _picker_context(host, meeting_choices.chosen_attendees(current_user, ids),
                              request.args.get("buyer_q", "")[:200])
    return render("meetings/_buyer_picker.html", **context,
                  focus_search=bool(added or request.args.get("remove")))


def _meeting_page(meeting: Meeting, block: str | None = None, status: int = 200, **context):
    programme_list = _meeting_list(meeting)
    sends = summary.sends_of(meeting)
    context.setdefault("copy_form", CopyListForm().fill_choices(current_user))
    return render("meetings/show.html", block, meeting=meeting, programme_list=programme_list,
                  editable=access.may_edit_meeting(current_user, meeting),
                  sends=sends, sent_note=sends and summary.sent_note(sends[0], meeting),
                  starts_later=summary.starts_later(meeting), invitations=invitations_of(meeting),
                  cannot_send=summary.why_summary_cannot_be_sent(meeting),
                  offer_grant=summary.offers_grant(meeting, current_user),
                  send_form=SendSummaryForm(), status=status, **context)


@bp.route("/meetings/<int:meeting_id>")
def show(meeting_id):
    """A meeting: details, buyers, its list with notes and marks, notes, and the summary."""
    return _meeting_page(_meeting_or_404(meeting_id))


@bp.route("/my-meetings/<int:meeting_id>")
def attending(meeting_id):
    """A buyer's own meeting: when, where, with whom and, once sent, its summary."""
    meeting = db.session.scalar(access.meetings_attended_by(current_user)
                                .where(Meeting.id == meeting_id))
    if meeting is None:
        abort(404)
    sends = summary.sends_of(meeting)
    return render("meetings/attending.html", meeting=meeting, location=location_of(meeting),
                  sent=sends[0] if sends else None,
                  lines=summary.summary_lines(meeting) if sends else [])


@bp.route("/meetings/<int:meeting_id>/notes", methods=["GET", "POST"])
def notes(meeting_id):
    """Edit the meeting notes inline; notes changed meanwhile by someone else are a conflict."""
    meeting = _meeting_or_404(meeting_id, edit=request.method == "POST")
    form = NotesForm(data={"notes": meeting.meeting_notes,
                           "version": meeting.meeting_notes_version})
    if request.method == "POST":
        if not form.validate_on_submit():
            return _meeting_page(meeting, "notes", 422, notes_form=form, editing_notes=True)
        try:
            service.update_meeting_notes(meeting, form.notes.data or "", form.version.data)
        except NoteConflict as conflict:
            refused(conflict)  # shown with both texts, to choose from
            return _meeting_page(meeting, "notes", 409, notes_conflict=conflict)
        db.session.commit()
        if not is_htmx_request():
            return redirect(url_for("meetings.show", meeting_id=meeting_id), code=303)
        return _meeting_page(meeting, "notes")
    return _meeting_page(meeting, "notes", notes_form=form,
                         editing_notes=request.args.get("cancel") is None)


@bp.route("/meetings/<int:meeting_id>/list", methods=["POST"])
def copy_list(meeting_id):
    """Add the items (and notes) of a list the user can see to the meeting's list, once for
    one sending of the form."""
    meeting = _meeting_or_404(meeting_id, edit=True)
    form = CopyListForm().fill_choices(current_user)
    if not form.validate_on_submit():
        return _meeting_page(meeting, status=422, copy_form=form)
    back = url_for("meetings.show", meeting_id=meeting_id, _anchor="list-items")
    try:
        form_tokens.use(form.form_token.data, current_user, request.form.items(multi=True))
    except form_tokens.AlreadySubmitted as done:  # this very form, sent again
        flash(refused(done), "info")
        return redirect(back, code=303)
    except form_tokens.SentWithOtherContent as changed:
        refused(changed, form, field="source_list")
        form.form_token.data = form_tokens.new_token()
        return _meeting_page(meeting, status=409, copy_form=form)
    source = db.session.scalar(list_with_items(form.source_list.data))
    added = service.copy_list_into(meeting, source)
    db.session.commit()
    flash(f"{plural(added, 'item')} added from “{source.name}”.", "success")
    return redirect(back, code=303)


@bp.route("/meetings/<int:meeting_id>/summary", methods=["POST"])
def send_summary(meeting_id):
    """Send the summary email to the attendees, as the meeting stands now; re-sending is
    confirmed first, and a send made since the page was drawn is not repeated."""
    meeting = _meeting_or_404(meeting_id)
    form = SendSummaryForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        summary.send_summary(meeting, current_user, resend=form.resend.data == "1",
                             last_seen=request.form.get("last_send", type=int),
                             before_start=form.before_start.data,
                             grant_access=form.grant_access.data)
    except DomainError as error:
        confirm = isinstance(error, summary.AlreadySent | summary.NotStartedYet)
        status = 409 if confirm else 422
        return _meeting_page(meeting, status=status, send_error=refused(error))
    db.session.commit()
    flash(f"Summary on its way to {plural(len(meeting.attendees), 'buyer')}.", "success")
    return redirect(url_for("meetings.show", meeting_id=meeting_id, _anchor="summary"),
                    code=303)


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
def cancel(meeting_id):
    """Cancel the meeting; attendees get the cancellation for their calendars."""
    # Seeing a meeting is what changing it takes (access.may_edit_meeting), until it is
    # cancelled: cancelling it again is answered by the service ("already cancelled").
    meeting = _meeting_or_404(meeting_id)
    try:
        service.cancel_meeting(meeting, current_user)
    except DomainError as error:
        flash(refused(error), "error")
        return redirect(url_for("meetings.show", meeting_id=meeting_id), code=303)
    db.session.commit()
    flash(f"“{meeting.title}” cancelled.", "success")
    return redirect(url_for("meetings.show", meeting_id=meeting_id), code=303)


@bp.route("/meetings/<int:meeting_id>/delete", methods=["POST"])
def delete(meeting_id):
    """Delete a draft meeting."""
    meeting = _meeting_or_404(meeting_id, edit=True)
    title = meeting.title
    try:
        service.delete_draft(meeting)
    except DomainError as error:
        flash(refused(error), "error")
        return redirect(url_for("meetings.show", meeting_id=meeting_id), code=303)
    db.session.commit()
    flash(f"Draft “{title}” deleted.", "success")
    return redirect(url_for("meetings.index"), code=303)


@bp.route("/meetings/<int:meeting_id>/invite.ics")
def invite(meeting_id):
    """The calendar invite, for the people who may see the meeting and its attendees."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not access.may_download_invite(current_user, meeting):
        abort(404)
    return Response(calendar_for(meeting), mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="meeting-{meeting.id}.ics"'})


@bp.route("/meetings/<int:meeting_id>/summary")
def summary_preview(meeting_id):
    """The summary email exactly as it goes out now, for the meeting page's preview frame."""
    meeting = _meeting_or_404(meeting_id)
    return email_html_response(summary.render_summary(meeting)["html"])
