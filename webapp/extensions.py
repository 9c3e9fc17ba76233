"""Extension objects, initialised by create_app."""

import sqlite3

from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
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


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
limiter = Limiter(get_remote_address)
compress = Compress()


@event.listens_for(Engine, "connect")
def _configure_connection(dbapi_connection, _record):
    """SQLite ignores foreign keys (and their ON DELETE rules) unless asked per connection.
    Write-ahead logging lets readers carry on during a write, and with synchronous=NORMAL a
    commit no longer waits for the disk twice (a crash may lose the last commits, never
    corrupt the file).

    On PostgreSQL, just-in-time compilation is turned off: it costs tens of milliseconds
    on each large report statement and is meant for long analytic queries."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
    elif type(dbapi_connection).__module__.startswith("psycopg"):
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.commit()


def commit_keeping_loaded() -> None:
    """Commit, leaving what the request has loaded as it was saved instead of expired: an
    answer drawn right after a save shows what was just written without reading it back."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
