"""Signing in and out, and the lifecycle of a user's sessions."""

from datetime import UTC, datetime

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import User, UserStatus
from webapp.services import DomainError
from webapp.services.passwords import hash_password, needs_rehash, verify_password

LOGIN_REFUSED = "That email and password do not match an active account."


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User:
    """Return the user the credentials belong to, or raise DomainError.

    The message never says whether the email exists; only someone who knows the password
    learns that the account is pending, rejected or suspended.
    """
    user = find_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        raise DomainError(LOGIN_REFUSED)
    if user.is_suspended:
        raise DomainError("This account is suspended. Please contact your administrator.")
    if user.status == UserStatus.PENDING:
        raise DomainError("Your application is still being reviewed. We will email you "
                          "as soon as it is approved.")
    if user.status != UserStatus.ACTIVE:
        raise DomainError(LOGIN_REFUSED)
    return user


def record_login(user: User, password: str) -> None:
    user.last_login_at = datetime.now(UTC)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.session.commit()


def end_all_sessions(user: User) -> None:
    """Invalidate every session the user has, on every device."""
    user.session_version = (user.session_version or 0) + 1


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
