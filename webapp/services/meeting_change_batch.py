"""Changes from the in-meeting view's outbox, sent in batches.

On trade-fair Wi-Fi each round trip costs a third of a second or more, so the device sends
the changes waiting in its outbox together. The batch is applied in the order sent, each
change on its own exactly as if it had come alone (`meeting_changes.apply_change`): its own
key, its own digest rule (the same key with the same content gets the stored answer, with
other content 422 key_reused), its own commit and its own answer. A change that fails does
not stop the ones after it, and a batch whose answer was lost is safe to send again.
"""

from webapp import access
from webapp.extensions import db
from webapp.models import Meeting
from webapp.services import DomainError
from webapp.services.meeting_changes import KINDS, Change, apply_change
from webapp.web.forms import database_id

MAX_CHANGES = 50
MAX_TEXT = 20000


def _optional_id(entry: dict, name: str) -> int | None:
    value = entry.get(name)
    if value is None or value == "":
        return None
    try:
        return database_id(value)
    except (TypeError, ValueError):
        raise DomainError(f"{name} is a whole number.") from None


def parse_change(entry) -> tuple[int, Change]:
    """One change of a batch, as the device sent it: (meeting id, change), or DomainError."""
    if not isinstance(entry, dict):
        raise DomainError("A change is an object.")
    key, kind, value = entry.get("key"), entry.get("kind"), entry.get("value", "")
    if not isinstance(key, str) or not 8 <= len(key.strip()) <= 64 or kind not in KINDS:
        raise DomainError("A change needs a key (8 to 64 characters) and a known kind.")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError("A change's value is text.")
    meeting_id = _optional_id(entry, "meeting")
    if meeting_id is None:
        raise DomainError("A change names its meeting.")
    return meeting_id, Change(key=key.strip(), kind=kind, item_id=_optional_id(entry, "item_id"),
                              value=value[:MAX_TEXT],
                              base_version=_optional_id(entry, "version"))


def _key_of(entry) -> str:
    key = entry.get("key") if isinstance(entry, dict) else None
    return key.strip() if isinstance(key, str) else ""


def apply_batch(user, entries: list) -> list[dict]:
    """Apply each change in order, as the meeting's host: one {key, status, answer} each."""
    answers = []
    for entry in entries:
        key = _key_of(entry)
        try:
            meeting_id, change = parse_change(entry)
        except DomainError as error:
            answers.append({"key": key, "status": 400, "answer": {"error": str(error), "key": key}})
            continue
        meeting = db.session.get(Meeting, meeting_id)
        if meeting is None or not access.may_run_meeting(user, meeting):
            answers.append({"key": key, "status": 404,
                            "answer": {"error": "No such meeting.", "key": key}})
            continue
        status, answer = apply_change(meeting, user, change)
        answers.append({"key": change.key, "status": status, "answer": answer})
    return answers
