"""Pooled connections: tested before use only after sitting idle, replaced when gone."""

import pytest
from sqlalchemy import text

from webapp import extensions
from webapp.extensions import db


@pytest.fixture
def pings(ctx, monkeypatch):
    seen = []
    real = extensions.ping

    def counted(dbapi_connection):
        seen.append(dbapi_connection)
        real(dbapi_connection)

    monkeypatch.setattr(extensions, "ping", counted)
    return seen


def _pooled_record():
    """The pool's record of the connection the next checkout gets (after one round trip)."""
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        return connection.connection._connection_record


def test_a_connection_in_use_a_moment_ago_is_handed_out_untested(pings):
    _pooled_record()
    pings.clear()

    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT 2")).scalar() == 2
    assert pings == []


def test_an_idle_connection_is_tested_first(pings):
    record = _pooled_record()
    record.info["checked_in_at"] -= extensions.PING_AFTER_IDLE_SECONDS + 1
    pings.clear()

    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT 3")).scalar() == 3
    assert len(pings) == 1


def test_an_idle_connection_that_is_gone_is_replaced(pings):
    record = _pooled_record()
    gone = record.dbapi_connection
    gone.close()  # as when the database restarts while the connection sits in the pool
    record.info["checked_in_at"] -= extensions.PING_AFTER_IDLE_SECONDS + 1

    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT 4")).scalar() == 4
        assert connection.connection.dbapi_connection is not gone
    assert pings[0] is gone
