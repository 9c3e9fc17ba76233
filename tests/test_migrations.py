"""The migrations build exactly the schema the models describe."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import make_app
from webapp.extensions import db
from webapp.models import EXPRESSION_INDEXES, comparable_in_autogenerate


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A brand-new, empty database of the same kind as the test database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_migrations_on_an_empty_database_match_the_models(empty_database_url):
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            include = comparable_in_autogenerate(connection.dialect.name)
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "include_object": include})
            differences = compare_metadata(context, db.metadata)
            postgresql = connection.dialect.name == "postgresql"
            indexes = set(connection.scalars(text("SELECT indexname FROM pg_indexes"))) \
                if postgresql else set()
        db.engine.dispose()
    assert differences == []
    if postgresql:  # the trigram indexes exist on PostgreSQL only
        assert EXPRESSION_INDEXES <= indexes
