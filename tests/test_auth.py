"""Logging in and out, sessions, CSRF and password hashing."""

import re
import secrets

import pytest
from argon2 import extract_parameters
from argon2.low_level import Type
from flask import Flask
from limits import parse
from limits.storage import RedisStorage

from tests import factories as f
from tests.conftest import TEST_REDIS_URL, make_app
from tests.sign_in import finish_login, log_in
from webapp.config import load_config
from webapp.extensions import db, limiter
from webapp.models import UserStatus
from webapp.services.accounts import LOGIN_REFUSED
from webapp.services.passwords import hash_password


def post_login(client, email, password=f.PASSWORD, **kwargs):
    """The whole login: password, then the second factor the account asks for."""
    return log_in(client, email, password, **kwargs)


def test_active_user_logs_in_and_lands_on_the_start_page(app, client):
    with app.app_context():
        f.authenticator(f.account_manager(first_name="Alice", email="alice@example.com"))
    response = post_login(client, "Alice@Example.com ")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert "Welcome, Alice" in client.get("/").get_data(as_text=True)


def test_wrong_password_and_unknown_email_get_the_same_message(app, client):
    with app.app_context():
        f.account_manager(email="alice@example.com")
    wrong = post_login(client, "alice@example.com", "not the password")
    unknown = post_login(client, "nobody@example.com", "not the password")
    assert wrong.status_code == unknown.status_code == 422
    assert LOGIN_REFUSED in wrong.get_data(as_text=True)
    assert LOGIN_REFUSED in unknown.get_data(as_text=True)
    assert same_page(wrong).replace("alice", "nobody") == \
        same_page(unknown).replace("alice", "nobody")


def same_page(response) -> str:
    """The page without its CSRF tokens, which carry the second they were made in."""
    return re.sub(r'("X-CSRFToken": "|name="csrf_token" type="hidden" value="|'
                  r'name="csrf_token" value=")[^"]+', r"\1", response.get_data(as_text=True))


@pytest.mark.parametrize("fields, message", [
    ({"status": UserStatus.PENDING}, "still being reviewed"),
    ({"status": UserStatus.REJECTED}, LOGIN_REFUSED),
    ({"is_suspended": True}, "suspended"),
])
def test_inactive_accounts_cannot_log_in(app, client, fields, message):
    with app.app_context():
        f.buyer(email="ben@example.com", **fields)
    response = post_login(client, "ben@example.com")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_pending_status_is_only_revealed_with_the_right_password(app, client):
    with app.app_context():
        f.buyer(email="ben@example.com", status=UserStatus.PENDING)
    body = post_login(client, "ben@example.com", "wrong password").get_data(as_text=True)
    assert "reviewed" not in body and LOGIN_REFUSED in body


def test_empty_login_form_gets_field_messages(client):
    response = client.post("/login", data={})
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)


def test_login_starts_a_fresh_session(app, client):
    with app.app_context():
        f.account_manager(email="alice@example.com")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    post_login(client, "alice@example.com")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


def test_login_follows_only_local_next_urls(app, client):
    with app.app_context():
        f.authenticator(f.account_manager(email="alice@example.com"))
    response = finish_login(client, client.post("/login?next=https://evil.example/", data={
        "email": "alice@example.com", "password": f.PASSWORD}))
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = finish_login(client, client.post("/login?next=/profile", data={
        "email": "alice@example.com", "password": f.PASSWORD}))
    assert response.headers["Location"] == "/profile"


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logout_needs_a_post_and_ends_every_session(app, client):
    with app.app_context():
        f.account_manager(email="alice@example.com")
    other_device = app.test_client()
    post_login(client, "alice@example.com")
    post_login(other_device, "alice@example.com")
    assert client.get("/logout").status_code == 200  # a confirmation page, no state change
    assert client.get("/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 303
    assert client.get("/").status_code == 302
    assert other_device.get("/").status_code == 302


def test_suspending_a_user_ends_their_sessions(app, ctx, client, login):
    ben = f.buyer(email="ben@example.com")
    admin_client = app.test_client()
    post_login(admin_client, f.admin(email="ada@example.com").email)
    post_login(client, "ben@example.com")
    assert client.get("/").status_code == 200
    assert admin_client.post(f"/admin/users/{ben.id}/suspend").status_code == 303
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(app, client):
    with app.app_context():
        f.account_manager(email="alice@example.com")
    response = post_login(client, "alice@example.com")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_passwords_are_hashed_with_argon2id_at_the_configured_cost(database_url):
    production = make_app(database_url, PASSWORD_HASH_TIME_COST=2,
                          PASSWORD_HASH_MEMORY_KIB=19 * 1024, PASSWORD_HASH_PARALLELISM=1)
    with production.app_context():
        params = extract_parameters(hash_password("a long enough password"))
    assert params.type is Type.ID
    assert (params.time_cost, params.memory_cost, params.parallelism) == (2, 19 * 1024, 1)


def test_default_hashing_settings_meet_the_owasp_minimum(monkeypatch, tmp_path):
    from flask import Flask

    from webapp.config import load_config

    for name in ("PASSWORD_HASH_TIME_COST", "PASSWORD_HASH_MEMORY_KIB",
                 "PASSWORD_HASH_PARALLELISM"):
        monkeypatch.delenv(name, raising=False)
    app = Flask(__name__, instance_path=str(tmp_path))
    load_config(app)
    assert app.config["PASSWORD_HASH_TIME_COST"] >= 2
    assert app.config["PASSWORD_HASH_MEMORY_KIB"] >= 19 * 1024
    assert app.config["PASSWORD_HASH_PARALLELISM"] >= 1


def test_stored_hash_is_upgraded_on_login_when_settings_rise(app, ctx, client):
    alice = f.account_manager(email="alice@example.com")
    app.config["PASSWORD_HASH_TIME_COST"] = 3
    post_login(client, "alice@example.com")
    db.session.refresh(alice)
    assert extract_parameters(alice.password_hash).time_cost == 3


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_post_without_csrf_token_is_refused(self, app, client):
        with app.app_context():
            f.account_manager(email="alice@example.com")
        response = post_login(client, "alice@example.com")
        assert response.status_code == 400
        assert "form expired" in response.get_data(as_text=True)

    def test_htmx_post_carries_the_token_in_a_header(self, ctx, client, login):
        alice = f.account_manager(first_name="Alice")
        sam = f.sales_coordinator(first_name="Sam")
        ids = alice.id, sam.id
        login(f.admin())
        page = client.get("/").get_data(as_text=True)
        token = page.split('"X-CSRFToken": "')[1].split('"')[0]
        url = f"/admin/users/{ids[0]}/sales-coordinators"
        data = {"sales_coordinator_id": ids[1]}
        refused = client.post(url, data=data, headers={"HX-Request": "true"})
        assert refused.status_code == 400
        accepted = client.post(url, data=data, headers={"HX-Request": "true", "X-CSRFToken": token})
        assert accepted.status_code == 200
        assert "Sam" in accepted.get_data(as_text=True)


class TestLoginThrottling:
    @pytest.fixture
    def app_config(self):
        return {"LOGIN_FAILURES_PER_ACCOUNT": "3 per hour",
                "LOGIN_FAILURES_PER_ADDRESS": "5 per hour"}

    def test_failures_on_one_account_are_throttled_wherever_they_come_from(self, app, ctx):
        f.account_manager(email="alice@example.com")
        for n in range(3):
            client = app.test_client()
            response = client.post("/login", data={"email": "Alice@example.com",
                                                    "password": "wrong"},
                                   environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
            assert response.status_code == 422
        blocked = app.test_client().post("/login", data={
            "email": "alice@example.com", "password": f.PASSWORD},
            environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert blocked.status_code == 429
        assert "Too many attempts" in blocked.get_data(as_text=True)
        other = app.test_client().post("/login", data={"email": "bob@example.com",
                                                        "password": "wrong"},
                                       environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert other.status_code == 422

    def test_successful_logins_do_not_count(self, app, ctx, client):
        # A buyer without a second factor: the password is the whole login.
        f.buyer(email="ben@example.com")
        for _ in range(5):
            assert post_login(client, "ben@example.com").status_code == 303
            client.post("/logout")
        assert post_login(client, "ben@example.com").status_code == 303

    def test_failures_from_one_address_are_throttled_across_accounts(self, client):
        for n in range(5):
            assert post_login(client, f"user{n}@example.com", "wrong").status_code == 422
        assert post_login(client, "user9@example.com", "wrong").status_code == 429


def test_default_throttle_allows_at_most_100_failures_an_hour_per_account(monkeypatch,
                                                                           tmp_path):
    for name in ("LOGIN_FAILURES_PER_ACCOUNT", "LOGIN_FAILURES_PER_ADDRESS", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    app = Flask(__name__, instance_path=str(tmp_path))
    load_config(app)
    per_account = parse(app.config["LOGIN_FAILURES_PER_ACCOUNT"])
    assert per_account.amount / per_account.get_expiry() <= 100 / 3600
    assert parse(app.config["LOGIN_FAILURES_PER_ADDRESS"]).amount > 0
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_redis_url_moves_the_rate_limit_counters_to_redis(monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    app = Flask(__name__, instance_path=str(tmp_path))
    load_config(app)
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/0"


class TestUnreachableRedis:
    @pytest.fixture
    def app_config(self, monkeypatch):
        monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
        yield {"LOGIN_FAILURES_PER_ACCOUNT": "2 per hour"}
        # The limiter is one object per process and remembers a dead storage across apps;
        # the next test's app starts with its storage alive.
        limiter._storage_dead = False

    def test_an_unreachable_redis_still_throttles_in_memory(self, ctx, client):
        f.account_manager(email="alice@example.com")
        answers = [client.post("/login", data={"email": "alice@example.com",
                                               "password": "wrong"}).status_code
                   for _ in range(3)]
        assert answers == [422, 422, 429]


class TestLoginThrottlingInRedis:
    """With REDIS_URL set, every worker and server counts failures in the same place
    (the local Redis, or TEST_REDIS_URL's: tests/conftest.py, redis_client)."""

    @pytest.fixture
    def app_config(self, redis_client, monkeypatch):
        monkeypatch.setenv("REDIS_URL", TEST_REDIS_URL)
        return {"LOGIN_FAILURES_PER_ACCOUNT": "3 per hour"}

    @pytest.fixture
    def email(self, redis_client):
        # An account and an address of its own: runs sharing the Redis never count each
        # other's tries, and none of this run's are left behind.
        email = f"alice-{secrets.token_hex(8)}@example.com"
        address = f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(256)}"
        yield email, address
        for pattern in (f"*{email}*", f"*/{address}/*"):
            for key in redis_client.scan_iter(pattern):
                redis_client.delete(key)

    def test_failures_counted_by_one_worker_throttle_the_next(self, app, ctx, database_url,
                                                              app_config, redis_client,
                                                              email):
        email, address = email
        assert isinstance(limiter.storage, RedisStorage)
        f.account_manager(email=email)
        for _ in range(3):
            response = app.test_client().post("/login", data={"email": email,
                                                              "password": "wrong"},
                                              environ_base={"REMOTE_ADDR": address})
            assert response.status_code == 422
        assert any(redis_client.scan_iter(f"*login-account:{email}*"))
        # Another worker: a fresh app (with the memory store it would start from zero).
        other_worker = make_app(database_url, **app_config)
        blocked = other_worker.test_client().post("/login", data={"email": email,
                                                                  "password": f.PASSWORD},
                                                  environ_base={"REMOTE_ADDR": address})
        assert blocked.status_code == 429
