"""How a request's transaction ends: COMMIT when it only read (PostgreSQL then keeps its
prepared statements), a rollback of whatever it wrote and did not commit. On PostgreSQL a
transaction begins only at the first statement that needs one."""

import pytest
from flask import abort
from sqlalchemy import event, func, select, text

from tests import factories as f
from webapp.extensions import db, needs_transaction, plan_for_the_values_given
from webapp.models import Territory


def _transaction_status() -> str:
    """psycopg's view of the request's connection: IDLE (no transaction open) or INTRANS;
    "sqlite" on SQLite, whose driver begins transactions at the first write by itself."""
    dbapi_connection = db.session.connection().connection.dbapi_connection
    info = getattr(dbapi_connection, "info", None)
    return info.transaction_status.name if info is not None else "sqlite"


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
        plan_for_the_values_given()
        if db.session.get_bind().dialect.name == "postgresql":
            return db.session.scalar(text("SHOW plan_cache_mode"))
        return str(db.session.scalar(select(func.count()).select_from(Territory)))

    @app.route("/test/status-after/<step>")
    def status_after(step):
        territories = select(Territory).order_by(Territory.id)
        if step == "read":
            db.session.scalars(territories).all()
        elif step == "lock":
            db.session.scalars(territories.with_for_update()).all()
        elif step == "stream":
            db.session.scalars(territories.execution_options(yield_per=10)).all()
        elif step == "write":
            db.session.add(Territory(name="Written"))
            db.session.flush()
        return _transaction_status()

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


def test_a_request_that_only_reads_ends_with_a_commit(client, routes, endings):
    f.territory("Nordics")
    db.session.commit()
    endings.clear()

    assert client.get("/test/read").text == "1"
    assert endings == ["commit"]


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
    assert endings == ["commit"]
    if answer == "force_custom_plan":  # SET LOCAL: the next request plans as usual again
        with client.application.app_context():
            assert db.session.scalar(text("SHOW plan_cache_mode")) == "auto"


@pytest.mark.parametrize(("step", "status"), [
    ("read", "IDLE"), ("lock", "INTRANS"), ("stream", "INTRANS"), ("write", "INTRANS")])
def test_on_postgresql_a_transaction_begins_at_the_first_statement_that_needs_one(
        client, ctx, routes, step, status):
    f.territory("Nordics")
    db.session.commit()

    answer = client.get(f"/test/status-after/{step}").text

    assert answer in ("sqlite", status)


def test_writes_after_the_transaction_began_are_undone_together(client, ctx, routes):
    f.territory("Nordics")
    db.session.commit()

    assert client.get("/test/two-writes-then-fail").status_code == 400
    assert _names() == ["Nordics"]


@pytest.mark.parametrize(("statement", "needed"), [
    ("SELECT users.id, users.updated_at FROM users WHERE users.id = %(id)s", False),
    ("  select 1", False),
    ("SHOW plan_cache_mode", False),
    ("WITH scope AS (SELECT id FROM users) SELECT count(*) FROM scope", False),
    ("SELECT outbox.id FROM outbox LIMIT 1 FOR UPDATE SKIP LOCKED", True),
    ("SELECT id FROM meetings FOR NO KEY UPDATE", True),
    ("SELECT id FROM meetings FOR SHARE", True),
    ("WITH moved AS (UPDATE lists SET position = 1 RETURNING id) SELECT * FROM moved", True),
    ("INSERT INTO territories (name) VALUES (%(name)s)", True),
    ("UPDATE users SET last_login_at = now()", True),
    ("DELETE FROM sessions", True),
    ("SAVEPOINT sa_savepoint_1", True),
    ("SET LOCAL plan_cache_mode = force_custom_plan", True),
    ("CREATE TABLE t (id integer)", True),
])
def test_which_statements_need_a_transaction(statement, needed):
    assert needs_transaction(statement) is needed


def test_a_connection_asked_to_autocommit_runs_what_no_transaction_may_hold(app):
    with app.app_context(), db.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT") as connection:
        # Refused inside a transaction block; SQLite's VACUUM names no table.
        vacuum = "VACUUM" if connection.dialect.name == "sqlite" else "VACUUM territories"
        connection.execute(text(vacuum))
