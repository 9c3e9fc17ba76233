"""The security log: authentication events, refused requests, and actions taken on someone
else's behalf (an SC scheduling, sharing or sending for an Account Manager), on the logger
"webapp.security".

Each record names the event, the user id, the client address and the route: the URL rule
(`/reset-password/<token>`), never the URL itself, so no token reaches the log. Passwords,
tokens and what a user typed are never logged.
"""

import logging
import time

from flask import has_request_context, request
from flask.logging import default_handler
from flask_login import current_user, user_unauthorized

log = logging.getLogger("webapp.security")

# Statuses a view answers when it refuses: 403 (no permission), 404 (not theirs or not there),
# 429 (throttled). 401 comes from Flask-Login's signal: an anonymous user sent to log in.
REFUSALS = {403, 404, 429}
# Throttled here, a request is a login attempt: the password, the second factor, a passkey.
LOGIN_STEPS = {"auth.login", "auth.second_step", "auth.enrol", "auth.passkey_login"}


def client_address() -> str:
    return (request.remote_addr or "-") if has_request_context() else "-"


def route() -> str:
    if not has_request_context():
        return "-"
    rule = request.url_rule
    return f"{request.method} {rule.rule if rule is not None else '(no route)'}"


def security_event(event: str, user=None, *, level: int = logging.INFO, **details) -> None:
    """Log `event` for `user` (default: the signed-in user) with the request's address and
    route; `details` are short values of our own (a status, a reason), never user input."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    user_id = getattr(user, "id", user)
    fields = {"user_id": user_id, "client_address": client_address(), "route": route(),
              **details}
    text = " ".join(f"{name}={value}" for name, value in details.items())
    log.log(level, "%s user=%s address=%s route=%s%s", event,
            "-" if user_id is None else user_id, fields["client_address"], fields["route"],
            f" {text}" if text else "", extra={"security_event": event, **fields})


def acting_event(event: str, actor, acting_for=None, **details) -> None:
    """An action on the record, naming whom it was for when that is someone else:
    "meeting.scheduled user=4 ... acting_for=1 meeting=12" (Sam Patel for Alice Morgan)."""
    if acting_for is not None and actor is not None and acting_for.id != actor.id:
        details = {"acting_for": acting_for.id, **details}
    security_event(event, actor, **details)


def _log_to_stderr() -> None:
    """Security events go to stderr (under gunicorn, beside its error log), timestamped in
    UTC, unless logging has been configured for this logger already."""
    if log.handlers:
        return
    handler = logging.StreamHandler()
    formatter = logging.Formatter("%(asctime)sZ %(levelname)s %(name)s %(message)s",
                                  datefmt="%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    # Records still propagate (to the root logger a deployment may configure), but Flask's
    # own stderr handler on the app's logger ("webapp") would write each one a second time.
    default_handler.addFilter(_not_the_security_log)


def _not_the_security_log(record: logging.LogRecord) -> bool:
    return record.name != log.name


def init_app(app):
    _log_to_stderr()

    @app.after_request
    def log_refused_request(response):
        status = response.status_code
        # A 404 for a URL that matches no route is a typo or a scanner, not a refusal.
        if status in REFUSALS and not (status == 404 and request.url_rule is None):
            event = "request.throttled" if status == 429 else "request.denied"
            if status == 429 and request.endpoint in LOGIN_STEPS:
                event = "login.throttled"
            security_event(event, level=logging.WARNING, status=status)
        return response

    @user_unauthorized.connect_via(app)
    def log_login_required(_app, **_extra):
        security_event("request.denied", level=logging.WARNING, status=401,
                       reason="login-required")
