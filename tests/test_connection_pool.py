"""Pooled connections are tested before use: one that the database dropped (a restart, an
idle timeout) is replaced, and the request that drew it carries on."""

from sqlalchemy import text

from webapp.extensions import db


def test_a_pooled_connection_the_database_dropped_is_replaced(app, client):
    with app.app_context():
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            gone = connection.connection.dbapi_connection
        gone.close()  # as when the database restarts while the connection sits in the pool

    assert client.get("/healthz").status_code == 200
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("SELECT 4")).scalar() == 4
        assert connection.connection.dbapi_connection is not gone
