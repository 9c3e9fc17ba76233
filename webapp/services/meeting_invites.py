"""Calendar invites for meetings (iCalendar, RFC 5545), sent through the outbox.

The UID is the meeting's for its whole life; SEQUENCE rises with each change a calendar
shows, so calendar programs replace the earlier invite instead of adding another.
"""

from datetime import UTC, datetime
from email.utils import parseaddr

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

from webapp.mail.service import absolute_url, queue_email
from webapp.models import Meeting, MeetingStatus, User
from webapp.times import as_utc


def location_of(meeting: Meeting) -> str:
    parts = [meeting.market, f"stand {meeting.stand}" if meeting.stand else "",
             f"room {meeting.room}" if meeting.room else ""]
    return ", ".join(p for p in parts if p)


def _address(person: User, role: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = vText(person.full_name)
    address.params["ROLE"] = vText(role)
    return address


def calendar_for(meeting: Meeting, method: str | None = None) -> str:
    """The meeting as an iCalendar object; METHOD:CANCEL once it is cancelled."""
    if method is None:
        method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    calendar = Calendar()
    calendar.add("prodid", "-//Sales CMS//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", as_utc(meeting.starts_at))
    event.add("dtend", as_utc(meeting.ends_at))
    event.add("summary", meeting.title)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if location := location_of(meeting):
        event.add("location", location)
    event.add("url", absolute_url("meetings.show", meeting_id=meeting.id))
    organizer = vCalAddress(f"mailto:{parseaddr(current_app.config['MAIL_FROM'])[1]}")
    organizer.params["CN"] = vText(meeting.host.full_name)
    event["organizer"] = organizer
    event.add("attendee", _address(meeting.host, "CHAIR"), encode=0)
    for buyer in meeting.attendees:
        event.add("attendee", _address(buyer, "REQ-PARTICIPANT"), encode=0)
    calendar.add_component(event)
    return calendar.to_ical().decode()


def _when(meeting: Meeting) -> str:
    return f"{meeting.local_start:%A %d %B %Y, %H:%M} ({meeting.timezone})"


def send_invites(meeting: Meeting, people: list[User], updated: bool = False) -> None:
    """One email per person, each carrying the invite."""
    calendar = calendar_for(meeting, "REQUEST")
    prefix = "Updated: " if updated else "Invitation: "
    for person in people:
        queue_email(person.email, "meeting_invite", f"{prefix}{meeting.title}",
                    calendar=calendar, person=person, meeting=meeting, updated=updated,
                    when=_when(meeting), location=location_of(meeting))


def send_cancellation(meeting: Meeting, people: list[User]) -> None:
    calendar = calendar_for(meeting, "CANCEL")
    for person in people:
        queue_email(person.email, "meeting_cancelled", f"Cancelled: {meeting.title}",
                    calendar=calendar, person=person, meeting=meeting, when=_when(meeting),
                    location=location_of(meeting))
