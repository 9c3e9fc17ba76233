"""Session idle timeout and absolute lifetime, logout clearing the browser's data, and the
production (HTTPS) cookie and transport settings."""

import time

import pytest
from flask import Flask

from tests import factories as f
from tests.conftest import make_app
from tests.sign_in import log_in
from webapp.config import load_config
from webapp.web.auth_session import LAST_SEEN, LAST_SEEN_RESOLUTION, STARTED


def post_login(client, email, password=f.PASSWORD):
    """The whole login: password, then the second factor the account asks for."""
    return log_in(client, email, password)


def shift_session(client, **ages_in_seconds):
    """Move the session's stamps into the past: started=..., seen=... seconds ago."""
    now = int(time.time())
    keys = {"started": STARTED, "seen": LAST_SEEN}
    with client.session_transaction() as session:
        for name, age in ages_in_seconds.items():
            session[keys[name]] = now - age


@pytest.fixture
def alice_client(app, ctx, client):
    f.account_manager(email="alice@example.com")
    assert post_login(client, "alice@example.com").status_code == 303
    return client


def test_login_stamps_the_start_and_last_activity_of_the_session(alice_client):
    with alice_client.session_transaction() as session:
        assert abs(session[STARTED] - time.time()) < 5
        assert session[LAST_SEEN] == session[STARTED]


def test_session_ends_after_an_hour_without_requests(alice_client):
    shift_session(alice_client, seen=60 * 60 + 5)
    response = alice_client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    with alice_client.session_transaction() as session:
        assert "_user_id" not in session
    assert alice_client.get("/").status_code == 302


def test_requests_keep_the_session_alive(alice_client):
    shift_session(alice_client, seen=50 * 60)
    assert alice_client.get("/").status_code == 200
    with alice_client.session_transaction() as session:
        assert time.time() - session[LAST_SEEN] < LAST_SEEN_RESOLUTION
    shift_session(alice_client, seen=50 * 60)  # another 50 minutes later: still in
    assert alice_client.get("/").status_code == 200


def test_session_ends_twelve_hours_after_login_however_active(alice_client):
    shift_session(alice_client, started=12 * 60 * 60 + 5, seen=10)
    assert alice_client.get("/").status_code == 302


class TestConfiguredLifetimes:
    @pytest.fixture
    def app_config(self):
        return {"SESSION_IDLE_MINUTES": 5, "SESSION_LIFETIME_HOURS": 1}

    def test_idle_timeout_is_configurable(self, alice_client):
        shift_session(alice_client, seen=4 * 60)
        assert alice_client.get("/").status_code == 200
        shift_session(alice_client, seen=5 * 60 + 5)
        assert alice_client.get("/").status_code == 302

    def test_absolute_lifetime_is_configurable(self, alice_client):
        shift_session(alice_client, started=60 * 60 + 5, seen=0)
        assert alice_client.get("/").status_code == 302


def test_lifetimes_are_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("SESSION_LIFETIME_HOURS", "8")
    monkeypatch.setenv("PASSWORD_RESET_MAX_AGE_MINUTES", "30")
    app = Flask(__name__, instance_path=str(tmp_path))
    load_config(app)
    assert app.config["SESSION_IDLE_MINUTES"] == 15
    assert app.config["SESSION_LIFETIME_HOURS"] == 8
    assert app.config["PASSWORD_RESET_MAX_AGE_MINUTES"] == 30


def test_logout_tells_the_browser_to_clear_the_sites_data(alice_client):
    response = alice_client.post("/logout")
    assert response.status_code == 303
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


class TestProduction:
    """HTTPS=1: HSTS, and Secure session cookies with the __Host- prefix."""

    @pytest.fixture
    def app_config(self):
        return {"HTTPS": True}

    def test_session_cookie_is_secure_host_prefixed_and_httponly(self, app, ctx):
        f.buyer(email="alice@example.com")
        client = app.test_client()
        response = client.post("/login", base_url="https://cms.test",
                               data={"email": "alice@example.com", "password": f.PASSWORD})
        assert response.status_code == 303
        cookies = response.headers.getlist("Set-Cookie")
        # The session, and the browser's own long-lived cookie (new sign-in emails).
        assert sorted(cookie.partition("=")[0] for cookie in cookies) == \
            ["__Host-browser", "__Host-session"]
        for cookie in cookies:
            for attribute in ("Secure", "HttpOnly", "Path=/", "SameSite=Lax"):
                assert attribute in cookie
            assert "Domain=" not in cookie
        assert client.get("/", base_url="https://cms.test").status_code == 200

    def test_every_answer_carries_hsts(self, client):
        for url in ("/login", "/no-such-page"):
            response = client.get(url, base_url="https://cms.test")
            assert response.headers["Strict-Transport-Security"] == \
                "max-age=63072000; includeSubDomains"

    def test_https_is_read_from_the_environment(self, monkeypatch, tmp_path):
        monkeypatch.setenv("HTTPS", "1")
        app = Flask(__name__, instance_path=str(tmp_path))
        load_config(app)
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
        assert app.config["REMEMBER_COOKIE_NAME"].startswith("__Host-")
        assert app.config["PREFERRED_URL_SCHEME"] == "https"


def test_local_http_has_no_hsts_and_a_plain_cookie(database_url, _schema):
    app = make_app(database_url)
    response = app.test_client().get("/login")
    assert "Strict-Transport-Security" not in response.headers
    assert app.config["SESSION_COOKIE_NAME"] == "session"
    assert not app.config["SESSION_COOKIE_SECURE"]
