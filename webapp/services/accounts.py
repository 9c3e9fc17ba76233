"""Signing in and out, and the lifecycle of a user's sessions."""

from datetime import UTC, datetime

from sqlalchemy import select

from webapp.extensions import db
from webapp.mail.service import absolute_url, queue_email
from webapp.models import EventKind, User, UserStatus
from webapp.services import DomainError, activity, distributor
from webapp.services.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)

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


def accept_password(user: User, password: str) -> None:
    """The password was right: store it again under today's work factors if they rose."""
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()


def record_login(user: User) -> None:
    """The login is complete (the password, then any second factor)."""
    user.last_login_at = datetime.now(UTC)
    activity.record(user, EventKind.LOGIN)


def end_all_sessions(user: User) -> None:
    """Invalidate every session the user has, on every device."""
    user.session_version = (user.session_version or 0) + 1


def set_password(user: User, password: str) -> None:
    """Store `password` for the user, or raise DomainError if the policy refuses it."""
    problem = password_problem(password, email=user.email or "",
                               names=(user.first_name or "", user.last_name or ""))
    if problem:
        raise DomainError(problem, field="password")
    user.password_hash = hash_password(password)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """The user's own change: the current password is required; every session ends."""
    if not verify_password(user.password_hash, current_password):
        raise DomainError("That is not your current password.", field="current_password")
    replace_password(user, new_password)


def replace_password(user: User, password: str) -> None:
    """Set a new password, end every session of the user and tell them by email."""
    set_password(user, password)
    end_all_sessions(user)
    queue_email(user.email, "password_changed",
                f"Your {distributor.current().name} password was changed",
                person=user, reset_url=absolute_url("auth.forgot_password"))
