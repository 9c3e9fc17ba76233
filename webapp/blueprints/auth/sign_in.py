"""The signed-in state's glue: "password given, second factor not yet" and the end of a
login. Until a login completes the session holds no user: every page but the second step,
enrolment and logout answers as for a visitor (current_user is anonymous)."""

import time
from urllib.parse import urlsplit

from flask import current_app, redirect, request, session, url_for
from flask_login import current_user, login_user
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from webapp.audit import client_address, security_event
from webapp.extensions import db
from webapp.models import User
from webapp.services.accounts import record_login
from webapp.services.known_browsers import recognise
from webapp.services.second_factor import new_recovery_codes
from webapp.web.auth_session import start_session

PENDING, PENDING_AT, PENDING_NEXT = "_pending_user", "_pending_at", "_pending_next"
CHALLENGE = "_webauthn_challenge"
NEW_CODES = "_new_recovery_codes"
# The second step must follow the password within this time, or the login starts again.
PENDING_SECONDS = 10 * 60
BROWSER_COOKIE_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie


def begin_second_step(user: User, next_url: str) -> None:
    session.clear()  # a fresh session on every login
    session[PENDING] = user.get_id()
    session[PENDING_AT] = int(time.time())
    session[PENDING_NEXT] = next_url


def pending_user() -> User | None:
    """The user who gave their password in this session and has no second factor yet."""
    user_id, _, version = str(session.get(PENDING, "")).partition(":")
    started = session.get(PENDING_AT, 0)
    if current_user.is_authenticated or not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if (user is None or not user.is_active or user.session_version != int(version)
            or not isinstance(started, int) or time.time() - started > PENDING_SECONDS):
        return None
    return user


def complete_login(user: User, factor: str, show_new_codes: bool = False):
    """Sign `user` in: a fresh session, the browser noted (a new one is emailed about)."""
    next_url = session.get(PENDING_NEXT) or url_for("main.home")
    session.clear()
    login_user(user)
    start_session()
    # A first login ever is from a new browser by definition: nothing to tell.
    token, _ = recognise(user, request.cookies.get(browser_cookie()),
                         browser=request.user_agent.string, address=client_address(),
                         tell=user.last_login_at is not None)
    record_login(user)
    if show_new_codes:
        session[NEW_CODES] = new_recovery_codes(user)
        next_url = url_for("auth.recovery_codes", next=next_url)
    db.session.commit()
    security_event("login.success", user, factor=factor)
    response = redirect(next_url, code=303)
    response.set_cookie(browser_cookie(), token, max_age=BROWSER_COOKIE_AGE, httponly=True,
                        secure=current_app.config["HTTPS"], samesite="Lax")
    return response


def browser_cookie() -> str:
    return "__Host-browser" if current_app.config["HTTPS"] else "browser"


def relying_party() -> tuple[str, str]:
    """The WebAuthn relying party: its id (the domain) and the origin browsers report."""
    config = current_app.config
    origin = config["WEBAUTHN_ORIGIN"] or request.host_url.rstrip("/")
    return config["WEBAUTHN_RP_ID"] or urlsplit(origin).hostname or "", origin


def keep_challenge(challenge: bytes) -> None:
    session[CHALLENGE] = bytes_to_base64url(challenge)


def take_challenge() -> bytes:
    """The challenge of the last options given, once: a response is checked against it once."""
    try:
        return base64url_to_bytes(session.pop(CHALLENGE, ""))
    except (ValueError, TypeError):
        return b""
