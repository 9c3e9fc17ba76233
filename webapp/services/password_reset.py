"""Resetting a forgotten password with a link sent by email.

The link carries a token signed with the secret key that expires after
PASSWORD_RESET_MAX_AGE_MINUTES. It also carries a fingerprint of the user's password hash:
setting a password changes the hash, so a token works once, and a token sent before any
other password change is dead too.
"""

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from webapp.extensions import db
from webapp.mail.service import absolute_url, queue_email
from webapp.models import User
from webapp.services import DomainError, distributor
from webapp.services.accounts import find_by_email, replace_password

LINK_UNUSABLE = ("This link to reset your password has expired or has been used already. "
                 "Ask for a new one below.")
_SALT = "password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _fingerprint(user: User) -> str:
    # A digest rather than the hash itself: token payloads are signed, not encrypted.
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:32]


def reset_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "password": _fingerprint(user)})


def request_reset(email: str) -> None:
    """Email a reset link if `email` belongs to an account that may log in; else nothing.

    The caller answers the same either way, so the form never reveals who has an account.
    """
    user = find_by_email(email)
    if user is None or not user.is_active:
        return
    minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE_MINUTES"])
    queue_email(user.email, "password_reset",
                f"Reset your {distributor.current().name} password", person=user,
                reset_url=absolute_url("auth.reset_link", token=reset_token(user)),
                valid_minutes=minutes)


def user_for_token(token: str) -> User | None:
    """The user a reset token was made for, while it is unexpired, unused and they active."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE_MINUTES"] * 60
    try:
        data = _serializer().loads(token, max_age=max_age)
    except BadData:
        return None
    user_id = data.get("user") if isinstance(data, dict) else None
    if not isinstance(user_id, int):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(str(data.get("password")), _fingerprint(user)):
        return None
    return user


def reset_password(token: str, password: str) -> User:
    """Set the password a reset token allows; every session of the user ends."""
    user = user_for_token(token)
    if user is None:
        raise DomainError(LINK_UNUSABLE)
    replace_password(user, password)
    return user
