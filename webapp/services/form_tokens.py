"""One-time form tokens for forms that create something, where no existing row can be
locked: the form carries a token, and acting on it stores the token in the same
transaction, so the same form sent twice acts once."""

import hashlib
import json
import re
import secrets
from collections.abc import Iterable

from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import FormToken, User
from webapp.services import DomainError
from webapp.times import as_utc

# What new_token() makes; anything else posted is no token at all.
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Fields that are no part of what a form says, and passwords, whose unsalted digest stored
# next to the rest of the form would be a password hash anyone could reverse by guessing.
NOT_CONTENT = {"form_token", "csrf_token", "password", "confirm"}


def _when(earlier: FormToken) -> str:
    by = earlier.used_by.full_name if earlier.used_by else "a former user"
    return f"by {by} ({as_utc(earlier.used_at):%d %b %Y, %H:%M} UTC)"


class AlreadySubmitted(DomainError):
    """The form was acted on already, as it is sent now; `earlier` says by whom, when, and
    where it led."""

    def __init__(self, earlier: FormToken):
        super().__init__(f"Already saved {_when(earlier)}.")
        self.earlier = earlier


class SentWithOtherContent(DomainError):
    """The form was acted on already, and is sent again changed (a page brought back and
    edited): not taken as the first sending, nor as a new one."""

    def __init__(self, earlier: FormToken):
        super().__init__(f"This form was saved already {_when(earlier)}, and what you sent "
                         "now differs: check it against what is saved and send it again.")
        self.earlier = earlier


def new_token() -> str:
    return secrets.token_urlsafe(24)


def digest(fields: Iterable[tuple[str, str]]) -> str:
    """What the form says, whatever the order of its fields, without the token itself."""
    content = sorted((name, value) for name, value in fields if name not in NOT_CONTENT)
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()


def use(token: str | None, by: User, fields: Iterable[tuple[str, str]]) -> FormToken | None:
    """Store the form's token as used, first of all that the request writes, with a digest
    of the form's `fields`. A token used before raises AlreadySubmitted, or
    SentWithOtherContent if the form now says something else; the session is then rolled
    back. A request sent with the same token at the same moment waits for this one's
    transaction: committed, it finds the token; rolled back (the form was refused), it goes
    ahead. Without a token (a client that sends none) there is nothing to check: None."""
    if not token or not TOKEN.fullmatch(token):
        return None
    used = FormToken(token=token, used_by=by, digest=digest(fields))
    db.session.add(used)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        earlier = db.session.get(FormToken, token)
        if earlier.digest != used.digest:
            raise SentWithOtherContent(earlier) from None
        raise AlreadySubmitted(earlier) from None
    return used
