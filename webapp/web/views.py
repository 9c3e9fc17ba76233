"""Helpers every blueprint's views share."""

import unicodedata
from collections.abc import Mapping
from functools import wraps
from urllib.parse import quote

from flask import abort, make_response, render_template
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block

from webapp.extensions import db, htmx
from webapp.services import DomainError


def is_htmx_request() -> bool:
    """An htmx request that wants a fragment (a history restore wants the whole page)."""
    return bool(htmx) and not htmx.history_restore_request


def render(template: str, block: str | None = None, status: int = 200, **context):
    """One template, two answers: the whole page, or its `block` for an htmx request."""
    if block and is_htmx_request():
        return render_block(template, block, **context), status
    return render_template(template, **context), status


def refused(error: DomainError, form=None, field: str | None = None,
            fields: Mapping[str, str] | None = None) -> str:
    """A service refused what the request asked: undo what the request changed, and put each
    problem on `form`, on the field at fault (the service's field names, or `fields`'
    translation of them where the form's differ), else on `field`, else on the form as a
    whole. Returns the message, for an answer that shows it elsewhere (a flash, a block)."""
    db.session.rollback()
    if form is not None:
        for problem in error.problems:
            name = (fields or {}).get(problem.field, problem.field)
            name = name if name and name in form else field
            if name is None:
                form.form_errors.append(str(problem))
            else:  # a field never validated still has WTForms' empty tuple
                form[name].errors = [*form[name].errors, str(problem)]
    return str(error)


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


def attachment(filename: str) -> dict[str, str]:
    """The Content-Disposition header of a download named `filename` (RFC 6266): an ASCII
    name for every client, and the name as it is, UTF-8 encoded, for those that read it. A
    header value outside Latin-1 would fail in the WSGI server."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = "".join(c if c.isalnum() or c in ".-_" else "-" for c in ascii_name)
    value = f'attachment; filename="{ascii_name.strip("-") or "download"}"'
    if ascii_name != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return {"Content-Disposition": value}
