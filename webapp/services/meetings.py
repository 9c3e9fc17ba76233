"""Meetings: set up, change, cancel and delete, with the host's and the attendees' rules.

Times are stored in UTC and entered and shown in the meeting's own time zone. A scheduled
meeting's attendees get a calendar invite; a change that matters to a calendar raises the
invite's SEQUENCE and sends it again, a cancellation sends METHOD:CANCEL.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from webapp.audit import acting_event
from webapp.extensions import db
from webapp.models import (
    ListItem,
    ListKind,
    Meeting,
    MeetingStatus,
    ProgrammeList,
    User,
)
from webapp.services import DomainError
from webapp.services.meeting_choices import (
    buyers_not_of,
    choosable_host,
    chosen_attendees,
    visible_source_list,
)
from webapp.services.meeting_invites import send_cancellation, send_invites, team_of
from webapp.services.notes import MEETING_NOTES, save_if_current
from webapp.services.row_locks import lock
from webapp.times import as_utc

# The zones of the markets and offices a distributor's team works in; a meeting keeps any
# other valid zone it was given.
COMMON_TIMEZONES = [
    "UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome",
    "Europe/Amsterdam", "Europe/Stockholm", "Europe/Warsaw", "Europe/Istanbul", "Asia/Dubai",
    "Africa/Johannesburg", "Asia/Kolkata", "Asia/Singapore", "Asia/Hong_Kong", "Asia/Shanghai",
    "Asia/Seoul", "Asia/Tokyo", "Australia/Sydney", "America/New_York", "America/Chicago",
    "America/Denver", "America/Los_Angeles", "America/Toronto", "America/Mexico_City",
    "America/Sao_Paulo", "America/Buenos_Aires",
]
LONGEST_MEETING = 12 * 60
# What a calendar shows: a change to these re-sends the invite with a higher SEQUENCE.
CALENDAR_FIELDS = ("title", "starts_at", "duration_minutes", "timezone", "market", "stand",
                   "room", "status", "host_id")


class ClashWarning(DomainError):
    """The host has another meeting at that time; saved only once the editor confirms."""

    def __init__(self, meetings: list[Meeting]):
        names = "; ".join(f"“{m.title}” at {m.local_start:%H:%M} ({m.timezone})"
                          for m in meetings)
        super().__init__(f"The host already has a meeting then: {names}.", field="start")
        self.meetings = meetings


@dataclass
class MeetingDetails:
    """What the meeting form gives, as sent: checked by save_meeting before anything changes
    (the host and the buyers by id, since which ones the editor may choose is its to say)."""

    title: str
    host_id: int | None
    day: date | None
    start: time | None
    timezone: str
    duration_minutes: int | None
    market: str = ""
    stand: str = ""
    room: str = ""
    pre_meeting_notes: str = ""
    attendee_ids: list[int] = field(default_factory=list)
    source_list_id: int | None = None


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise DomainError("Choose a time zone from the list.", field="timezone") from error


def starts_at_utc(day: date, start: time, zone_name: str) -> datetime:
    """The UTC moment of a local date and time, refusing a time the clocks skip."""
    tz = zone(zone_name)
    local = datetime.combine(day, start, tzinfo=tz)
    moment = local.astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise DomainError(f"{start:%H:%M} does not exist on {day:%d %B %Y} in {zone_name}: "
                          "the clocks go forward then. Choose another time.", field="start")
    return moment


def clashes(host: User, starts_at: datetime, duration_minutes: int,
            ignore: Meeting | None = None) -> list[Meeting]:
    """The host's other live meetings overlapping this time."""
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    query = (select(Meeting)
             .where(Meeting.host_id == host.id, Meeting.status != MeetingStatus.CANCELLED,
                    Meeting.starts_at < ends_at,
                    Meeting.starts_at > starts_at - timedelta(minutes=LONGEST_MEETING))
             .order_by(Meeting.starts_at))
    if ignore is not None and ignore.id is not None:
        query = query.where(Meeting.id != ignore.id)
    return [m for m in db.session.scalars(query) if m.ends_at > starts_at]


@dataclass
class _Checked:
    """The form's details as save_meeting applies them."""

    host: User
    starts_at: datetime
    attendees: list[User]
    source_list: ProgrammeList | None


def _check(editor: User, details: MeetingDetails, meeting: Meeting | None) -> _Checked:
    """Every rule of the form, as DomainErrors on the field at fault."""
    if not " ".join(details.title.split()):
        raise DomainError("Give the meeting a title.", field="title")
    if not details.host_id:
        raise DomainError("Choose who hosts the meeting.", field="host")
    host = choosable_host(editor, details.host_id, meeting)
    if host is None:
        raise DomainError("You cannot set up meetings for this host.", field="host")
    if details.day is None or details.start is None:
        raise DomainError("Give the date and the start time.",
                          field="day" if details.day is None else "start")
    if not details.duration_minutes or not 5 <= details.duration_minutes <= LONGEST_MEETING:
        raise DomainError("A meeting lasts between 5 minutes and 12 hours.", field="duration")
    starts_at = starts_at_utc(details.day, details.start, details.timezone)
    attendees = chosen_attendees(editor, details.attendee_ids)
    if len(attendees) != len(set(details.attendee_ids)):
        raise DomainError("Some of the chosen buyers cannot be added: choose them again from "
                          "the list.", field="attendees")
    strangers = buyers_not_of(host, attendees)
    if strangers:
        names = ", ".join(b.full_name for b in strangers)
        raise DomainError(f"Not among {host.full_name}'s buyers: {names}. Remove them or "
                          "choose another host.", field="attendees")
    return _Checked(host, starts_at, attendees,
                    visible_source_list(editor, details.source_list_id))


@dataclass
class Saved:
    """What one save did: the meeting, and whom this very save sent an invite or a
    cancellation. `already_scheduled`: asked to schedule a meeting that was scheduled
    (and its buyers invited) already, by another tab a moment before."""

    meeting: Meeting
    invited: list[User] = field(default_factory=list)
    cancelled: list[User] = field(default_factory=list)
    already_scheduled: bool = False


def save_meeting(editor: User, details: MeetingDetails, meeting: Meeting | None = None,
                 schedule: bool = False, accepted_clashes: Collection[int] = ()) -> Saved:
    """Create or change a meeting. `schedule` turns a draft into a scheduled meeting; a
    scheduled meeting's attendees get (updated) invites, removed attendees a cancellation.
    The meeting's list starts with the items of the details' source list, if any.
    A clash with another of the host's meetings raises ClashWarning unless the editor
    accepted a clash with that very meeting (`accepted_clashes`, meeting ids).

    A meeting being changed is locked first: a second save at the same moment (two tabs
    scheduling one draft) waits, then finds the first's changes and sends only what differs
    from them, usually nothing; what it sent is in the Saved it returns."""
    if meeting is not None:
        lock(meeting)
        if meeting.status == MeetingStatus.CANCELLED:
            raise DomainError("This meeting has been cancelled, so it cannot be changed.")
    checked = _check(editor, details, meeting)
    found = clashes(checked.host, checked.starts_at, details.duration_minutes, meeting)
    if any(m.id not in accepted_clashes for m in found):
        raise ClashWarning(found)
    creating = meeting is None
    if creating:
        meeting = Meeting(created_by=editor, status=MeetingStatus.DRAFT, sequence=0)
        db.session.add(meeting)
    before = {name: getattr(meeting, name) for name in CALENDAR_FIELDS}
    before["starts_at"] = as_utc(before["starts_at"])
    saved = Saved(meeting, already_scheduled=schedule and
                  before["status"] == MeetingStatus.SCHEDULED)
    previous_attendees = list(meeting.attendees)
    previous_host = meeting.host if not creating else None
    meeting.title = " ".join(details.title.split())
    meeting.host = checked.host
    meeting.starts_at = checked.starts_at
    meeting.timezone = details.timezone
    meeting.duration_minutes = details.duration_minutes
    meeting.market, meeting.stand, meeting.room = (
        details.market.strip(), details.stand.strip(), details.room.strip())
    meeting.pre_meeting_notes = details.pre_meeting_notes.strip()
    meeting.attendees = checked.attendees
    if schedule and meeting.status == MeetingStatus.DRAFT:
        meeting.status = MeetingStatus.SCHEDULED
    db.session.flush()
    meeting_list(meeting).name = meeting.title
    if checked.source_list is not None:
        copy_list_into(meeting, checked.source_list)
    if meeting.status == MeetingStatus.SCHEDULED:
        saved.invited, saved.cancelled = _send_calendar_changes(
            editor, meeting, before, previous_attendees, previous_host)
    acting_event("meeting.created" if creating else "meeting.changed", editor, meeting.host,
                 meeting=meeting.id, status=meeting.status)
    return saved


def _send_calendar_changes(editor: User, meeting: Meeting, before: dict, previous: list[User],
                           previous_host: User | None) -> tuple[list[User], list[User]]:
    """Send what the calendars of the attendees, old and new, need: (invited, cancelled).
    Buyers are invited, and so are the host and the SC who set the meeting up; a host
    replaced by another gets the cancellation."""
    creating = previous_host is None
    changed = creating or any(getattr(meeting, name) != before[name] if name != "starts_at"
                              else as_utc(meeting.starts_at) != before[name]
                              for name in CALENDAR_FIELDS)
    just_scheduled = before["status"] != MeetingStatus.SCHEDULED
    if changed and not just_scheduled:
        meeting.sequence += 1
    removed = [p for p in previous if p not in meeting.attendees]
    added = [p for p in meeting.attendees if p not in previous]
    if removed:
        send_cancellation(meeting, removed, sent_by=editor, removed=True)
    if not just_scheduled and previous_host is not None and previous_host != meeting.host:
        send_cancellation(meeting, [previous_host], sent_by=editor)
    invitees = ([*team_of(meeting), *meeting.attendees] if changed or just_scheduled
                else added)
    if invitees:
        send_invites(meeting, invitees, sent_by=editor,
                     updated=changed and not just_scheduled and not creating)
    db.session.flush()
    return [p for p in invitees if p in meeting.attendees], removed


def meeting_list(meeting: Meeting) -> ProgrammeList:
    """The meeting's own list, created on first use; it belongs to the host."""
    if meeting.programme_list is None:
        meeting.programme_list = ProgrammeList(name=meeting.title, kind=ListKind.MEETING,
                                               owner=meeting.host)
        db.session.flush()
    return meeting.programme_list


def copy_list_into(meeting: Meeting, source: ProgrammeList) -> int:
    """Append copies of the source list's items (with their notes) to the meeting's list, so
    later edits to the source leave the meeting alone. Returns how many were added."""
    target = meeting_list(meeting)
    last = max((item.position for item in target.items), default=0)
    for offset, item in enumerate(source.items, start=1):
        db.session.add(ListItem(list=target, programme_id=item.programme_id,
                                season_id=item.season_id, episode_id=item.episode_id,
                                note=item.note, position=last + offset))
    db.session.flush()
    db.session.expire(target, ["items"])
    return len(source.items)


def update_meeting_notes(meeting: Meeting, notes: str, based_on_version: int | None) -> None:
    """Save the meeting notes; if they changed since `based_on_version`, raise
    notes.NoteConflict."""
    save_if_current(meeting, MEETING_NOTES, notes, based_on_version)
    db.session.flush()


def cancel_meeting(meeting: Meeting, by: User | None = None) -> None:
    """Cancel a scheduled meeting; its attendees, host and setter get the cancellation for
    their calendars. Locked first, so a second cancel at the same moment finds it
    cancelled."""
    lock(meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError("This meeting is already cancelled.")
    if meeting.held:
        raise DomainError("This meeting has already been held, so it cannot be cancelled.")
    was_scheduled = meeting.status == MeetingStatus.SCHEDULED
    meeting.status = MeetingStatus.CANCELLED
    if was_scheduled:
        meeting.sequence += 1
        if meeting.attendees:
            send_cancellation(meeting, [*team_of(meeting), *meeting.attendees], sent_by=by)
    db.session.flush()
    acting_event("meeting.cancelled", by, meeting.host, meeting=meeting.id)


def delete_draft(meeting: Meeting) -> None:
    """Delete a meeting that was never scheduled, with its list."""
    if meeting.status != MeetingStatus.DRAFT:
        raise DomainError("Only a draft can be deleted; cancel a scheduled meeting instead.")
    programme_list = meeting.programme_list
    db.session.delete(meeting)
    if programme_list is not None:
        db.session.delete(programme_list)
    db.session.flush()


def meeting_of_list(programme_list: ProgrammeList) -> Meeting | None:
    return db.session.scalar(select(Meeting).where(Meeting.list_id == programme_list.id))


def may_change(meeting: Meeting) -> bool:
    """A cancelled meeting is kept as it was."""
    return meeting.status != MeetingStatus.CANCELLED
