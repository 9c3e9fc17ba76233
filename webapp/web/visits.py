"""Counting visits: a buyer's request after 30 minutes without one starts a new visit."""

import time

from flask import request, session
from flask_login import current_user

from webapp.models import EventKind
from webapp.services import activity

IDLE_SECONDS = 30 * 60
# The session remembers the last request to the minute: fresh enough, and it spares
# rewriting the session cookie on every request.
RESOLUTION_SECONDS = 60
SESSION_KEY = "activity_seen"


def count_visits():
    if request.endpoint in (None, "static") or not current_user.is_authenticated:
        return
    if not activity.is_tracked(current_user):
        return
    now = time.time()
    seen = session.get(SESSION_KEY)
    if not isinstance(seen, int | float) or now - seen > IDLE_SECONDS:
        activity.record_now(current_user, EventKind.VISIT)
        session[SESSION_KEY] = now
    elif now - seen > RESOLUTION_SECONDS:
        session[SESSION_KEY] = now


def init_app(app):
    app.before_request(count_visits)
