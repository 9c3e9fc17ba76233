"""Computed figures kept for a short while, so a report asked for again is not worked out again.

Each value is kept for FIGURE_CACHE_SECONDS after it was computed, then computed afresh on
the next request: figures are at most that old, and the page says when they were computed.
The store is Redis when REDIS_URL is set (shared by every worker and app server), otherwise
the worker's own memory. Values are plain data (numbers, dates, ids, tuples), never loaded
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
from typing import Any

import redis
from flask import current_app

log = logging.getLogger(__name__)
EXTENSION = "figure_cache"
LOCAL_ENTRIES = 512  # values kept in a worker's memory, the oldest dropped first


class FigureCache:
    def __init__(self, seconds: float, redis_url: str = "", namespace: str = ""):
        self.seconds = seconds
        self.prefix = f"figures:{namespace}:"
        self.redis = (redis.Redis.from_url(redis_url, socket_timeout=0.25,
                                           socket_connect_timeout=0.25) if redis_url else None)
        self._local: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: str, compute: Callable[[], Any],
                       fresh: bool = False) -> tuple[Any, datetime]:
        """The value kept under `key` and when it was computed; computed and kept when
        there is none, it has expired, or `fresh` asks for it anew."""
        if self.seconds > 0 and not fresh:
            stored = self._read(self.prefix + key)
            if stored is not None:
                return pickle.loads(stored)
        kept = (compute(), datetime.now(UTC))
        if self.seconds > 0:
            self._write(self.prefix + key, pickle.dumps(kept, pickle.HIGHEST_PROTOCOL))
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
            if expires > time.monotonic():
                return stored
            self._local.pop(key, None)
            return None

    def _write(self, key: str, stored: bytes) -> None:
        if self.redis is not None:
            try:
                self.redis.set(key, stored, px=int(self.seconds * 1000))
            except redis.RedisError as error:
                log.warning("figure cache unreachable, not kept: %s", error)
            return
        with self._lock:
            self._local[key] = (time.monotonic() + self.seconds, stored)
            self._local.move_to_end(key)
            while len(self._local) > LOCAL_ENTRIES:
                self._local.popitem(last=False)


def get_or_compute(key: str, compute: Callable[[], Any], fresh: bool = False
                   ) -> tuple[Any, datetime]:
    """The current app's FigureCache.get_or_compute."""
    return current_app.extensions[EXTENSION].get_or_compute(key, compute, fresh)


def init_app(app):
    # Figures belong to a database: apps on different databases sharing a Redis keep apart.
    database = hashlib.sha256(app.config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()
    app.extensions[EXTENSION] = FigureCache(app.config["FIGURE_CACHE_SECONDS"],
                                            app.config["REDIS_URL"], database[:16])
