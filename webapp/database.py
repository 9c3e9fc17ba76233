"""The database's set-up: the constraint naming convention, and the settings each new
connection of the app's engine gets. Attached to the app's own engine by init_app, never to
SQLAlchemy's Engine or Pool classes, so other engines in the process (a benchmark's, a
migration's) are left as they are."""

import sqlite3

from sqlalchemy import MetaData, event, text
from sqlalchemy.orm import DeclarativeBase


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


def init_app(app, db) -> None:
    """Configure each new connection of the app's engine. Pooled connections are tested
    before use (pool_pre_ping), so a database restarted under load costs one failed check,
    not a failed request."""
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    options.setdefault("pool_pre_ping", True)
    db.init_app(app)
    with app.app_context():
        event.listen(db.engine, "connect", _configure_connection)


def _configure_connection(dbapi_connection, _record) -> None:
    """SQLite ignores foreign keys (and their ON DELETE rules) unless asked per connection;
    write-ahead logging lets readers carry on during a write, and with synchronous=NORMAL a
    commit waits for the disk once rather than twice (a crash may lose the last commits,
    never corrupt the file).

    On PostgreSQL, just-in-time compilation is turned off: it cost tens of milliseconds on
    each large report statement (bench.reporting) and is meant for
    long analytic queries."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
    elif type(dbapi_connection).__module__.startswith("psycopg"):
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.commit()


def plan_for_the_values_given(session) -> None:
    """For the rest of the transaction, PostgreSQL plans each statement for the values it is
    given, never with a generic plan kept for its prepared statement: for reports, whose best
    plan depends on the dates and the scope asked for (a generic plan ran the programme
    rankings 8 times slower, bench.reporting). Elsewhere, nothing to do."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
