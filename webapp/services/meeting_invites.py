"""Calendar invitations for meetings (iCalendar, RFC 5545, sent as iTIP, RFC 5546), through
the outbox.

The host is the ORGANIZER; the buyers are attendees asked to answer (RSVP=TRUE,
PARTSTAT=NEEDS-ACTION); the host and the Sales Coordinator who set the meeting up get the
invitation too. Times carry the meeting's time zone (TZID, with its VTIMEZONE). The UID is
the meeting's for its whole life; SEQUENCE rises with each change a calendar shows, so
calendar programs replace the earlier invitation instead of adding another. A buyer removed
from the meeting gets a CANCEL naming them as its ATTENDEE.

Answers (METHOD:REPLY) reach the host by email, since invitations reply to the host: the
CMS does not read them. What it records is what it sent each person, and when
(MeetingInvitation), shown on the meeting page.
"""

from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import select

from webapp.extensions import db
from webapp.mail.service import absolute_url, queue_email
from webapp.models import InvitationState, Meeting, MeetingInvitation, MeetingStatus, User
from webapp.services import distributor


def location_of(meeting: Meeting) -> str:
    parts = [meeting.market, f"stand {meeting.stand}" if meeting.stand else "",
             f"room {meeting.room}" if meeting.room else ""]
    return ", ".join(p for p in parts if p)


def team_of(meeting: Meeting) -> list[User]:
    """The sales team's side: the host, and whoever set the meeting up for them."""
    team = [meeting.host]
    setter = meeting.created_by
    if setter is not None and setter.id != meeting.host_id and setter.is_internal:
        team.append(setter)
    return team


def _address(person: User, role: str, answered: bool = False) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = vText(person.full_name)
    address.params["CUTYPE"] = vText("INDIVIDUAL")
    address.params["ROLE"] = vText(role)
    if answered:  # the organiser takes part in their own meeting
        address.params["PARTSTAT"] = vText("ACCEPTED")
    else:
        address.params["PARTSTAT"] = vText("NEEDS-ACTION")
        address.params["RSVP"] = vText("TRUE")
    return address


def _attendees(meeting: Meeting, buyers: list[User] | None) -> list[vCalAddress]:
    """Everyone invited; for a CANCEL sent to removed buyers (`buyers`), only them."""
    if buyers is not None:
        return [_address(buyer, "REQ-PARTICIPANT") for buyer in buyers]
    team = team_of(meeting)
    addresses = [_address(meeting.host, "CHAIR", answered=True)]
    addresses += [_address(person, "OPT-PARTICIPANT") for person in team[1:]]
    return addresses + [_address(buyer, "REQ-PARTICIPANT") for buyer in meeting.attendees]


def calendar_for(meeting: Meeting, method: str | None = None,
                 removed: list[User] | None = None) -> str:
    """The meeting as an iCalendar object; METHOD:CANCEL once it is cancelled, or for the
    buyers `removed` from it (then they alone are its attendees)."""
    if method is None:
        method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    name = distributor.current().name
    calendar = Calendar()
    calendar.add("prodid", f"-//{name}//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", meeting.local_start)
    event.add("dtend", meeting.ends_at.astimezone(meeting.local_start.tzinfo))
    event.add("summary", meeting.title)
    whole_meeting_cancelled = method == "CANCEL" and removed is None
    event.add("status", "CANCELLED" if whole_meeting_cancelled else "CONFIRMED")
    if location := location_of(meeting):
        event.add("location", location)
    url = absolute_url("meetings.show", meeting_id=meeting.id)
    event.add("url", url)
    event.add("description", f"Host: {meeting.host.full_name}\nThe meeting: {url}")
    organizer = vCalAddress(f"mailto:{meeting.host.email}")
    organizer.params["CN"] = vText(meeting.host.full_name)
    event["organizer"] = organizer
    for address in _attendees(meeting, removed):
        event.add("attendee", address, encode=0)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()


def _when(meeting: Meeting) -> str:
    return f"{meeting.local_start:%A %d %B %Y, %H:%M} ({meeting.timezone})"


def _record(meeting: Meeting, person: User, state: InvitationState) -> None:
    now = datetime.now(UTC)
    row = db.session.scalar(select(MeetingInvitation).where(
        MeetingInvitation.meeting_id == meeting.id, MeetingInvitation.person_id == person.id))
    if row is None:
        row = MeetingInvitation(meeting_id=meeting.id, person=person, first_sent_at=now)
        db.session.add(row)
    row.state, row.sequence, row.last_sent_at = state, meeting.sequence, now


def _context(meeting: Meeting) -> dict:
    return {"meeting": meeting, "when": _when(meeting), "location": location_of(meeting),
            "meeting_url": absolute_url("meetings.show", meeting_id=meeting.id)}


def send_invites(meeting: Meeting, people: list[User], updated: bool = False,
                 sent_by: User | None = None) -> None:
    """One email per person, each carrying the invitation, in the host's name."""
    calendar = calendar_for(meeting, "REQUEST")
    prefix = "Updated: " if updated else "Invitation: "
    for person in people:
        queue_email(person.email, "meeting_invite", f"{prefix}{meeting.title}",
                    calendar=calendar, sent_by=sent_by, acting_for=meeting.host,
                    person=person, updated=updated, **_context(meeting))
        _record(meeting, person,
                InvitationState.UPDATED if updated else InvitationState.INVITED)


def send_cancellation(meeting: Meeting, people: list[User], sent_by: User | None = None,
                      removed: bool = False) -> None:
    """The cancellation: of the whole meeting, or (`removed`) of these buyers' places in it,
    each CANCEL naming them as its attendees."""
    shared = None if removed else calendar_for(meeting, "CANCEL")
    for person in people:
        calendar = shared or calendar_for(meeting, "CANCEL", removed=[person])
        queue_email(person.email, "meeting_cancelled", f"Cancelled: {meeting.title}",
                    calendar=calendar, sent_by=sent_by, acting_for=meeting.host,
                    person=person, removed=removed, **_context(meeting))
        _record(meeting, person, InvitationState.CANCELLED)


def invitations_of(meeting: Meeting) -> list[MeetingInvitation]:
    """What each person last received, in the order they were first invited."""
    return list(db.session.scalars(
        select(MeetingInvitation).where(MeetingInvitation.meeting_id == meeting.id)
        .order_by(MeetingInvitation.first_sent_at, MeetingInvitation.id)))
