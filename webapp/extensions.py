"""Extension objects, initialised by create_app."""

import re
import sqlite3
import time
from functools import lru_cache

from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from psycopg import ServerCursor
from psycopg.pq import TransactionStatus
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import Pool


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
limiter = Limiter(get_remote_address)
compress = Compress()

PREPARED_STATEMENTS = 500
# A pooled connection unused for this long is tested before it is handed out.
PING_AFTER_IDLE_SECONDS = 10


@event.listens_for(Engine, "connect")
def _configure_connection(dbapi_connection, _record):
    """SQLite ignores foreign keys (and their ON DELETE rules) unless asked per connection.
    Write-ahead logging lets readers carry on during a write, and with synchronous=NORMAL a
    commit no longer waits for the disk twice (a crash may lose the last commits, never
    corrupt the file).

    On PostgreSQL, just-in-time compilation is turned off: it costs tens of milliseconds
    on each large report statement and is meant for long analytic queries. Each connection
    keeps up to PREPARED_STATEMENTS statements prepared (psycopg's default is 100): a worker
    that serves every page runs more distinct statements than that, and with a smaller cache
    each would be pushed out before its next use and planned again every time."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
    elif type(dbapi_connection).__module__.startswith("psycopg"):
        dbapi_connection.prepared_max = PREPARED_STATEMENTS
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.commit()


@event.listens_for(Pool, "checkin")
def _note_checkin(_dbapi_connection, record):
    record.info["checked_in_at"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _test_after_idle(dbapi_connection, record, _proxy):
    """A connection that sat in the pool for a while is tested first: the database may have
    restarted or dropped it meanwhile. One that was in use a moment ago is handed out as it
    is, which spares a busy worker a round trip to the database on every request. If the
    test fails, the pool replaces the connection and the request carries on."""
    if time.monotonic() - record.info.get("checked_in_at", 0) < PING_AFTER_IDLE_SECONDS:
        return
    try:
        ping(dbapi_connection)
    except Exception as failure:
        raise DisconnectionError("the pooled connection is gone") from failure


def ping(dbapi_connection) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
    finally:
        cursor.close()
    dbapi_connection.rollback()


# Requests that only read end their transaction with COMMIT rather than ROLLBACK. Both end it
# alike when nothing was written, but psycopg forgets every prepared statement on a rollback,
# so ending each request with one would have PostgreSQL parse and plan every statement of
# every request afresh. (On PostgreSQL most such requests open no transaction at all, see
# begin_transactions_when_needed; a report's SET LOCAL does.)
WROTE = "wrote_in_transaction"
# Statements that leave nothing behind once the transaction ends, by COMMIT or by ROLLBACK.
READING = ("SELECT", "SHOW", "SET LOCAL")


def begin_transactions_when_needed(app) -> None:
    """On PostgreSQL, the app's connections run in psycopg's autocommit mode, and a
    transaction begins (BEGIN) just before the first statement that needs one: one that
    writes, locks rows, sets something for the transaction or opens a server-side cursor.
    As SQLite's driver does, and for the same reason: a request that only reads is spared
    the round trips of BEGIN and COMMIT, two of the three of a page that reads one row.

    What a request reads before it writes is read alike either way: at PostgreSQL's READ
    COMMITTED level each statement sees what was committed when it started, in a transaction
    or not. From BEGIN on, everything runs in the transaction, committed or rolled back
    together as before; committing or rolling back with no transaction open costs nothing.
    An isolation level asked for, for the engine (SQLALCHEMY_ENGINE_OPTIONS) or for one
    connection (AUTOCOMMIT to VACUUM, say), is left to SQLAlchemy and psycopg."""
    if app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}).get("isolation_level"):
        return
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _in_autocommit_mode)
        event.listen(engine, "before_cursor_execute", _begin_when_needed)


def _in_autocommit_mode(dbapi_connection, _record):
    dbapi_connection.commit()
    dbapi_connection.autocommit = True


def _begin_when_needed(connection, cursor, statement, _parameters, _context, _executemany):
    dbapi_connection = cursor.connection
    if (dbapi_connection.autocommit
            and "isolation_level" not in connection.get_execution_options()
            and dbapi_connection.info.transaction_status == TransactionStatus.IDLE
            and (isinstance(cursor, ServerCursor) or needs_transaction(statement))):
        dbapi_connection.execute("BEGIN")


_LOCKS_ROWS = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b", re.I)
_WRITES = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.I)


@lru_cache(maxsize=4096)
def needs_transaction(statement: str) -> bool:
    """Whether `statement` must run in a transaction: anything but a plain query (SELECT,
    SHOW, or WITH ... SELECT without a data-changing part), and a query that locks rows."""
    head = statement.lstrip()[:6].upper()
    if head.startswith(("SELECT", "SHOW")):
        return bool(_LOCKS_ROWS.search(statement))
    if head.startswith("WITH"):
        return bool(_WRITES.search(statement) or _LOCKS_ROWS.search(statement))
    return True


@event.listens_for(Engine, "begin")
def _transaction_begins(connection):
    connection.info[WROTE] = False


@lru_cache(maxsize=4096)
def writes(statement: str) -> bool:
    """Whether `statement` may leave something behind (anything but READING)."""
    return not statement.lstrip()[:9].upper().startswith(READING)


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(connection, _cursor, statement, _parameters, _context, _executemany):
    if not connection.info.get(WROTE) and writes(statement):
        connection.info[WROTE] = True


def end_read_only_transaction(error=None) -> None:
    """At the end of a request (or any app context): commit a transaction that ran only
    SELECTs and holds no unsaved change. Anything else is left to Flask-SQLAlchemy's
    rollback. What the request loaded stays loaded: a streamed answer may still read it."""
    session = db.session()
    if (error is not None or not session.in_transaction()
            or session.new or session.dirty or session.deleted
            or session.connection().info.get(WROTE, True)):
        return
    commit_keeping_loaded()


def plan_for_the_values_given() -> None:
    """For the rest of the transaction, PostgreSQL plans each statement for the values it is
    given, never with a generic plan kept for its prepared statement: for reports, whose best
    plan depends on the dates and the scope asked for (a generic plan there ran 8 times
    slower). Elsewhere, nothing to do."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def commit_keeping_loaded() -> None:
    """Commit, leaving what the request has loaded as it was saved instead of expired: an
    answer drawn right after a save shows what was just written without reading it back."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
