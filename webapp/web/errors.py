"""Error pages that look like the rest of the site."""

import logging

from flask import render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from webapp.audit import security_event
from webapp.extensions import db, login_manager
from webapp.services import distributor

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    403: ("Not allowed", "Your role does not give you access to this page."),
    404: ("Not found", "There is nothing here, or it is not yours to see."),
    405: ("Not allowed", "That action cannot be done this way."),
    413: ("Too large", "That file is too large to upload. Please send a smaller one."),
    429: ("Slow down", "Too many attempts in a short time. Please wait a little and try again."),
    500: ("Something went wrong", "The error has been logged. Please try again in a moment."),
    503: ("Briefly unavailable",
          "The service is briefly unavailable. Please try again shortly."),
}
# What a restarting database takes, about: the browser (and a proxy) may ask again then.
RETRY_AFTER_SECONDS = 15
# PostgreSQL's answers that mean it cannot take the connection: class 08 (connection
# exception), and shutting down, crashed, starting up.
UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03")
# SQLite's: the file busy, locked, missing or failing.
UNREACHABLE_SQLITE = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR")


def database_unreachable(error: DBAPIError) -> bool:
    """The database could not be reached, or dropped the connection (refused, restarting,
    shutting down), as opposed to refusing a statement of ours."""
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False
    if hasattr(error.orig, "sqlite_errorname"):
        return error.orig.sqlite_errorname.startswith(UNREACHABLE_SQLITE)
    state = getattr(error.orig, "sqlstate", None)  # None: the client found no server
    return state is None or state.startswith(UNREACHABLE_STATES)


def render_error(code: int, message: str | None = None):
    title, default = MESSAGES.get(code, ("Error", "Something went wrong."))
    return render_template("errors/error.html", code=code, title=title,
                           message=message or default), code


def init_app(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        security_event("request.denied", level=logging.WARNING, status=400, reason="csrf")
        return render_error(400, "Your form expired or was sent from elsewhere. "
                                 "Reload the page and try again; nothing was changed.")

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code not in MESSAGES:
            return error
        body, code = render_error(error.code)
        allowed = getattr(error, "valid_methods", None)
        return body, code, {"Allow": ", ".join(allowed)} if allowed else {}

    @app.errorhandler(DBAPIError)
    def database_error(error):
        if not database_unreachable(error):
            raise error  # a fault of ours: the 500 page, logged with its traceback
        log.error("The database is unreachable: %s: %s", type(error.orig).__name__,
                  str(error.orig).strip())
        return _unavailable()

    @app.errorhandler(PoolTimeoutError)
    def no_free_connection(error):
        log.error("No database connection came free: %s", error)
        return _unavailable()

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500)


def _unavailable():
    """The 503 page, drawn without the database. The rest of this request (the page's user
    menu, the response's hooks) takes the visitor for anonymous, so nothing asks for the
    signed-in user's row again; the session is left as it is, signed in once the database
    is back."""
    login_manager._update_request_context_with_user()  # Flask-Login's: anonymous, here only
    distributor.without_database()
    title, message = MESSAGES[503]
    body = render_template("errors/error.html", code=503, title=title, message=message)
    return body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
