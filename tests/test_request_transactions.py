"""A request's transaction is SQLAlchemy's ordinary one: it begins at the request's first
statement, keeps what the request committed, and rolls back whatever it wrote and did not
commit when the request ends."""

import pytest
from flask import abort
from sqlalchemy import event, func, select, text

from tests import factories as f
from webapp.database import plan_for_the_values_given
from webapp.extensions import db
from webapp.models import Territory


@pytest.fixture
def app_config():
    """An app of these tests' own: they add routes to it."""
    return {"TESTING": True}


@pytest.fixture
def endings(app, ctx):
    """How the requests' transactions ended, in order (on the app's engine, not the test's)."""
    with app.app_context():
        engine = db.engine
    seen = []
    listeners = [("commit", lambda connection: seen.append("commit")),
                 ("rollback", lambda connection: seen.append("rollback"))]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    yield seen
    for name, listener in listeners:
        event.remove(engine, name, listener)


@pytest.fixture
def routes(app):
    """Routes of this test's app only (the authorization matrix builds its own app)."""

    @app.route("/test/read")
    def read():
        return str(db.session.scalar(select(func.count()).select_from(Territory)))

    @app.route("/test/write-then-fail")
    def write_then_fail():
        db.session.add(Territory(name="Written, never committed"))
        db.session.flush()
        abort(400)

    @app.route("/test/change-then-fail")
    def change_then_fail():
        db.session.scalar(select(Territory)).name = "Changed, never saved"
        abort(400)

    @app.route("/test/planned-for-the-values")
    def planned_for_the_values():
        plan_for_the_values_given(db.session)
        if db.session.get_bind().dialect.name == "postgresql":
            return db.session.scalar(text("SHOW plan_cache_mode"))
        return str(db.session.scalar(select(func.count()).select_from(Territory)))

    @app.route("/test/two-writes-then-fail")
    def two_writes_then_fail():
        db.session.scalar(select(Territory)).name = "Renamed first"
        db.session.flush()
        db.session.add(Territory(name="Added second"))
        db.session.flush()
        abort(400)

    @app.route("/test/write-and-commit")
    def write_and_commit():
        db.session.add(Territory(name="Committed"))
        db.session.commit()
        return "ok"


def _names():
    db.session.expire_all()
    return sorted(db.session.scalars(select(Territory.name)))


def test_what_a_failed_request_wrote_is_rolled_back(client, routes, endings):
    f.territory("Nordics")
    db.session.commit()
    endings.clear()

    assert client.get("/test/write-then-fail").status_code == 400
    assert endings == ["rollback"]
    assert _names() == ["Nordics"]


def test_an_unsaved_change_is_not_committed(client, routes, endings):
    f.territory("Nordics")
    db.session.commit()
    endings.clear()

    assert client.get("/test/change-then-fail").status_code == 400
    assert "commit" not in endings
    assert _names() == ["Nordics"]


def test_a_request_that_committed_its_writes_keeps_them(client, routes, endings):
    assert client.get("/test/write-and-commit").text == "ok"
    assert endings == ["commit"]
    assert _names() == ["Committed"]


def test_planning_for_the_values_given_lasts_the_request_and_writes_nothing(client, routes,
                                                                           endings):
    answer = client.get("/test/planned-for-the-values").text

    assert answer in ("force_custom_plan", "0")  # PostgreSQL's setting; SQLite's count
    assert "commit" not in endings
    if answer == "force_custom_plan":  # SET LOCAL: the next request plans as usual again
        with client.application.app_context():
            assert db.session.scalar(text("SHOW plan_cache_mode")) == "auto"


def test_writes_after_the_transaction_began_are_undone_together(client, ctx, routes):
    f.territory("Nordics")
    db.session.commit()

    assert client.get("/test/two-writes-then-fail").status_code == 400
    assert _names() == ["Nordics"]


def test_a_connection_asked_to_autocommit_runs_what_no_transaction_may_hold(app):
    with app.app_context(), db.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT") as connection:
        # Refused inside a transaction block; SQLite's VACUUM names no table.
        vacuum = "VACUUM" if connection.dialect.name == "sqlite" else "VACUUM territories"
        connection.execute(text(vacuum))
