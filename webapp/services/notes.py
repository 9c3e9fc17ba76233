"""Versioned texts: a list item's note and a meeting's notes, written on the website and in
the in-meeting view. Each save says which version it was based on; a text changed since then
is a conflict, answered with both texts, never overwritten."""

from dataclasses import dataclass

from webapp.services import DomainError
from webapp.services.row_locks import lock


@dataclass(frozen=True)
class VersionedText:
    """Where a record keeps a versioned text, and what a conflict over it says."""

    text: str  # the attribute holding the text
    version: str  # the attribute holding its version
    conflict: str  # the message of a conflict


ITEM_NOTE = VersionedText(
    "note", "note_version",
    "This note was changed by someone else while you were editing it.")
MEETING_NOTES = VersionedText(
    "meeting_notes", "meeting_notes_version",
    "These notes were changed by someone else while you were editing them.")


class NoteConflict(DomainError):
    """The text changed since the editor read it; nothing was saved. `saved` and `version`
    are the text as it now stands, `attempted` what the editor sent."""

    def __init__(self, message: str, saved: str, version: int, attempted: str):
        super().__init__(message)
        self.saved, self.version, self.attempted = saved, version, attempted


def save_if_current(record, kind: VersionedText, text: str,
                    based_on_version: int | None) -> bool:
    """Save `text` (stripped) as `record`'s `kind` of text, if `based_on_version` is the
    version now saved (None: whatever it is); else raise NoteConflict. The record is locked
    first, so of two saves based on one version at the same moment the second finds the
    first's and is a conflict. True if the text changed (and its version went up)."""
    lock(record)
    text = (text or "").strip()
    saved, version = getattr(record, kind.text), getattr(record, kind.version)
    if based_on_version is not None and based_on_version != version:
        raise NoteConflict(kind.conflict, saved=saved, version=version, attempted=text)
    if text == saved:
        return False
    setattr(record, kind.text, text)
    setattr(record, kind.version, version + 1)
    return True
