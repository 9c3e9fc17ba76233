"""Changes made in a meeting from the in-meeting view, each applied exactly once.

The iPad keeps every change (a tap, a note, a send) in an outbox on the device until the CMS
has it, and may deliver one more than once when the network drops mid-answer. Each carries
an idempotency key: the first delivery is applied and its answer kept; a replay gets that
answer back and changes nothing. A note change also carries the version it was based on, so
a note changed meanwhile on the website is a conflict, not an overwrite.

A key names one change, never another: the CMS keeps a digest of what was first sent under
it, and the same key with other content is refused, so a device that edited a change after
sending it learns so instead of getting the first change's answer for the newer text. Every
answer names its key, so the device can check that an answer is for what it sent.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import (
    AppliedChange,
    Episode,
    EventKind,
    ListItem,
    Meeting,
    MeetingStatus,
    Programme,
    Season,
    meeting_attendees,
)
from webapp.services import DomainError, activity
from webapp.services.lists import add_item, parse_order, reorder_items, update_note
from webapp.services.meeting_summary import send_summary, sent_note
from webapp.services.meetings import meeting_list, update_meeting_notes
from webapp.services.notes import NoteConflict

KINDS = ("start", "interest", "screener", "note", "meeting_notes", "add_item", "reorder",
         "send_summary", "shown")
INTEREST = {"up": 1, "down": -1, "none": None}
LONGEST_SHOWING = 4 * 3600  # seconds: a card left on screen longer is counted as this


@dataclass
class Change:
    key: str
    kind: str
    item_id: int | None = None
    value: str = ""
    base_version: int | None = None

    def digest(self, meeting_id: int) -> str:
        """What was sent under the key, as a sha256 of canonical JSON: the key's fingerprint."""
        content = {"meeting_id": meeting_id, "kind": self.kind, "item_id": self.item_id,
                   "value": self.value, "base_version": self.base_version}
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def _attendee_ids(meeting: Meeting):
    return select(meeting_attendees.c.buyer_id).where(
        meeting_attendees.c.meeting_id == meeting.id)


def start_meeting(meeting: Meeting) -> bool:
    """Record the start once; each buyer attending counts as having attended."""
    if meeting.started_at is not None:
        return False
    meeting.started_at = datetime.now(UTC)
    activity.record_for_each(_attendee_ids(meeting), EventKind.MEETING_ATTENDED,
                             meeting_id=meeting.id)
    db.session.flush()
    return True


def _item(meeting: Meeting, item_id: int | None) -> ListItem:
    item = db.session.scalar(select(ListItem).where(ListItem.id == (item_id or 0),
                                                    ListItem.list_id == meeting.list_id))
    if item is None:
        raise DomainError("That programme is no longer on the meeting's list.")
    return item


def _mark_interest(meeting: Meeting, item: ListItem, value: str) -> dict:
    if value not in INTEREST:
        raise DomainError("Interest is up, down or none.")
    changed = INTEREST[value] != item.interest
    item.interest = INTEREST[value]
    if changed and item.interest is not None:  # a repeated tap marks nothing new
        activity.record_for_each(_attendee_ids(meeting), EventKind.INTEREST_MARKED,
                                 meeting_id=meeting.id, programme_id=item.programme_id,
                                 interest=item.interest)
    return {"interest": value}


def _record_shown(meeting: Meeting, item: ListItem, value: str) -> dict:
    """Present mode showed the item's card for `value` seconds: an event for each buyer."""
    try:
        seconds = int(value)
    except ValueError:
        raise DomainError("Seconds shown are a whole number.") from None
    if seconds < 1:
        raise DomainError("Seconds shown are at least 1.")
    seconds = min(seconds, LONGEST_SHOWING)
    activity.record_for_each(_attendee_ids(meeting), EventKind.PROGRAMME_SHOWN,
                             meeting_id=meeting.id, programme_id=item.programme_id,
                             seconds=seconds)
    return {"shown": seconds}


def _add_to_list(meeting: Meeting, programme_id: int | None, part: str) -> dict:
    """Add a programme, or with `part` "season:<id>" / "episode:<id>" one of its seasons or
    episodes, to the meeting's list."""
    programme = db.session.get(Programme, programme_id or 0)
    if programme is None:
        raise DomainError("That programme is no longer in the catalogue.")
    season = episode = None
    if part:
        kind, _, ident = part.partition(":")
        model = {"season": Season, "episode": Episode}.get(kind)
        found = db.session.get(model, int(ident)) if model and ident.isdigit() \
            and len(ident) < 10 else None
        if found is None:
            raise DomainError("That season or episode is no longer in the catalogue.")
        season, episode = (found, None) if kind == "season" else (None, found)
    item = add_item(meeting_list(meeting), programme, season=season, episode=episode)
    return {"item_id": item.id}


def _apply(meeting: Meeting, sender, change: Change) -> tuple[int, dict]:
    """Apply one change: (HTTP status, answer)."""
    if change.kind == "start":
        start_meeting(meeting)
        return 200, {"started": True}
    if change.kind == "interest":
        return 200, _mark_interest(meeting, _item(meeting, change.item_id), change.value)
    if change.kind == "screener":
        item = _item(meeting, change.item_id)
        item.include_screener = change.value == "on"
        return 200, {"screener": "on" if item.include_screener else "off"}
    if change.kind == "note":
        item = update_note(_item(meeting, change.item_id), change.value, change.base_version)
        return 200, {"version": item.note_version, "text": item.note}
    if change.kind == "meeting_notes":
        update_meeting_notes(meeting, change.value, change.base_version)
        return 200, {"version": meeting.meeting_notes_version, "text": meeting.meeting_notes}
    if change.kind == "add_item":
        return 200, _add_to_list(meeting, change.item_id, change.value)
    if change.kind == "reorder":  # the whole order: the same change twice gives one list
        programme_list = meeting_list(meeting)
        reorder_items(programme_list, parse_order(change.value))
        return 200, {"order": ",".join(str(i.id) for i in programme_list.items)}
    if change.kind == "shown":
        return 200, _record_shown(meeting, _item(meeting, change.item_id), change.value)
    if change.kind == "send_summary":
        # The host confirmed, on the device, sending before the meeting's start time.
        send = send_summary(meeting, sender, idempotency_key=change.key,
                            before_start=change.value == "before_start")
        return 200, {"sent_to": len(send.recipient_list), "note": sent_note(send, meeting)}
    raise DomainError("Unknown change.")


def _replay(done: AppliedChange, change: Change, digest: str) -> tuple[int, dict]:
    """The first delivery's answer, if this delivery is the same change. Changes kept before
    digests were recorded have none and are answered as before."""
    if done.digest is not None and done.digest != digest:
        # As the IETF Idempotency-Key draft (draft-ietf-httpapi-idempotency-key-header) has it:
        # a key reused with another payload is refused with 422, never answered as the first.
        return 422, {"error": "This change's key was already used for another change.",
                     "reason": "key_reused", "key": change.key}
    return done.status, {**json.loads(done.answer), "key": change.key}


def apply_change(meeting: Meeting, sender, change: Change) -> tuple[int, dict]:
    """Apply a change once, committing it with the record of its key and content; a replayed
    key gets the first answer if its content is the same, 422 if not. Conflicts answer 409
    with the current text and version. Every answer carries the change's key."""
    meeting_id, digest = meeting.id, change.digest(meeting.id)
    done = db.session.get(AppliedChange, change.key)
    if done is not None:
        return _replay(done, change, digest)
    try:
        if meeting.status == MeetingStatus.CANCELLED:
            raise DomainError("This meeting is cancelled.")
        status, answer = _apply(meeting, sender, change)
    except NoteConflict as conflict:
        db.session.rollback()
        status, answer = 409, {"conflict": str(conflict), "text": conflict.saved,
                               "version": conflict.version}
    except DomainError as error:
        db.session.rollback()
        status, answer = 422, {"error": str(error)}
    db.session.add(AppliedChange(key=change.key, meeting_id=meeting_id, digest=digest,
                                 status=status, answer=json.dumps(answer)))
    try:
        db.session.commit()
    except IntegrityError:  # the same key, delivered twice at once: the other one won
        db.session.rollback()
        return _replay(db.session.get(AppliedChange, change.key), change, digest)
    return status, {**answer, "key": change.key}
