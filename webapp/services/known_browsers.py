"""Browsers a user has signed in from: each carries a long-lived random cookie, kept here
as its SHA-256 per user, so a login from any other browser can be told to the user."""

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import select

from webapp.extensions import db
from webapp.mail.service import absolute_url, queue_email
from webapp.models import KnownBrowser, User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_browser_token() -> str:
    return secrets.token_urlsafe(32)


def recognise(user: User, token: str | None, browser: str = "", address: str = "",
              tell: bool = True) -> tuple[str, bool]:
    """Note that `user` signed in from the browser whose cookie holds `token`; return the
    token it should keep and whether the browser was new to this user (then emailed, if
    `tell`)."""
    now = datetime.now(UTC)
    if token and 20 <= len(token) <= 100:
        known = db.session.scalar(select(KnownBrowser).where(
            KnownBrowser.user_id == user.id, KnownBrowser.token_hash == _digest(token)))
        if known is not None:
            known.last_seen_at = now
            return token, False
    else:
        token = new_browser_token()
    db.session.add(KnownBrowser(user_id=user.id, token_hash=_digest(token), created_at=now,
                                last_seen_at=now))
    if not tell:
        return token, True
    queue_email(user.email, "new_browser", "A new sign-in to your Sales CMS account",
                person=user, when=now, browser=browser[:200], address=address,
                security_url=absolute_url("auth.security"),
                reset_url=absolute_url("auth.forgot_password"))
    return token, True
