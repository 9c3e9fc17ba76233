"""Error pages that look like the rest of the site."""

import logging

from flask import render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from webapp.audit import security_event
from webapp.extensions import db

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    403: ("Not allowed", "Your role does not give you access to this page."),
    404: ("Not found", "There is nothing here, or it is not yours to see."),
    405: ("Not allowed", "That action cannot be done this way."),
    413: ("Too large", "That file is too large to upload. Please send a smaller one."),
    429: ("Slow down", "Too many attempts in a short time. Please wait a little and try again."),
    500: ("Something went wrong", "The error has been logged. Please try again in a moment."),
}


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

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500)
