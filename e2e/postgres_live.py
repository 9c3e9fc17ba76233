"""A live server on a PostgreSQL database of its own, loaded with the demo data, for the
end-to-end tests that must hold on PostgreSQL as in production (its isolation and locking,
not SQLite's one writer at a time).

The database, `<name>_<worker>`, sits next to the one TEST_DATABASE_URL names (by default the
local server's `postgres`); it is made afresh for the test and dropped after. PostgreSQL
unreachable fails the test when CI is set and skips it, loudly, otherwise.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from e2e.conftest import LiveServer, _ServerThread, app_config
from webapp import create_app
from webapp.extensions import db

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_URL
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except OperationalError as error:
        message = f"PostgreSQL at {url} is unreachable: {error.orig}"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(f"!!! POSTGRESQL END-TO-END TEST NOT RUN: {message} !!!")
    finally:
        engine.dispose()
    return url


def _recreate(admin_url: str, name: str, drop_only: bool = False) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if not drop_only:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


@contextmanager
def live_postgres_app(name: str) -> Iterator[LiveServer]:
    """The demo data in a fresh PostgreSQL database `<name>_<worker>`, served on a free port."""
    from webapp.demo import load_demo_data

    admin_url = _server_url()
    database = f"{name}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    _recreate(admin_url, database)
    url = make_url(admin_url).set(database=database).render_as_string(hide_password=False)
    app = create_app({
        **app_config(Path("unused.db")),
        "SQLALCHEMY_DATABASE_URI": url,
        # No durability needed; not waiting for the disk on each commit keeps the test quick.
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": "-c synchronous_commit=off"}},
    })
    with app.app_context():
        db.create_all()
        load_demo_data()
        db.session.remove()
    server = _ServerThread(app)
    live = LiveServer(url=f"http://127.0.0.1:{server.server.server_port}", app=app)
    app.config["PUBLIC_BASE_URL"] = live.url
    server.start()
    try:
        yield live
    finally:
        server.stop()
        app.extensions["jobs"].stop_in_process()
        with app.app_context():
            db.engine.dispose()
        _recreate(admin_url, database, drop_only=True)
