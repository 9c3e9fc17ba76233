"""Flask-Login wiring: how a session maps back to a user, and when a session ends."""

import logging
import time

from flask import current_app, request, session
from flask_login import current_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from webapp.audit import security_event
from webapp.extensions import db, login_manager
from webapp.models import Role, User

STARTED, LAST_SEEN = "_started", "_seen"
# Flask-Login's keys and ours: what a session holds for its signed-in user.
SIGNED_IN_KEYS = ("_user_id", "_fresh", "_id", STARTED, LAST_SEEN)
# The last-seen time is rewritten at most this often, not on every request.
LAST_SEEN_RESOLUTION = 60
# The signed-in user with their roles and the roles' grants (what every page's permission
# checks read), in one statement built once for every request: SQLAlchemy then works out
# its cache key once, not on each request.
SIGNED_IN_USER = (select(User).where(User.id == bindparam("user_id"))
                  .options(joinedload(User.roles).joinedload(Role.grants)))


@login_manager.user_loader
def load_user(session_id: str):
    """Accept a session only while the user is active and its version is current."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.execute(SIGNED_IN_USER, {"user_id": int(user_id)}).unique() \
        .scalar_one_or_none()
    if user is None or not user.is_active or user.session_version != int(version):
        _forget_ended_session(user)
        return None
    return user


def _forget_ended_session(user: User | None) -> None:
    """The user was suspended or signed out elsewhere: drop the session's sign-in, once."""
    reason = ("signed-out" if user is not None and user.is_active
              else "suspended" if user is not None and user.is_suspended else "inactive")
    security_event("session.ended", user, level=logging.WARNING, reason=reason)
    for key in SIGNED_IN_KEYS:
        session.pop(key, None)


def start_session() -> None:
    """Stamp a new sign-in: the idle and absolute lifetimes count from now."""
    session[STARTED] = session[LAST_SEEN] = int(time.time())


def _expiry_reason(now: int) -> str | None:
    config = current_app.config
    # A session from before these stamps existed starts counting now; only we sign cookies.
    started = session.setdefault(STARTED, now)
    last_seen = session.setdefault(LAST_SEEN, now)
    if now - started > config["SESSION_LIFETIME_HOURS"] * 3600:
        return "lifetime"
    if now - last_seen > config["SESSION_IDLE_MINUTES"] * 60:
        return "idle"
    return None


def init_app(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @app.before_request
    def end_expired_session():
        if request.endpoint == "static" or "_user_id" not in session:
            return
        now = int(time.time())
        reason = _expiry_reason(now)
        if reason:
            user_id = session["_user_id"].partition(":")[0]
            logout_user()
            for key in SIGNED_IN_KEYS:
                session.pop(key, None)
            security_event("session.expired", int(user_id) if user_id.isdigit() else None,
                           reason=reason)
        elif now - session[LAST_SEEN] >= LAST_SEEN_RESOLUTION:
            session[LAST_SEEN] = now

    @app.context_processor
    def inject_user():
        return {"current_user": current_user}
