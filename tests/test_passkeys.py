"""Passkeys on the server: the options given, and the responses accepted or refused (a
software authenticator stands in for the browser; e2e/test_passkeys.py uses Chromium's)."""

import logging

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.soft_authenticator import SoftAuthenticator
from webapp.extensions import db
from webapp.models import OutboxMessage, Passkey

ORIGIN = "http://cms.test"  # the test client's host: the relying party is "cms.test"


def options(client, url):
    response = client.post(url)
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def register(client, device, name="iPad", origin=ORIGIN):
    credential = device.create(options(client, "/passkeys/options"), origin)
    return client.post("/passkeys", data={"credential": credential, "name": name})


def sign_in(client, device, origin=ORIGIN):
    credential = device.get(options(client, "/login/passkey/options"), origin)
    return client.post("/login/passkey", data={"credential": credential})


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


@pytest.fixture
def alice(ctx):
    user = f.account_manager(first_name="Alice", email="alice@example.com")
    f.authenticator(user)
    return user


@pytest.fixture
def alices_ipad(app, alice, login):
    """A passkey Alice registered from her account page."""
    device = SoftAuthenticator()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = alice.get_id()
    assert register(client, device).status_code == 303
    return device


def test_registration_asks_for_a_discoverable_user_verified_passkey(client, login, alice):
    db.session.add(Passkey(user_id=alice.id, name="Old", credential_id=b"old-credential",
                           public_key=b"k"))
    db.session.commit()
    login(alice)
    given = options(client, "/passkeys/options")
    assert given["rp"] == {"id": "cms.test", "name": "Sales CMS"}
    assert given["authenticatorSelection"]["residentKey"] == "required"
    assert given["authenticatorSelection"]["userVerification"] == "required"
    assert [c["id"] for c in given["excludeCredentials"]] == ["b2xkLWNyZWRlbnRpYWw"]
    assert len(given["challenge"]) >= 43  # 32 random bytes or more


def test_a_registered_passkey_is_kept_named_and_emailed_about(client, login, alice):
    login(alice)
    response = register(client, SoftAuthenticator(), name="Alice's iPad")
    assert response.status_code == 303
    [passkey] = db.session.scalars(select(Passkey)).all()
    assert (passkey.user_id, passkey.name, passkey.transports) == \
        (alice.id, "Alice's iPad", "internal")
    [notice] = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "second_factor_changed")).all()
    assert "The passkey “Alice's iPad” was added" in notice.text_body


def test_a_passkey_alone_signs_in_with_no_password(app, alices_ipad, alice, security_log):
    client = app.test_client()
    given = options(client, "/login/passkey/options")
    assert "allowCredentials" not in given or given["allowCredentials"] == []
    assert given["userVerification"] == "required"
    response = sign_in(client, alices_ipad)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "Welcome, Alice" in client.get("/").get_data(as_text=True)
    [record] = security_log("login.success")
    assert record.factor == "passkey" and record.user_id == alice.id


def test_a_passkey_login_follows_only_a_local_next(app, alices_ipad):
    client = app.test_client()
    credential = alices_ipad.get(options(client, "/login/passkey/options"), ORIGIN)
    response = client.post("/login/passkey?next=https://evil.example/",
                           data={"credential": credential})
    assert response.headers["Location"] == "/"


def test_a_passkey_without_user_verification_is_refused(app, client, login, alice):
    login(alice)
    assert register(client, SoftAuthenticator(verifies_user=False)).status_code == 303
    assert db.session.scalar(select(Passkey)) is None


def test_an_assertion_without_user_verification_is_refused(app, alices_ipad):
    alices_ipad.verifies_user = False
    client = app.test_client()
    assert sign_in(client, alices_ipad).status_code == 422
    assert not signed_in(client)


def test_an_answer_made_for_another_site_is_refused(app, alices_ipad, security_log):
    client = app.test_client()
    response = sign_in(client, alices_ipad, origin="https://cms-test.example")
    assert response.status_code == 422
    assert "That passkey was not accepted" in response.get_data(as_text=True)
    assert not signed_in(client)
    assert security_log("login.failure")[0].levelno == logging.WARNING


def test_a_challenge_answers_once(app, alices_ipad):
    client = app.test_client()
    credential = alices_ipad.get(options(client, "/login/passkey/options"), ORIGIN)
    assert client.post("/login/passkey", data={"credential": credential}).status_code == 303
    replay = app.test_client()
    options(replay, "/login/passkey/options")  # a new challenge, not the one signed
    assert replay.post("/login/passkey", data={"credential": credential}).status_code == 422
    assert not signed_in(replay)


def test_a_cloned_passkey_with_an_old_sign_count_is_refused(app, alices_ipad):
    assert sign_in(app.test_client(), alices_ipad).status_code == 303
    alices_ipad.sign_count -= 1  # the clone's counter lags the original's
    client = app.test_client()
    assert sign_in(client, alices_ipad).status_code == 422


def test_a_suspended_users_passkey_does_not_sign_in(app, alices_ipad, alice):
    alice.is_suspended = True
    db.session.commit()
    client = app.test_client()
    assert sign_in(client, alices_ipad).status_code == 422
    assert not signed_in(client)


def test_as_second_step_only_the_pending_users_own_passkey_counts(app, alices_ipad, ctx):
    f.authenticator(f.account_manager(email="bob@example.com"))
    client = app.test_client()
    client.post("/login", data={"email": "bob@example.com", "password": f.PASSWORD})
    given = options(client, "/login/passkey/options")
    assert given["allowCredentials"] == []  # Bob has no passkey
    response = client.post("/login/passkey",
                           data={"credential": alices_ipad.get(given, ORIGIN)})
    assert response.status_code == 422
    assert "That passkey was not accepted" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_a_passkey_completes_the_second_step_after_the_password(app, alices_ipad):
    client = app.test_client()
    client.post("/login?next=/profile",
                data={"email": "alice@example.com", "password": f.PASSWORD})
    given = options(client, "/login/passkey/options")
    assert len(given["allowCredentials"]) == 1
    response = client.post("/login/passkey", data={"credential": alices_ipad.get(given, ORIGIN)})
    assert response.headers["Location"] == "/profile"
    assert signed_in(client)


def test_a_first_login_can_enrol_a_passkey_and_then_shows_recovery_codes(app, ctx):
    f.sales_coordinator(email="sam@example.com")
    client = app.test_client()
    response = client.post("/login", data={"email": "sam@example.com", "password": f.PASSWORD})
    assert response.headers["Location"] == "/login/enrol"
    assert client.post("/passkeys/options").status_code == 200  # the enrolment step's
    response = register(client, SoftAuthenticator())
    assert response.headers["Location"].startswith("/account/security/recovery-codes")
    assert signed_in(client)


def test_a_pending_user_with_a_factor_cannot_add_a_passkey_before_the_second_step(
        app, alice):
    client = app.test_client()
    client.post("/login", data={"email": "alice@example.com", "password": f.PASSWORD})
    response = client.post("/passkeys/options")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


class TestConfiguredRelyingParty:
    @pytest.fixture
    def app_config(self):
        return {"WEBAUTHN_RP_ID": "example.com", "WEBAUTHN_ORIGIN": "https://cms.example.com"}

    def test_the_settings_name_the_relying_party(self, client, login, ctx):
        login(f.account_manager())
        given = options(client, "/passkeys/options")
        assert given["rp"]["id"] == "example.com"
        device = SoftAuthenticator()
        credential = device.create(given, ORIGIN)  # the request's origin, not the setting's
        client.post("/passkeys", data={"credential": credential, "name": "x"})
        assert db.session.scalar(select(Passkey)) is None


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger="webapp.security")
    return lambda event: [r for r in caplog.records
                          if r.name == "webapp.security" and r.security_event == event]
