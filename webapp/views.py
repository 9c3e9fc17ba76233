"""Helpers every blueprint's views share."""

from functools import wraps

from flask import abort, make_response, render_template
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block

from webapp.extensions import db, htmx


def is_htmx_request() -> bool:
    """An htmx request that wants a fragment (a history restore wants the whole page)."""
    return bool(htmx) and not htmx.history_restore_request


def render(template: str, block: str | None = None, status: int = 200, **context):
    """One template, two answers: the whole page, or its `block` for an htmx request."""
    if block and is_htmx_request():
        return render_block(template, block, **context), status
    return render_template(template, **context), status


def permission_required(permission):
    """Log-in required, then 403 unless the user's roles grant `permission`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def get_or_404(model, ident):
    item = db.session.get(model, ident)
    if item is None:
        abort(404)
    return item


# An email's HTML shown as received: no script, no requests out, framed by our pages only.
EMAIL_HTML_POLICY = ("sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                     "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")


def email_html_response(html: str):
    """An email's HTML part for a sandboxed iframe on one of our pages."""
    response = make_response(html)
    # Set here, these replace the app-wide headers (which forbid any framing) for this answer.
    response.headers["Content-Security-Policy"] = EMAIL_HTML_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
