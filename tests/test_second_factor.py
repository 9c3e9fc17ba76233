"""The second factor: authenticator codes (RFC 6238), recovery codes, enrolment, the pending
state between password and second factor, its rate limit and log, the administrator's reset
and the emails a user gets about their sign-in."""

import logging
import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from flask import current_app
from sqlalchemy import select

from tests import factories as f
from tests.sign_in import finish_login, log_in, totp_code
from webapp.blueprints.auth.sign_in import NEW_CODES, PENDING, PENDING_AT
from webapp.extensions import db
from webapp.models import OutboxMessage, Passkey, RecoveryCode, TotpAuthenticator, User
from webapp.services import DomainError
from webapp.services import second_factor as factors

LOGGER = "webapp.security"


def text(response) -> str:
    return response.get_data(as_text=True)


def emails(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id)).all()


def password_step(client, email, **kwargs):
    return client.post("/login", data={"email": email, "password": f.PASSWORD}, **kwargs)


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


@pytest.fixture
def alice(ctx):
    """An Account Manager with an authenticator app."""
    user = f.account_manager(first_name="Alice", email="alice@example.com")
    f.authenticator(user)
    return user


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    return lambda event: [r for r in caplog.records
                          if r.name == LOGGER and r.security_event == event]


# Authenticator codes ---------------------------------------------------------------------

def test_a_code_computed_from_the_secret_completes_the_login(client, alice):
    response = password_step(client, "alice@example.com")
    assert response.headers["Location"] == "/login/verify"
    assert not signed_in(client)
    response = client.post("/login/verify", data={"code": totp_code(f.TOTP_SECRET)})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "Welcome, Alice" in text(client.get("/"))


def test_a_code_reused_within_its_window_is_refused(app, client, alice):
    code = totp_code(f.TOTP_SECRET)
    password_step(client, "alice@example.com")
    assert client.post("/login/verify", data={"code": code}).status_code == 303
    client.post("/logout")
    other = app.test_client()
    password_step(other, "alice@example.com")
    response = other.post("/login/verify", data={"code": code})
    assert response.status_code == 422
    assert factors.CODE_REFUSED in text(response)
    assert not signed_in(other)


def test_a_code_of_an_earlier_step_than_the_last_accepted_is_refused(ctx, alice):
    now = datetime.now(UTC)
    factors.verify_code(alice, totp_code(f.TOTP_SECRET, 1, at=now), now=now)
    with pytest.raises(DomainError):
        factors.verify_code(alice, totp_code(f.TOTP_SECRET, 0, at=now), now=now)


@pytest.mark.parametrize("drift", [-1, 1])
def test_one_step_of_clock_drift_is_accepted(ctx, alice, drift):
    now = datetime.now(UTC)
    assert factors.verify_code(alice, totp_code(f.TOTP_SECRET, drift, at=now),
                               now=now) == "authenticator"


@pytest.mark.parametrize("drift", [-2, 2])
def test_two_steps_of_drift_are_refused(ctx, alice, drift):
    now = datetime.now(UTC)
    with pytest.raises(DomainError):
        factors.verify_code(alice, totp_code(f.TOTP_SECRET, drift, at=now), now=now)


def test_a_wrong_code_is_refused_and_the_login_stays_pending(client, alice):
    password_step(client, "alice@example.com")
    right = totp_code(f.TOTP_SECRET)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post("/login/verify", data={"code": wrong})
    assert response.status_code == 422
    assert not signed_in(client)
    assert client.post("/login/verify", data={"code": right}).status_code == 303


def test_every_login_asks_again_no_device_is_remembered(app, client, alice):
    log_in(client, "alice@example.com", f.PASSWORD)
    client.post("/logout")
    response = password_step(client, "alice@example.com")
    assert response.headers["Location"] == "/login/verify"
    assert "remember" not in text(client.get("/login/verify")).lower()


# Recovery codes --------------------------------------------------------------------------

def test_each_recovery_code_signs_in_once(app, ctx, alice):
    codes = factors.new_recovery_codes(alice)
    db.session.commit()
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes[:2]:
        client = app.test_client()
        password_step(client, "alice@example.com")
        assert client.post("/login/verify", data={"code": code.upper()}).status_code == 303
        assert signed_in(client)
    again = app.test_client()
    password_step(again, "alice@example.com")
    assert again.post("/login/verify", data={"code": codes[0]}).status_code == 422
    assert factors.recovery_codes_left(alice) == 8


def test_recovery_codes_are_stored_hashed(ctx, alice):
    codes = factors.new_recovery_codes(alice)
    db.session.commit()
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert all(h.startswith("$argon2id$") for h in stored)
    assert not any(code.replace("-", "") in h for code in codes for h in stored)


def test_making_new_recovery_codes_ends_the_old_ones(app, ctx, client, login, alice):
    old = factors.new_recovery_codes(alice)
    db.session.commit()
    login(alice)
    response = client.post("/account/security/recovery-codes")
    assert response.headers["Location"] == "/account/security/recovery-codes"
    page = text(client.get("/account/security/recovery-codes"))
    new = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", page)
    assert len(new) == 10
    assert not re.findall(r"<code>[a-z0-9]{5}-[a-z0-9]{5}</code>",
                          text(client.get("/account/security/recovery-codes")))
    assert not factors.use_recovery_code(alice, old[0])
    assert factors.use_recovery_code(alice, new[0])


# Rate limit and security log -------------------------------------------------------------

class TestSecondStepThrottling:
    @pytest.fixture
    def app_config(self):
        return {"SECOND_FACTOR_FAILURES_PER_ACCOUNT": "3 per hour"}

    def test_wrong_codes_are_throttled_per_account(self, app, alice, security_log):
        for n in range(3):
            client = app.test_client()
            client.environ_base["REMOTE_ADDR"] = f"10.0.0.{n}"
            password_step(client, "alice@example.com")
            assert client.post("/login/verify", data={"code": "000000"}).status_code in (
                422, 303)
        client = app.test_client()
        password_step(client, "alice@example.com")
        blocked = client.post("/login/verify", data={"code": totp_code(f.TOTP_SECRET)})
        assert blocked.status_code == 429
        assert not signed_in(client)
        assert security_log("login.throttled")


def test_wrong_codes_are_logged_like_login_failures(client, alice, security_log):
    password_step(client, "alice@example.com")
    client.post("/login/verify", data={"code": "not-a-code"})
    [record] = security_log("login.failure")
    assert record.user_id == alice.id and record.levelno == logging.WARNING
    assert record.route == "POST /login/verify"
    assert "not-a-code" not in record.getMessage()


# Enrolment and who must use a factor -----------------------------------------------------

def test_internal_users_must_enrol_before_their_login_completes(client, ctx):
    sam = f.sales_coordinator(first_name="Sam", email="sam@example.com")
    response = password_step(client, "sam@example.com")
    assert response.headers["Location"] == "/login/enrol"
    assert client.get("/").status_code == 302  # not signed in yet
    assert client.get("/login/verify").headers["Location"] == "/login/enrol"
    page = text(client.get("/login/enrol"))
    assert 'src="data:image/svg+xml' in page
    with client.session_transaction() as session:
        secret = session["_enrol_totp_secret"]
    assert secret in page
    response = client.post("/login/enrol", data={"code": totp_code(secret), "name": "Phone"})
    assert response.headers["Location"].startswith("/account/security/recovery-codes")
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>",
                       text(client.get(response.headers["Location"])))
    assert len(codes) == 10
    assert signed_in(client)
    assert db.session.scalar(select(TotpAuthenticator.name)
                             .where(TotpAuthenticator.user_id == sam.id)) == "Phone"


def test_a_wrong_enrolment_code_adds_nothing(client, ctx):
    f.admin(email="ada@example.com")
    password_step(client, "ada@example.com")
    client.get("/login/enrol")
    response = client.post("/login/enrol", data={"code": "123456"})
    assert response.status_code == 422
    assert "does not match" in text(response)
    assert db.session.scalar(select(TotpAuthenticator)) is None
    assert not signed_in(client)


def test_custom_internal_roles_must_enrol_too(client, ctx):
    role = f.custom_role(name="Catalogue editors")
    f.user(email="cat@example.com", roles=[role])
    assert password_step(client, "cat@example.com").headers["Location"] == "/login/enrol"


def test_a_buyer_without_a_factor_signs_in_with_the_password(client, ctx):
    f.buyer(email="ben@example.com")
    response = password_step(client, "ben@example.com")
    assert response.headers["Location"] == "/"
    assert signed_in(client)


def test_a_buyer_who_added_a_factor_is_asked_for_it(client, ctx):
    f.authenticator(f.buyer(email="ben@example.com"))
    assert password_step(client, "ben@example.com").headers["Location"] == "/login/verify"


def test_the_administrator_setting_makes_buyers_enrol(app, ctx, client, login):
    f.buyer(email="ben@example.com")
    login(f.admin())
    assert client.post("/admin/sign-in", data={"buyers_required": "y"}).status_code == 303
    client.post("/logout")
    assert factors.buyers_required()
    assert password_step(client, "ben@example.com").headers["Location"] == "/login/enrol"


def test_the_second_step_expires(client, alice):
    password_step(client, "alice@example.com")
    with client.session_transaction() as session:
        session[PENDING_AT] -= 11 * 60
    response = client.post("/login/verify", data={"code": totp_code(f.TOTP_SECRET)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not signed_in(client)


def test_a_pending_login_ends_when_the_password_changes(client, alice):
    password_step(client, "alice@example.com")
    alice.session_version += 1
    db.session.commit()
    client.post("/login/verify", data={"code": totp_code(f.TOTP_SECRET)})
    assert not signed_in(client)


def test_logout_abandons_a_pending_login(client, alice):
    password_step(client, "alice@example.com")
    assert client.post("/logout").headers["Location"] == "/login"
    with client.session_transaction() as session:
        assert PENDING not in session


# Account page: listing and removing ------------------------------------------------------

def test_the_sign_in_page_lists_factors_with_name_added_and_last_used(client, login, alice):
    db.session.add(Passkey(user_id=alice.id, name="Alice's iPad", credential_id=b"c1",
                           public_key=b"k", last_used_at=datetime(2026, 3, 4, 9, 30,
                                                                  tzinfo=UTC)))
    db.session.commit()
    login(alice)
    page = text(client.get("/account/security"))
    assert "Alice&#39;s iPad" in page and "4 Mar 2026, 09:30" in page
    assert "Phone" in page and "Never" in page
    assert 'href="/account/security"' in text(client.get("/profile"))


def test_an_internal_user_cannot_remove_their_last_factor(client, login, alice):
    login(alice)
    response = client.post("/account/security/authenticator/remove")
    assert response.status_code == 422
    assert factors.LAST_FACTOR.split(":")[0] in text(response)
    assert factors.authenticator_of(alice) is not None
    assert emails("second_factor_changed") == []


def test_removing_a_factor_when_another_remains_emails_the_user(client, login, alice):
    passkey = Passkey(user_id=alice.id, name="iPad", credential_id=b"c1", public_key=b"k")
    db.session.add(passkey)
    db.session.commit()
    passkey_id = passkey.id
    login(alice)
    assert client.post(f"/account/security/passkeys/{passkey_id}/remove").status_code == 303
    db.session.expire_all()
    assert db.session.get(Passkey, passkey_id) is None
    [notice] = emails("second_factor_changed")
    assert notice.recipients == "alice@example.com"
    assert "The passkey “iPad” was removed" in notice.text_body


def test_a_buyer_may_remove_their_only_factor_and_its_recovery_codes_go(client, login, ctx):
    ben = f.buyer(email="ben@example.com")
    f.authenticator(ben)
    factors.new_recovery_codes(ben)
    db.session.commit()
    login(ben)
    assert client.post("/account/security/authenticator/remove").status_code == 303
    assert factors.factor_count(ben) == 0 and factors.recovery_codes_left(ben) == 0


def test_adding_an_authenticator_emails_the_user_and_shows_recovery_codes(client, login, ctx):
    ben = f.buyer(email="ben@example.com")
    login(ben)
    client.get("/account/security/authenticator")
    with client.session_transaction() as session:
        secret = session["_enrol_totp_secret"]
    response = client.post("/account/security/authenticator",
                           data={"code": totp_code(secret), "name": "Work phone"})
    assert response.headers["Location"].startswith("/account/security/recovery-codes")
    with client.session_transaction() as session:
        assert len(session[NEW_CODES]) == 10
    [notice] = emails("second_factor_changed")
    assert notice.recipients == "ben@example.com"
    assert "The authenticator app “Work phone” was added" in notice.text_body


# Administrator's reset -------------------------------------------------------------------

def test_an_administrator_resets_a_users_factors_audited_and_emailed(
        app, client, login, alice, security_log):
    factors.new_recovery_codes(alice)
    db.session.commit()
    alice_client = app.test_client()
    log_in(alice_client, "alice@example.com", f.PASSWORD)
    admin = f.admin()
    login(admin)
    response = client.post(f"/admin/users/{alice.id}/reset-sign-in")
    assert response.status_code == 303
    assert factors.factor_count(alice) == 0 and factors.recovery_codes_left(alice) == 0
    assert not signed_in(alice_client)
    [record] = security_log("second-factor.reset")
    assert record.user_id == alice.id and record.by == admin.id
    [notice] = emails("second_factor_reset")
    assert notice.recipients == "alice@example.com"
    client.post(f"/admin/users/{alice.id}/reset-sign-in")  # again: nothing left to reset
    assert len(emails("second_factor_reset")) == 1
    # Her next login asks her to set up a factor again.
    assert password_step(app.test_client(), "alice@example.com").headers["Location"] == \
        "/login/enrol"


# Emails about the sign-in ----------------------------------------------------------------

def test_a_login_from_a_new_browser_is_emailed_and_a_known_one_is_not(app, ctx):
    ben = f.buyer(email="ben@example.com", last_login_at=datetime.now(UTC) - timedelta(days=3))
    laptop = app.test_client()
    log_in(laptop, "ben@example.com", f.PASSWORD, headers={"User-Agent": "Laptop browser"})
    [notice] = emails("new_browser")
    assert notice.recipients == "ben@example.com" and "Laptop browser" in notice.text_body
    laptop.post("/logout")
    log_in(laptop, "ben@example.com", f.PASSWORD)
    assert len(emails("new_browser")) == 1
    log_in(app.test_client(), "ben@example.com", f.PASSWORD)
    assert len(emails("new_browser")) == 2
    assert db.session.get(User, ben.id).last_login_at is not None


def test_the_browser_cookie_is_stored_only_as_a_hash(app, ctx, client):
    from webapp.models import KnownBrowser

    f.buyer(email="ben@example.com")
    log_in(client, "ben@example.com", f.PASSWORD)
    token = client.get_cookie("browser", domain="cms.test").value
    [stored] = db.session.scalars(select(KnownBrowser.token_hash)).all()
    assert len(token) >= 40 and token not in stored and len(stored) == 64


def test_a_first_login_ever_sends_no_new_browser_email(client, ctx):
    f.buyer(email="ben@example.com")
    log_in(client, "ben@example.com", f.PASSWORD)
    assert emails("new_browser") == []


# The demo's shared secret ----------------------------------------------------------------

class TestDemoSecretOverHttps:
    @pytest.fixture
    def app_config(self):
        return {"HTTPS": True}

    def test_codes_from_the_demo_secret_are_refused(self, ctx, monkeypatch):
        secret = pyotp.random_base32()
        monkeypatch.setitem(current_app.config, "DEMO_TOTP_SECRET", secret)
        user = f.account_manager()
        f.authenticator(user, secret=secret)
        with pytest.raises(DomainError):
            factors.verify_code(user, totp_code(secret))


def test_the_demo_secret_works_without_https(ctx, monkeypatch):
    secret = pyotp.random_base32()
    monkeypatch.setitem(current_app.config, "DEMO_TOTP_SECRET", secret)
    user = f.account_manager()
    f.authenticator(user, secret=secret)
    assert factors.verify_code(user, totp_code(secret)) == "authenticator"


def test_enrolment_code_must_be_current(ctx):
    user = f.account_manager()
    secret = factors.new_totp_secret()
    stale = totp_code(secret, at=datetime.now(UTC) - timedelta(minutes=5))
    with pytest.raises(DomainError):
        factors.enrol_authenticator(user, secret, stale)
    assert factors.enrol_authenticator(user, secret, totp_code(secret)).name == \
        "Authenticator app"


def test_finish_login_helper_reaches_the_start_page(client, alice):
    """The tests' own helper does what a user does; other tests rely on it."""
    response = finish_login(client, password_step(client, "alice@example.com"))
    assert response.headers["Location"] == "/" and signed_in(client)
