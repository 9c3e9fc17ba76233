"""Computed figures kept for a short while, so a report asked for again is not worked out again.

A value is fresh for FIGURE_CACHE_SECONDS after it was computed. Once it is older, the next
request for it computes it again: after its answer has been sent (at the close of the WSGI
response), answering with the older value, when the caller can compute the figures outside
the request; otherwise before answering. Meanwhile requests for the same figures get the
older value rather than each computing it too (a report costs a fraction of a second of a
core, and a busy report must not make every worker compute it at once). So a viewer waits
for figures worked out anew only on a first visit or when asking to recompute them. A value
nobody asks for is dropped after twice that time. The page says when its figures were
computed.

The store is Redis when REDIS_URL is set (shared by every worker and app server), otherwise
the worker's own memory. Values are plain data (numbers, dates, names, ids), never loaded
database objects. Redis being unreachable costs a recomputation, never an error page.
"""

import hashlib
import logging
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import redis
from flask import current_app, g, has_request_context

from webapp import answer_cache

log = logging.getLogger(__name__)
EXTENSION = "figure_cache"
KEPT_FIGURES = "kept figures"  # what answers showing kept figures read (webapp/answer_cache.py)
LOCAL_ENTRIES = 512  # values kept in a worker's memory, the oldest dropped first
REFRESH_CLAIM_SECONDS = 30  # a refresh whose worker died is taken over after this long
AFTER_THE_ANSWER = "figures_after_the_answer"  # g: refreshes to run once the answer is sent


class NotWanted(Exception):
    """Raised by a computation after the answer whose figures nobody may see any more (their
    viewer is gone, say): nothing is kept and nothing logged."""


class FigureCache:
    def __init__(self, seconds: float, redis_url: str = "", namespace: str = ""):
        self.seconds = seconds
        self.prefix = f"figures:{namespace}:"
        self.redis = (redis.Redis.from_url(redis_url, socket_timeout=0.25,
                                           socket_connect_timeout=0.25) if redis_url else None)
        self._local: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._refreshing: dict[str, float] = {}
        self._lock = threading.Lock()

    def get_or_compute(self, key: str, compute: Callable[[], Any], fresh: bool = False,
                       later: Callable[[str], None] | None = None) -> tuple[Any, datetime]:
        """(value, when it was computed): the value kept under `key` while it is fresh, or
        while another request is computing it again; otherwise (or when `fresh` asks for
        it) computed now and kept. Given `later`, an expired value is answered as it is
        and `later` is handed the key to `refresh` once the answer has been sent."""
        if self.seconds <= 0:
            return compute(), _now()
        answer_cache.note_read(KEPT_FIGURES)
        key = self.prefix + key
        claimed = False
        if not fresh:
            stored = self._read(key)
            if stored is not None:
                kept = pickle.loads(stored)
                if (_now() - kept[1]).total_seconds() < self.seconds:
                    return kept
                claimed = self._claim(key)
                if not claimed:
                    return kept
                if later is not None:
                    later(key)
                    return kept
        return self.refresh(key, compute, claimed)

    def refresh(self, key: str, compute: Callable[[], Any], claimed: bool = True
                ) -> tuple[Any, datetime]:
        """Compute the value of `key` (as get_or_compute handed it over) and keep it; then
        let go of the claim to compute it, if held, even when computing failed."""
        try:
            kept = (compute(), _now())
            self._write(key, pickle.dumps(kept, pickle.HIGHEST_PROTOCOL))
            answer_cache.changed(KEPT_FIGURES)
        finally:
            if claimed:
                self._release(key)
        return kept

    def _read(self, key: str) -> bytes | None:
        if self.redis is not None:
            try:
                return self.redis.get(key)
            except redis.RedisError as error:
                log.warning("figure cache unreachable, computing: %s", error)
                return None
        with self._lock:
            expires, stored = self._local.get(key, (0.0, b""))
            if expires > time.time():
                return stored
            self._local.pop(key, None)
            return None

    def _write(self, key: str, stored: bytes) -> None:
        kept_for = 2 * self.seconds
        if self.redis is not None:
            try:
                self.redis.set(key, stored, px=int(kept_for * 1000))
            except redis.RedisError as error:
                log.warning("figure cache unreachable, not kept: %s", error)
            return
        with self._lock:
            self._local[key] = (time.time() + kept_for, stored)
            self._local.move_to_end(key)
            while len(self._local) > LOCAL_ENTRIES:
                self._local.popitem(last=False)

    def _claim(self, key: str) -> bool:
        """Become the one request computing `key` again; False when another one is."""
        if self.redis is not None:
            try:
                return bool(self.redis.set(key + ":refreshing", 1, nx=True,
                                           ex=REFRESH_CLAIM_SECONDS))
            except redis.RedisError:
                return True
        with self._lock:
            if self._refreshing.get(key, 0.0) > time.time():
                return False
            self._refreshing[key] = time.time() + REFRESH_CLAIM_SECONDS
            return True

    def _release(self, key: str) -> None:
        if self.redis is not None:
            try:
                self.redis.delete(key + ":refreshing")
            except redis.RedisError:
                pass
            return
        with self._lock:
            self._refreshing.pop(key, None)


def _now() -> datetime:
    return datetime.fromtimestamp(time.time(), UTC)


def get_or_compute(key: str, compute: Callable[[], Any], fresh: bool = False,
                   compute_apart: Callable[[], Any] | None = None) -> tuple[Any, datetime]:
    """The current app's FigureCache.get_or_compute. `compute_apart` works the same figures
    out in an app context of its own, after the request (reading what it needs by id):
    given it, expired figures are answered as they are and computed again after the answer."""
    cache = current_app.extensions[EXTENSION]
    later = None
    if compute_apart is not None and has_request_context():
        def later(full_key: str) -> None:
            g.setdefault(AFTER_THE_ANSWER, []).append(
                partial(cache.refresh, full_key, compute_apart))
    return cache.get_or_compute(key, compute, fresh, later)


def _refresh_apart(app, refreshes: list[Callable[[], Any]]) -> None:
    """Run once the answer has been sent: no viewer waits for these any more, so a failure
    is logged, and the next request for the figures tries again."""
    for refresh in refreshes:
        with app.app_context():
            try:
                refresh()
            except NotWanted:
                pass
            except Exception:
                log.exception("figures not computed again after the answer")


def init_app(app):
    # Figures belong to a database: apps on different databases sharing a Redis keep apart.
    database = hashlib.sha256(app.config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()
    app.extensions[EXTENSION] = FigureCache(app.config["FIGURE_CACHE_SECONDS"],
                                            app.config["REDIS_URL"], database[:16])

    @app.after_request
    def refresh_after_the_answer(response):
        refreshes = g.pop(AFTER_THE_ANSWER, None)
        if refreshes:
            response.call_on_close(partial(_refresh_apart, app, refreshes))
            answer_cache.do_not_keep()  # it shows the figures about to be replaced
        return response
