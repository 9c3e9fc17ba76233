"""Response headers every answer carries, fragments and error pages included."""

from flask import abort, request
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from webapp.web.forms import DATABASE_INT_MAX

# Files whose content never changes under their name: browsers may keep them.
CACHEABLE_ENDPOINTS = {"static", "catalogue.media"}

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    # Screeners that are video files play in the in-meeting view's present mode, from this
    # site or from wherever the distributor hosts them (over HTTPS).
    "media-src 'self' https:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])

# Two years, the value browsers' preload lists ask for.
HSTS = "max-age=63072000; includeSubDomains"


class DatabaseId(IntegerConverter):
    """`<int:...>` in a URL: a number beyond the database's integers matches no route (404)
    instead of failing in the database."""

    def __init__(self, map, fixed_digits=0, min=None, max=DATABASE_INT_MAX, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


def init_app(app):
    # Before the blueprints add their rules: each rule looks its converters up when added.
    app.url_map.converters["int"] = DatabaseId

    @app.before_request
    def refuse_nul_characters():
        # No field of the product holds a NUL; PostgreSQL would refuse it with an error.
        for values in (request.args, request.form):
            if any("\x00" in value for value in values.values()):
                abort(400)

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        response.vary.add("HX-Request")
        if app.config["HTTPS"]:
            headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint in CACHEABLE_ENDPOINTS:
            headers.setdefault("Cache-Control", "private, max-age=86400")
        elif current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
        return response
