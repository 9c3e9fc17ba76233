"""GET /healthz: what a load balancer or process supervisor asks before sending traffic."""

import logging

from flask import Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp.blueprints.health import bp
from webapp.extensions import db, limiter

log = logging.getLogger(__name__)


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """Plain "ok" while the database answers a trivial query; 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("Health check failed: the database did not answer: %s", error)
        return _plain("database unavailable\n", 503)
    return _plain("ok\n", 200)


def _plain(body: str, status: int) -> Response:
    # no-store: a cache between the checker and the server must never answer for it.
    return Response(body, status=status, mimetype="text/plain",
                    headers={"Cache-Control": "no-store"})
