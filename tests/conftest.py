"""Fixtures: a fresh database per test, on SQLite by default or on TEST_DATABASE_URL."""

import os
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import redis
from sqlalchemy import create_engine, event, inspect, make_url, select, text
from sqlalchemy.exc import OperationalError

from tests.smtp import SmtpServer
from webapp import create_app
from webapp.extensions import db, limiter
from webapp.services.roles import ensure_builtin_roles

IN_CI = bool(os.environ.get("CI"))

# Cheap argon2 work factors keep tests fast; the production defaults are tested separately.
FAST_HASHING = {
    "PASSWORD_HASH_TIME_COST": 1,
    "PASSWORD_HASH_MEMORY_KIB": 8,
    "PASSWORD_HASH_PARALLELISM": 1,
}


def _require_database(url: str) -> None:
    """PostgreSQL must answer: in CI its absence fails the run; locally it skips, loudly."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except OperationalError as error:
        message = f"TEST_DATABASE_URL={url} is unreachable: {error.orig}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(f"!!! SKIPPING THE WHOLE RUN: {message}")
    finally:
        engine.dispose()


# The local Redis, or TEST_REDIS_URL's.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def smtp():
    """A mail server on loopback (aiosmtpd) that keeps what it receives."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_client():
    """A client of TEST_REDIS_URL's Redis; unreachable, the test fails in CI and skips,
    loudly, on a developer's machine."""
    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as error:
        message = f"TEST_REDIS_URL={TEST_REDIS_URL} is unreachable: {error}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(f"!!! REDIS TEST NOT RUN: {message}")
    yield client
    client.close()


def _worker_database(url: str, worker: str) -> str:
    """A database of its own for each pytest-xdist worker: `<name>_<worker>`, created once."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(text("select 1 from pg_database where datname = :name"),
                                       {"name": name})
            if not exists:
                connection.execute(text(f'create database "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _require_database(url)
        return url if worker_id == "master" else _worker_database(url, worker_id)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def make_app(database_url, **overrides):
    engine_options = {}
    if database_url.startswith("postgresql"):
        # Tests need no durability; skipping the flush to disk on commit saves most of their time.
        engine_options["connect_args"] = {"options": "-c synchronous_commit=off"}
    config = {
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "cms.test",
        **FAST_HASHING,
        **overrides,
    }
    app = create_app(config)
    _MADE_APPS.append(app)
    return app


# Every app a test made, kept until the end of the session and then its connections closed:
# an app dropped earlier would leave its pooled connections to the garbage collector, whose
# ResourceWarning lands on whichever test happens to be running.
_MADE_APPS: list = []


@pytest.fixture(scope="session", autouse=True)
def _close_made_apps():
    yield
    for app in _MADE_APPS:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def _schema(database_url):
    app = make_app(database_url)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def table_rows() -> dict:
    """Every row of every table that has any, by table, in the order rows can go in: tables
    after those they refer to, rows by primary key (a row referring to one of its own table,
    a buyer to their Account Manager, after it)."""
    with db.engine.connect() as connection:
        return {table: rows for table in db.metadata.sorted_tables
                if (rows := [row._asdict() for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns))])}


def put_back(rows: dict) -> None:
    """Empty every table, then insert `rows` (from table_rows): one INSERT per table."""
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        # Every table in one round trip (DELETE beats TRUNCATE on a test's few rows).
        db.session.connection().exec_driver_sql(
            "; ".join(f'DELETE FROM "{table.name}"' for table in tables))
    else:
        for table in tables:
            db.session.execute(table.delete())
    for table, inserted in rows.items():
        db.session.execute(table.insert(), inserted)
    db.session.commit()


@pytest.fixture
def app_config():
    """Overrides for the test's app; a test module can redefine this fixture."""
    return {}


# Settings the app reads when it uses them, not when it is built: a test's own values of
# these are set on a shared app for that test only (and put back by _as_new).
READ_WHEN_USED = frozenset({
    "UPLOAD_FOLDER", "WTF_CSRF_ENABLED", "PUBLIC_BASE_URL", "MAIL_SMTP_HOST",
    "MAIL_SMTP_PORT", "MAIL_SMTP_SECURITY", "MAIL_SMTP_TIMEOUT", "MAIL_MAX_ATTEMPTS",
    "USERS_PER_PAGE", "SESSION_IDLE_MINUTES", "SESSION_LIFETIME_HOURS", "WEBAUTHN_RP_ID",
    "WEBAUTHN_ORIGIN",
})
# A setting read when the app is built, for whose values apps are shared: one per value.
SHARED_PER_VALUE = frozenset({"RATELIMIT_ENABLED"})

# The apps of this worker, by database, twin (for `ctx`) and SHARED_PER_VALUE settings.
_SHARED_APPS: dict[tuple, object] = {}


def _shared(app_config) -> bool:
    return app_config.keys() <= READ_WHEN_USED | SHARED_PER_VALUE


def _app_for(database_url, app_config, twin=False):
    """The test's app: for a configuration _shared() allows, one shared by every such test
    of this worker (building an app is about 50 ms, a quarter of a short test's time);
    otherwise a new one, disposed of by the caller."""
    if not _shared(app_config):
        return make_app(database_url, **app_config)
    built_with = tuple(sorted((key, value) for key, value in app_config.items()
                              if key in SHARED_PER_VALUE))
    key = (database_url, twin, built_with)
    if key not in _SHARED_APPS:
        app = _SHARED_APPS[key] = make_app(database_url, **dict(built_with))
        # Flask-Limiter keeps the storage of the app it last set up on its one object.
        app.extensions["limiter_under_test"] = (limiter._storage, limiter._limiter,
                                                limiter.enabled)
    return _SHARED_APPS[key]


@contextmanager
def _as_new(app, app_config):
    """Run a test on `app` as on a new one built with `app_config`: its limits counted from
    nothing, and settings and extensions the test changed put back afterwards."""
    if "limiter_under_test" in app.extensions:
        limiter._storage, limiter._limiter, limiter.enabled = \
            app.extensions["limiter_under_test"]
        limiter._storage_dead = False
        limiter.reset()
    config, extensions = dict(app.config), dict(app.extensions)
    app.config.update(app_config)
    try:
        yield app
    finally:
        app.config.clear()
        app.config.update(config)
        app.extensions.clear()
        app.extensions.update(extensions)


# What kept() made, per name and database: its rows, and what it handed back.
_KEPT: dict[tuple[str, str], tuple[dict, object]] = {}


@dataclass(frozen=True)
class _Loaded:
    """An ORM object handed back by kept(): its class and primary key."""
    model: type
    identity: tuple


def _as_refs(made):
    if isinstance(made, dict):
        return {key: _as_refs(value) for key, value in made.items()}
    if isinstance(made, db.Model):
        return _Loaded(type(made), inspect(made).identity)
    return made


def _loaded(made):
    if isinstance(made, dict):
        return {key: _loaded(value) for key, value in made.items()}
    if isinstance(made, _Loaded):
        return db.session.get(made.model, made.identity)
    return made


def kept(name: str, database_url: str, build):
    """What build() makes in the database (in an app context), made by this worker's first
    test that asks for it and put back from its rows for the next (one INSERT per table).
    The ORM objects in the dicts it returns come back loaded afresh, in this session."""
    if (name, database_url) in _KEPT:
        rows, made = _KEPT[name, database_url]
        put_back(rows)
        return _loaded(made)
    made = build()
    _KEPT[name, database_url] = (table_rows(), _as_refs(made))
    return made


def _builtin_roles() -> None:
    ensure_builtin_roles()
    db.session.commit()


@pytest.fixture
def app(database_url, _schema, app_config):
    app = _app_for(database_url, app_config)
    with _as_new(app, app_config):
        with app.app_context():
            # Every test starts from the built-in roles alone (making them again each time
            # took a third of a short test's own time).
            kept("built-in roles", database_url, _builtin_roles)
        yield app
        with app.app_context():
            db.session.rollback()
            if not _shared(app_config):
                db.engine.dispose()


def _seed_demo(app) -> None:
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Demo data loaded" in result.output


@pytest.fixture
def demo_data(app, database_url):
    """The demo distributor, as `flask seed-demo` loads it (which takes 2 to 6 seconds)."""
    with app.app_context():
        kept("demo", database_url, lambda: _seed_demo(app))


@pytest.fixture
def ctx(app, database_url, app_config):
    """An application context for the test body (factories and queries need one).

    It belongs to a twin of `app` on the same database: the test client's requests then
    push contexts of their own, with their own `g` and database session, as in production,
    instead of sharing the test's.
    """
    twin = _app_for(database_url, app_config, twin=True)
    with _as_new(twin, app_config), twin.app_context():
        yield
        db.session.remove()
        if not _shared(app_config):
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def statements(app):
    """The SQL statements the app's requests run."""
    with app.app_context():
        engine = db.engine
    seen = []

    def record(*args):
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def login(client):
    """login(user): make the test client's session belong to `user`."""

    def _login(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client

    return _login
