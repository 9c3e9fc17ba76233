"""The distributor's logo and accent colour, for every page (the login page included)."""

from flask import Response, abort

from webapp.blueprints.main import bp
from webapp.services import distributor


@bp.route("/distributor/logo")
def distributor_logo():
    """The uploaded logo, as stored; its URL carries its version, so it may be kept a day."""
    row = distributor.settings_row()
    if row is None or not row.logo:
        abort(404)
    return Response(row.logo, mimetype=row.logo_type, headers={
        "Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"})


@bp.route("/distributor/theme.css")
def distributor_theme():
    """The accent colour as CSS custom properties (the CSP forbids inline styles)."""
    colour = distributor.current().accent_colour
    # Checked when saved; checked again, since it is written into a style sheet.
    css = (f":root {{ --brand: {colour}; }}\n"
           if distributor.HEX_COLOUR.fullmatch(colour) else "")
    return Response(css, mimetype="text/css", headers={"Cache-Control": "no-cache"})
