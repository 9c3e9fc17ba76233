"""Pages and fragments kept for their viewer, and sent again while nothing they show changed.

A signed-in user's GET that answered 200 with HTML, set no cookie and wrote nothing is kept
under a key made of the request's cookies, its URL and the headers the answer depends on
(HX-Request, HX-History-Restore-Request, Accept-Encoding, the host and scheme). The same
request again is answered with the kept bytes, before Flask, the session or the database
are involved.

What makes a kept answer stale is a change to what it read. Every table has a version,
bumped once a connection that wrote to it goes back to the pool (so after its transaction
ended); a request notes the tables its SQL statements name, and its answer is kept with the
versions they had before it ran. The answer is sent again only while each of those tables
is at that version. The tables are found by name in each statement's text, subqueries
included; a word that merely looks like a table's name costs a needless recomputation, never
a stale answer. An answer also depends on the clock (today's meetings, a session's idle
time): it is kept at most ANSWER_CACHE_SECONDS, and never past the moment its session ends
or is due to have its last-seen time rewritten, after which the next request takes the
ordinary way and is kept again.

The versions and answers live in Redis when REDIS_URL is set, shared by every worker and
app server. Without Redis, answers are kept only if ANSWER_CACHE_LOCAL says the app runs in
one process (the development server, the tests): one worker's memory cannot see another's
writes. Redis being unreachable costs the ordinary way, never an error page.
"""

import hashlib
import logging
import pickle
import re
import secrets
import threading
import time
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import redis
from flask import current_app, has_app_context, request
from flask_login import current_user
from sqlalchemy import event

from webapp.auth_session import session_unchanged_until
from webapp.extensions import db, writes

log = logging.getLogger(__name__)
EXTENSION = "answer_cache"
NOT_KEPT = "answer_cache.not_kept"  # environ: this answer must not be kept
UNTIL = "answer_cache.until"  # environ: when a kept copy of this answer stops being good
WRITTEN = "answer_cache.written"  # a pooled connection's info: tables written, to bump
EPOCH = "epoch"  # among the versions: set anew whenever the versions were lost
APP_FILES = Path(__file__).parent
LOCAL_ENTRIES = 1024  # answers kept in one process's memory, the oldest dropped first
LARGEST = 256 * 1024  # bytes: a larger answer is not kept
# What answers vary by, besides the cookies and the URL: how the page is asked for, how it
# may be compressed, and what links to the site itself are made of.
VARIES_BY = ("HTTP_HX_REQUEST", "HTTP_HX_HISTORY_RESTORE_REQUEST", "HTTP_ACCEPT_ENCODING",
             "HTTP_HOST", "wsgi.url_scheme", "HTTP_X_FORWARDED_PROTO")


def note_read(source: str) -> None:
    """The answer being made shows something kept outside the database (named `source`):
    it is stale once `changed(source)` is called."""
    if _recording.reads is not None:
        _recording.reads.add(source)


def changed(source: str) -> None:
    """What is kept under `source` has just changed (see note_read)."""
    cache = current_app.extensions.get(EXTENSION) if has_app_context() else None
    if cache is not None:
        cache.bump({source})


def do_not_keep() -> None:
    """The answer being made must be made afresh next time (it shows figures about to be
    worked out again, say)."""
    request.environ[NOT_KEPT] = True


class _Recording(threading.local):
    """What the statements of the request running in this thread named."""

    reads: set[str] | None = None
    wrote = False


_recording = _Recording()
_local_stores: dict[str, "LocalStore"] = {}  # database URL -> its store in this process


class Kept:
    """An answer as it was sent, with the versions of the tables it read."""

    __slots__ = ("status", "headers", "body", "versions", "until")

    def __init__(self, status, headers, body, versions, until):
        self.status, self.headers, self.body = status, headers, body
        self.versions, self.until = versions, until

    def still_good(self, versions: dict[str, int], now: float) -> bool:
        return now < self.until and all(versions.get(table, 0) == version
                                        for table, version in self.versions.items())


class LocalStore:
    """Versions and answers in this process's memory, shared by its apps on one database."""

    def __init__(self):
        self._versions: dict[str, int] = {}
        self._answers: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def lookup(self, key: str) -> tuple[dict[str, int], bytes | None]:
        with self._lock:
            stored = self._answers.get(key)
            if stored is not None:
                self._answers.move_to_end(key)
            return dict(self._versions), stored

    def keep(self, key: str, stored: bytes, seconds: float) -> None:
        with self._lock:
            self._answers[key] = stored
            self._answers.move_to_end(key)
            while len(self._answers) > LOCAL_ENTRIES:
                self._answers.popitem(last=False)

    def bump(self, tables: set[str]) -> None:
        with self._lock:
            for table in tables:
                self._versions[table] = self._versions.get(table, 0) + 1


class RedisStore:
    """Versions in one hash per database, answers under keys of their own that expire with
    them. Answers are kept per release of the app (its files' digest): a new release never
    sends what the one before made, while the versions are one for every server."""

    def __init__(self, url: str, database: str):
        self.redis = redis.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)
        database = hashlib.sha256(database.encode()).hexdigest()[:16]
        self.versions_key = f"answers:{database}:versions"
        self.prefix = f"answers:{database}:{release()}:"

    def lookup(self, key: str) -> tuple[dict[str, int], bytes | None]:
        versions, stored = (self.redis.pipeline(transaction=False)
                            .hgetall(self.versions_key).get(self.prefix + key).execute())
        if EPOCH.encode() not in versions:
            # The versions are gone (Redis emptied or restarted): counted again from 0, they
            # could come back to the versions an answer was kept at. A new epoch, which every
            # answer kept from now on is kept at, tells them apart from those kept before.
            versions[EPOCH.encode()] = (
                self.redis.pipeline(transaction=False)
                .hsetnx(self.versions_key, EPOCH, secrets.randbits(48) + 1)
                .hget(self.versions_key, EPOCH).execute()[1])
        return {table.decode(): int(version) for table, version in versions.items()}, stored

    def keep(self, key: str, stored: bytes, seconds: float) -> None:
        self.redis.set(self.prefix + key, stored, px=max(1, int(seconds * 1000)))

    def bump(self, tables: set[str]) -> None:
        pipeline = self.redis.pipeline(transaction=False)
        for table in tables:
            pipeline.hincrby(self.versions_key, table, 1)
        pipeline.execute()


class AnswerCache:
    """The WSGI middleware: answers a kept request itself, and keeps what the app answers."""

    def __init__(self, wsgi_app, store):
        self.wsgi_app, self.store = wsgi_app, store
        self.hits = 0  # answers sent again, for the tests

    def bump(self, tables: set[str]) -> None:
        try:
            self.store.bump(tables)
        except redis.RedisError as error:
            log.error("Kept answers reading %s may be stale until they expire: %s",
                      sorted(tables), error)

    def __call__(self, environ, start_response):
        key = _key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        try:
            versions, stored = self.store.lookup(key)
        except redis.RedisError as error:
            log.warning("Kept answers unavailable: %s", error)
            return self.wsgi_app(environ, start_response)
        kept = _loaded(stored)
        if kept is not None and kept.still_good(versions, time.time()):
            self.hits += 1
            start_response(kept.status, kept.headers)
            return [kept.body]
        return self._answer_and_keep(key, versions, environ, start_response)

    def _answer_and_keep(self, key, versions, environ, start_response):
        sent = {}

        def note_start(status, headers, exc_info=None):
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info)

        _recording.reads, _recording.wrote = set(), False
        try:
            answer = self.wsgi_app(environ, note_start)
        finally:
            reads, wrote = _recording.reads, _recording.wrote
            _recording.reads = None
        if wrote or not _keepable(environ, sent):
            return answer
        body = b"".join(answer)
        kept = Kept(sent["status"], sent["headers"], body,
                    {table: versions.get(table, 0) for table in reads | {EPOCH}}, environ[UNTIL])
        try:
            self.store.keep(key, pickle.dumps(kept), kept.until - time.time())
        except redis.RedisError as error:
            log.warning("An answer could not be kept: %s", error)
        return _Sent(body, answer)


class _Sent:
    """The answer's body, read to keep it; closing it closes the app's answer (which runs
    what was to run once the answer was sent)."""

    def __init__(self, body: bytes, answer):
        self.body, self.answer = body, answer

    def __iter__(self):
        yield self.body

    def close(self):
        if hasattr(self.answer, "close"):
            self.answer.close()


def _loaded(stored: bytes | None) -> Kept | None:
    try:
        kept = pickle.loads(stored) if stored is not None else None
    except Exception as error:  # written by something else: made afresh and kept anew
        log.warning("A kept answer could not be read: %s", error)
        return None
    return kept if isinstance(kept, Kept) else None


@lru_cache(maxsize=1)
def release() -> str:
    """A digest of the app's files (code, templates, static files)."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(APP_FILES.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(APP_FILES)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _key(environ) -> str | None:
    if (environ["REQUEST_METHOD"] != "GET" or not environ.get("HTTP_COOKIE")
            or environ.get("HTTP_X_RECOMPUTE")):
        return None
    parts = [environ["HTTP_COOKIE"], environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
             environ.get("QUERY_STRING", "")]
    parts.extend(environ.get(header, "") for header in VARIES_BY)
    return hashlib.blake2b("\n".join(parts).encode("utf-8", "surrogateescape"),
                           digest_size=20).hexdigest()


def _keepable(environ, sent) -> bool:
    if (environ.get(NOT_KEPT) or UNTIL not in environ
            or not sent.get("status", "").startswith("200")):
        return False
    headers = {name.lower(): value for name, value in sent["headers"]}
    return ("set-cookie" not in headers
            and headers.get("content-type", "").startswith("text/html")
            and 0 < int(headers.get("content-length", 0) or 0) <= LARGEST)


def table_names() -> re.Pattern:
    """Any of the tables' names, as a word."""
    return re.compile(r"\b(" + "|".join(sorted(map(re.escape, db.metadata.tables), key=len,
                                               reverse=True)) + r")\b", re.I)


@lru_cache(maxsize=4096)
def _tables_named(statement: str, names: re.Pattern) -> frozenset[str]:
    return frozenset(match.lower() for match in names.findall(statement))


def init_app(app):
    if app.config["ANSWER_CACHE_SECONDS"] <= 0:
        return
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    if app.config["REDIS_URL"]:
        store = RedisStore(app.config["REDIS_URL"], database)
    elif app.config["ANSWER_CACHE_LOCAL"]:
        store = _local_stores.setdefault(database, LocalStore())
    else:
        return
    cache = app.extensions[EXTENSION] = AnswerCache(app.wsgi_app, store)
    app.wsgi_app = cache
    names = table_names()
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def note_tables(connection, _cursor, statement, _parameters, _context, _executemany):
        tables = _tables_named(statement, names)
        if not tables:
            return
        if writes(statement):
            connection.info.setdefault(WRITTEN, set()).update(tables)
            _recording.wrote = True
        elif _recording.reads is not None:
            _recording.reads.update(tables)

    @event.listens_for(engine.pool, "checkin")
    def bump_written(_dbapi_connection, record):
        written = record.info.pop(WRITTEN, None) if record is not None else None
        if written:
            cache.bump(written)

    @app.after_request
    def note_until(response):
        if current_user.is_authenticated:
            request.environ[UNTIL] = min(time.time() + current_app.config[
                "ANSWER_CACHE_SECONDS"], session_unchanged_until())
        return response
