"""The security log: authentication events and refused requests, each with the user, the
client address and the route, and never a password or a token."""

import logging
import re

import pytest
from flask.logging import default_handler
from sqlalchemy import select

from tests import factories as f
from tests.sign_in import log_in
from webapp.extensions import db
from webapp.models import OutboxMessage

LOGGER = "webapp.security"
ADDRESS = "203.0.113.7"
WRONG_PASSWORD = "Wr0ng-but-secret passphrase"


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)

    def records(event=None):
        return [r for r in caplog.records if r.name == LOGGER
                and (event is None or r.security_event == event)]

    return records


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    return client


def post_login(client, email, password=f.PASSWORD):
    """The whole login: password, then the second factor the account asks for."""
    return log_in(client, email, password)


def assert_secrets_absent(records, *secrets):
    for record in records:
        logged = record.getMessage() + repr(vars(record))
        for secret in secrets:
            assert secret not in logged


@pytest.mark.usefixtures("ctx")
class TestAuthenticationEvents:
    def test_successful_login_is_logged_with_user_address_and_route(self, client,
                                                                    security_log):
        # A buyer without a second factor: the password completes the login.
        alice = f.buyer(email="alice@example.com")
        post_login(client, "alice@example.com")
        [record] = security_log("login.success")
        assert (record.user_id, record.client_address, record.route) == \
            (alice.id, ADDRESS, "POST /login")
        assert record.levelno == logging.INFO
        assert f"user={alice.id} address={ADDRESS} route=POST /login" in record.getMessage()
        assert_secrets_absent(security_log(), f.PASSWORD)

    def test_failed_logins_name_the_account_if_any_but_never_what_was_typed(
            self, client, security_log):
        alice = f.account_manager(email="alice@example.com")
        post_login(client, "alice@example.com", WRONG_PASSWORD)
        post_login(client, "ghost@example.com", WRONG_PASSWORD)
        known, unknown = security_log("login.failure")
        assert known.user_id == alice.id and known.levelno == logging.WARNING
        assert unknown.user_id is None and "user=-" in unknown.getMessage()
        assert_secrets_absent(security_log(), WRONG_PASSWORD, "ghost@example.com")

    def test_logout_is_logged(self, client, security_log):
        alice = f.account_manager(email="alice@example.com")
        post_login(client, "alice@example.com")
        client.post("/logout")
        [record] = security_log("logout")
        assert record.user_id == alice.id and record.route == "POST /logout"

    def test_a_session_ended_by_suspension_is_logged_once(self, app, client, security_log):
        ben = f.buyer(email="ben@example.com")
        post_login(client, "ben@example.com")
        ben.is_suspended = True
        db.session.commit()
        client.get("/")
        client.get("/login")
        [record] = security_log("session.ended")
        assert record.user_id == ben.id and record.reason == "suspended"

    def test_an_idle_session_that_expires_is_logged(self, client, security_log):
        alice = f.account_manager(email="alice@example.com")
        post_login(client, "alice@example.com")
        with client.session_transaction() as session:
            session["_seen"] -= 2 * 60 * 60
        client.get("/")
        [record] = security_log("session.expired")
        assert record.user_id == alice.id and record.reason == "idle"

    def test_password_change_is_logged(self, client, security_log):
        alice = f.account_manager(email="alice@example.com")
        post_login(client, "alice@example.com")
        client.post("/password", data={"current_password": f.PASSWORD,
                                       "password": "a brand new passphrase",
                                       "confirm": "a brand new passphrase"})
        [record] = security_log("password.changed")
        assert record.user_id == alice.id
        assert_secrets_absent(security_log(), f.PASSWORD, "a brand new passphrase")

    def test_password_reset_is_logged_without_the_token(self, client, security_log):
        ben = f.buyer(email="ben@example.com")
        client.post("/forgot-password", data={"email": "ben@example.com"})
        message = db.session.scalar(select(OutboxMessage))
        token = re.search(r"/reset-password/(\S+)", message.text_body).group(1)
        client.get(f"/reset-password/{token}")
        client.post("/reset-password", data={"password": "a brand new passphrase",
                                              "confirm": "a brand new passphrase"})
        assert len(security_log("password.reset-requested")) == 1
        [record] = security_log("password.reset")
        assert record.user_id == ben.id and record.route == "POST /reset-password"
        client.get(f"/reset-password/{token}")
        client.get("/reset-password")
        [refused] = security_log("password.reset-refused")
        assert refused.reason == "bad-token"
        assert_secrets_absent(security_log(), token, "a brand new passphrase")


class TestThrottling:
    @pytest.fixture
    def app_config(self):
        return {"LOGIN_FAILURES_PER_ADDRESS": "1 per hour"}

    def test_throttled_logins_are_logged(self, client, security_log):
        post_login(client, "someone@example.com", WRONG_PASSWORD)
        assert post_login(client, "someone@example.com", WRONG_PASSWORD).status_code == 429
        [record] = security_log("login.throttled")
        assert record.status == 429 and record.client_address == ADDRESS
        assert record.levelno == logging.WARNING


@pytest.mark.usefixtures("ctx")
class TestRefusedRequests:
    def test_a_missing_permission_is_logged(self, client, login, security_log):
        ben = f.buyer()
        login(ben)
        assert client.get("/admin/users").status_code == 403
        [record] = security_log("request.denied")
        assert (record.status, record.user_id, record.route) == (403, ben.id,
                                                                 "GET /admin/users")

    def test_someone_elses_object_is_logged_as_a_404_of_its_route(self, client, login,
                                                                  security_log):
        login(f.buyer())
        assert client.get("/lists/424242").status_code == 404
        [record] = security_log("request.denied")
        assert record.status == 404 and record.route == "GET /lists/<int:list_id>"

    def test_a_url_that_matches_no_route_is_not_a_refusal(self, client, security_log):
        assert client.get("/wp-login.php").status_code == 404
        assert security_log() == []

    def test_an_anonymous_request_for_a_signed_in_page_is_logged_as_401(self, client,
                                                                        security_log):
        assert client.get("/admin/users").status_code == 302
        [record] = security_log("request.denied")
        assert (record.status, record.user_id, record.client_address) == (401, None, ADDRESS)


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_missing_csrf_token_is_logged(self, client, security_log):
        assert post_login(client, "alice@example.com").status_code == 400
        [record] = security_log("request.denied")
        assert record.reason == "csrf" and record.status == 400
        assert record.route == "POST /login"
        assert_secrets_absent(security_log(), f.PASSWORD)


class TestBehindAProxy:
    @pytest.fixture
    def app_config(self):
        return {"TRUSTED_PROXIES": 1}

    def test_the_client_address_comes_from_the_trusted_proxy(self, app, ctx, security_log):
        f.buyer(email="alice@example.com")
        app.test_client().post("/login", data={"email": "alice@example.com",
                                               "password": f.PASSWORD},
                               headers={"X-Forwarded-For": "198.51.100.4"},
                               environ_base={"REMOTE_ADDR": "10.0.0.1"})
        [record] = security_log("login.success")
        assert record.client_address == "198.51.100.4"


def test_flasks_own_stderr_handler_leaves_the_security_log_to_its_handler(app):
    """Otherwise each event reaches stderr twice once Flask's logger is first used."""
    assert logging.getLogger(LOGGER).handlers
    assert not default_handler.filter(logging.makeLogRecord({"name": LOGGER}))
    assert default_handler.filter(logging.makeLogRecord({"name": app.logger.name}))
