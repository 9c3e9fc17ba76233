"""GET /healthz: answers "ok" while the database does, 503 when it does not."""

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session


def test_health_check_answers_ok_in_plain_text_without_a_session_cookie(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "ok\n"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_health_check_answers_503_when_the_database_fails(client, monkeypatch):
    def failing_execute(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(Session, "execute", failing_execute)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.get_data(as_text=True) == "database unavailable\n"
    assert "Set-Cookie" not in response.headers


def test_health_check_is_not_rate_limited(client):
    statuses = {client.get("/healthz").status_code for _ in range(30)}

    assert statuses == {200}
    assert "X-RateLimit-Limit" not in client.get("/healthz").headers
