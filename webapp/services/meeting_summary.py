"""The meeting summary email: what was discussed, for the buyers who attended.

The same content is previewed on the meeting page and in the in-meeting view, and sent
through the outbox, always as the meeting stands at the time. Pre-meeting notes are internal
and never part of it.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from webapp import access
from webapp.audit import acting_event
from webapp.extensions import db
from webapp.mail.service import absolute_url, queue_email, render_email
from webapp.models import (
    EmailSource,
    EventKind,
    ListItem,
    Meeting,
    MeetingStatus,
    MeetingSummarySend,
    User,
)
from webapp.services import DomainError
from webapp.services.activity import record_for_each, tracked_link
from webapp.services.catalogue_access import grant_for_sharing, has_restricted_items
from webapp.services.row_locks import lock
from webapp.times import as_utc


@dataclass
class SummaryLine:
    item: ListItem
    programme_url: str
    screener_url: str | None  # only when the host chose to include it


def _link(recipient: User | None, url: str, meeting: Meeting, programme_id: int) -> str:
    """A link as the recipient gets it: signed for them, so their click is attributed."""
    if recipient is None:
        return url
    return tracked_link(recipient, url, source=EmailSource.MEETING_SUMMARY,
                        meeting_id=meeting.id, programme_id=programme_id)


def summary_lines(meeting: Meeting, recipient: User | None = None) -> list[SummaryLine]:
    """The summary's lines; for a recipient, only the items they may see."""
    items = meeting.programme_list.items if meeting.programme_list else []
    if recipient is not None:
        items = access.visible_items(recipient, items)
    lines = []
    for item in items:
        programme_url = absolute_url("catalogue.programme", programme_id=item.programme_id)
        screener = item.screener_source if item.include_screener else None
        screener_url = absolute_url("catalogue.screener", kind=screener[0],
                                    item_id=screener[1]) if screener else None
        lines.append(SummaryLine(
            item=item,
            programme_url=_link(recipient, programme_url, meeting, item.programme_id),
            screener_url=screener_url and _link(recipient, screener_url, meeting,
                                                item.programme_id)))
    return lines


def summary_subject(meeting: Meeting) -> str:
    return f"Our meeting: {meeting.title}"


def render_summary(meeting: Meeting, buyer: User | None = None) -> dict[str, str]:
    """The summary email's subject, text and HTML as `buyer` gets it (a preview without)."""
    subject = summary_subject(meeting)
    text, html = render_email("meeting_summary", subject, meeting=meeting, buyer=buyer,
                              lines=summary_lines(meeting, buyer))
    return {"subject": subject, "text": text, "html": html}


def why_summary_cannot_be_sent(meeting: Meeting) -> str | None:
    """Why the summary cannot be sent now, or None when it can."""
    if meeting.status == MeetingStatus.CANCELLED:
        return "The meeting is cancelled."
    if meeting.status == MeetingStatus.DRAFT:
        return "Schedule the meeting before sending its summary."
    if not meeting.attendees:
        return "The meeting has no attendees to send it to."
    return None


class AlreadySent(DomainError):
    """The summary went out since the sender's page showed it (or, unasked, before)."""

    def __init__(self, latest: MeetingSummarySend, confirm: bool):
        by = latest.sent_by_text
        message = f"Already sent by {by} ({as_utc(latest.sent_at):%d %b %Y, %H:%M} UTC)"
        super().__init__(f"{message}: confirm to send it again." if confirm else f"{message}.")
        self.latest = latest


class NotStartedYet(DomainError):
    """A summary is meant for after the meeting: before its start, the sender confirms."""

    def __init__(self, meeting: Meeting):
        start = meeting.local_start
        super().__init__(f"The meeting starts on {start:%d %b} at {start:%H:%M} {start:%Z}: "
                         "confirm to send the summary before it.")


def starts_later(meeting: Meeting, now: datetime | None = None) -> bool:
    """Whether the meeting's start time is still ahead."""
    return as_utc(meeting.starts_at) > (now or datetime.now(UTC))


def sent_note(send: MeetingSummarySend, meeting: Meeting) -> str:
    """"Sent to 2 buyers at 14:05 by Alice Morgan": a send as the meeting's pages tell it,
    its time in the meeting's own time zone (with the day, when that is not the meeting's)."""
    count = len(send.recipient_list)
    at = as_utc(send.sent_at).astimezone(meeting.local_start.tzinfo)
    day = "" if at.date() == meeting.local_start.date() else f" on {at:%d %b %Y}"
    by = send.sent_by.full_name if send.sent_by else "a former user"
    return f"Sent to {count} buyer{'s' if count != 1 else ''}{day} at {at:%H:%M} {at:%Z} by {by}"


def offers_grant(meeting: Meeting, user: User) -> bool:
    """Whether the send form offers to grant the attendees the restricted titles on the
    meeting's list: to a user holding "grant screener access", when there are some."""
    return access.may_grant_access(user) and has_restricted_items(meeting.list_id)


def send_summary(meeting: Meeting, sender: User, idempotency_key: str | None = None, *,
                 resend: bool = True, last_seen: int | None = None,
                 before_start: bool = False,
                 grant_access: bool = False) -> MeetingSummarySend:
    """Queue one email per attendee, with the current content, and record the send. With an
    idempotency key, a second call with the same key returns the first send.

    The meeting is locked first, so sends at the same moment go one after the other. From
    the meeting page, a send that follows an earlier one must say so (`resend`), and
    `last_seen` is the latest send the page showed (0: none): one made since then, by a
    double click, another tab or a retried request, is not repeated (AlreadySent). Before the
    meeting's start time, the sender must have confirmed sending that early (`before_start`),
    else nothing is sent (NotStartedYet)."""
    lock(meeting)
    if idempotency_key:
        earlier = db.session.scalar(select(MeetingSummarySend).where(
            MeetingSummarySend.idempotency_key == idempotency_key))
        if earlier is not None:
            return earlier
    if reason := why_summary_cannot_be_sent(meeting):
        raise DomainError(reason)
    if not before_start and starts_later(meeting):
        raise NotStartedYet(meeting)
    latest = db.session.scalar(_sends(meeting).limit(1))
    if latest is not None and not resend:
        raise AlreadySent(latest, confirm=True)
    if latest is not None and last_seen is not None and latest.id != last_seen:
        raise AlreadySent(latest, confirm=False)
    if grant_access and meeting.programme_list is not None:
        grant_for_sharing(meeting.programme_list.items, list(meeting.attendees), sender,
                          f"Meeting summary “{meeting.title}”")
    for buyer in meeting.attendees:
        queue_email(buyer.email, "meeting_summary", summary_subject(meeting), meeting=meeting,
                    buyer=buyer, lines=summary_lines(meeting, buyer), sent_by=sender,
                    acting_for=meeting.host)
    send = MeetingSummarySend(meeting=meeting, sent_by=sender, idempotency_key=idempotency_key,
                              acting_for=meeting.host if meeting.host_id != sender.id else None,
                              recipients="\n".join(b.email for b in meeting.attendees))
    _record_included(meeting)
    db.session.add(send)
    db.session.flush()
    acting_event("summary.sent", sender, meeting.host, meeting=meeting.id,
                 recipients=len(send.recipient_list))
    return send


def _record_included(meeting: Meeting) -> None:
    """Each programme of the summary, for each buyer it went to: reporting's funnel step
    between "interested" and "clicked"."""
    buyer_ids = [buyer.id for buyer in meeting.attendees]
    items = meeting.programme_list.items if meeting.programme_list else []
    for programme_id in dict.fromkeys(item.programme_id for item in items):
        record_for_each(buyer_ids, EventKind.SUMMARY_INCLUDED, meeting_id=meeting.id,
                        programme_id=programme_id)


def _sends(meeting: Meeting):
    return (select(MeetingSummarySend).where(MeetingSummarySend.meeting_id == meeting.id)
            .order_by(MeetingSummarySend.sent_at.desc(), MeetingSummarySend.id.desc()))


def sends_of(meeting: Meeting) -> list[MeetingSummarySend]:
    """The meeting's sends, the latest first."""
    return list(db.session.scalars(_sends(meeting)))
