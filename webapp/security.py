"""Response headers every answer carries, fragments and error pages included."""

from flask import abort, request
from flask_login import current_user

# Files whose content never changes under their name: browsers may keep them.
CACHEABLE_ENDPOINTS = {"static", "catalogue.media"}

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])


def init_app(app):
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
        if request.endpoint in CACHEABLE_ENDPOINTS:
            headers.setdefault("Cache-Control", "private, max-age=86400")
        elif current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
        return response
