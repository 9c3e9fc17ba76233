"""The password policy, changing one's password, and resetting a forgotten one by email."""

import re
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from tests import factories as f
from tests.sign_in import log_in
from webapp.extensions import db
from webapp.models import OutboxMessage, User
from webapp.services.passwords import password_problem, verify_password

NEW_PASSWORD = "quiet otters paddle at dawn"


def text(response):
    return response.get_data(as_text=True)


def post_login(client, email, password=f.PASSWORD):
    """The whole login: password, then the second factor the account asks for."""
    return log_in(client, email, password)


def emails(kind):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id)).all()


def password_of(user) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).password_hash


class TestPolicy:
    @pytest.mark.parametrize("password", [
        "eight ch",  # exactly 8
        "a passphrase well beyond sixty-four characters, which is fine and welcome here",
        "x" * 256,
        "Ünïcödé пароль 密码 ok",
        "  spaces   are   kept  ",
    ])
    def test_long_and_unicode_passwords_are_accepted(self, password):
        assert password_problem(password) is None

    @pytest.mark.parametrize("password, message", [
        ("", "at least 8"),
        ("seven c", "at least 8"),
        ("x" * 257, "no more than 256"),
        ("password1", "most common"),
        ("Password1", "most common"),
        ("qwertyuiop", "most common"),
        ("iloveyou ", "most common"),
        ("sales-cms", "name of this site"),
    ])
    def test_short_overlong_and_common_passwords_are_refused(self, password, message):
        assert message in password_problem(password)

    def test_the_accounts_own_email_and_names_are_refused(self):
        assert "your name" in password_problem("alice.walker@example.com",
                                               email="alice.walker@example.com")
        assert "your name" in password_problem("Alice.Walker", email="aw@example.com",
                                               names=("Alice.Walker", ""))
        assert "your name" in password_problem("alicewalker", email="alice.walker@example.com")


@pytest.mark.usefixtures("ctx")
class TestPolicyOnForms:
    def test_registration_refuses_a_common_password_and_keeps_what_was_typed(self, client):
        territory = f.territory()
        response = client.post("/register", data={
            "first_name": "Nina", "last_name": "Holm", "email": "nina@example.com",
            "password": "password123", "confirm": "password123",
            "company_name": "Brightwave", "job_title": "Buyer", "territory": territory.id})
        assert response.status_code == 422
        assert "most common" in text(response)
        assert 'value="Brightwave"' in text(response)
        assert db.session.scalar(select(User).where(User.email == "nina@example.com")) is None

    def test_administrator_cannot_set_a_common_password(self, client, login):
        login(f.admin())
        ben = f.buyer(email="ben@example.com")
        before = ben.password_hash
        response = client.post(f"/admin/users/{ben.id}/edit", data={
            "first_name": "Ben", "last_name": "Tester", "email": "ben@example.com",
            "roles": [r.id for r in ben.roles], "status": "active", "password": "12345678"})
        assert response.status_code == 422
        assert "most common" in text(response)
        assert password_of(ben) == before


@pytest.mark.usefixtures("ctx")
class TestChangePassword:
    def change(self, client, current=f.PASSWORD, new=NEW_PASSWORD, confirm=None):
        return client.post("/password", data={"current_password": current, "password": new,
                                              "confirm": confirm or new})

    def test_change_needs_the_current_password(self, app, client):
        alice = f.account_manager(email="alice@example.com")
        post_login(client, "alice@example.com")
        response = self.change(client, current="not my password")
        assert response.status_code == 422
        assert "not your current password" in text(response)
        assert verify_password(password_of(alice), f.PASSWORD)

    def test_change_keeps_this_session_and_ends_the_others(self, app, client):
        # A buyer: the password alone is the login, so it can be tried again at once.
        alice = f.buyer(first_name="Alice", email="alice@example.com")
        other_device = app.test_client()
        post_login(client, "alice@example.com")
        post_login(other_device, "alice@example.com")
        response = self.change(client)
        assert response.status_code == 303
        assert urlsplit(response.headers["Location"]).path == "/profile"
        assert client.get("/").status_code == 200
        assert other_device.get("/").status_code == 302
        assert verify_password(password_of(alice), NEW_PASSWORD)
        [notice] = emails("password_changed")
        assert notice.recipients == "alice@example.com"
        assert "/forgot-password" in notice.text_body
        client.post("/logout")
        assert post_login(client, "alice@example.com").status_code == 422
        assert post_login(client, "alice@example.com", NEW_PASSWORD).status_code == 303

    @pytest.mark.parametrize("new, confirm, message", [
        ("short", "short", "at least 8"),
        ("letmein1", "letmein1", "most common"),
        (NEW_PASSWORD, "something else entirely", "do not match"),
    ])
    def test_weak_or_mismatched_new_passwords_are_refused(self, client, new, confirm,
                                                          message):
        alice = f.account_manager(email="alice@example.com")
        post_login(client, "alice@example.com")
        response = self.change(client, new=new, confirm=confirm)
        assert response.status_code == 422
        assert message in text(response)
        assert verify_password(password_of(alice), f.PASSWORD)

    def test_profile_links_to_the_change_password_page(self, client, login):
        login(f.buyer())
        assert 'href="/password"' in text(client.get("/profile"))


def reset_link(message: OutboxMessage) -> str:
    url = re.search(r"(\S+/reset-password/\S+)", message.text_body).group(1)
    return urlsplit(url).path


@pytest.mark.usefixtures("ctx")
class TestReset:
    def ask(self, client, email):
        return client.post("/forgot-password", data={"email": email})

    def choose(self, client, password=NEW_PASSWORD, confirm=None):
        return client.post("/reset-password", data={"password": password,
                                                     "confirm": confirm or password})

    def test_login_page_links_to_forgot_password(self, client):
        assert 'href="/forgot-password"' in text(client.get("/login"))

    def test_the_answer_is_the_same_whether_or_not_the_email_has_an_account(self, client):
        f.buyer(email="ben@example.com")
        known = self.ask(client, "Ben@Example.com ")
        known_page = text(client.get("/login"))
        unknown = self.ask(client, "nobody@example.com")
        unknown_page = text(client.get("/login"))
        assert known.status_code == unknown.status_code == 303
        assert known.headers["Location"] == unknown.headers["Location"]
        assert known_page == unknown_page and "If that address belongs" in known_page
        assert [m.recipients for m in emails("password_reset")] == ["ben@example.com"]

    def test_suspended_and_pending_accounts_get_no_link(self, client):
        f.buyer(email="sue@example.com", is_suspended=True)
        f.buyer(email="pat@example.com", status="pending")
        assert self.ask(client, "sue@example.com").status_code == 303
        assert self.ask(client, "pat@example.com").status_code == 303
        assert emails("password_reset") == []

    def test_the_emailed_link_sets_a_new_password_once_and_ends_every_session(self, app,
                                                                             client):
        ben = f.buyer(email="ben@example.com")
        signed_in = app.test_client()
        post_login(signed_in, "ben@example.com")
        self.ask(client, "ben@example.com")
        [message] = emails("password_reset")
        assert message.text_body.count("http://127.0.0.1:5000/reset-password/") == 1
        link = reset_link(message)
        followed = client.get(link)
        assert followed.status_code == 303
        assert followed.headers["Location"] == "/reset-password"
        page = client.get("/reset-password")
        assert page.status_code == 200 and "ben@example.com" in text(page)
        assert link.rpartition("/")[2] not in text(page)
        response = self.choose(client)
        assert response.status_code == 303
        assert urlsplit(response.headers["Location"]).path == "/login"
        assert verify_password(password_of(ben), NEW_PASSWORD)
        assert signed_in.get("/").status_code == 302
        assert [m.recipients for m in emails("password_changed")] == ["ben@example.com"]
        # The same link again: dead, since the password it was made for has changed.
        client.get(link)
        again = self.choose(client, password="another fine passphrase")
        assert again.status_code == 400
        assert "expired or has been used" in text(again)
        assert verify_password(password_of(ben), NEW_PASSWORD)

    def test_weak_new_password_is_refused_and_the_link_still_works(self, client):
        ben = f.buyer(email="ben@example.com")
        self.ask(client, "ben@example.com")
        client.get(reset_link(emails("password_reset")[0]))
        response = self.choose(client, password="abc123abc", confirm="abc123abc")
        assert response.status_code == 422 and "most common" in text(response)
        assert verify_password(password_of(ben), f.PASSWORD)
        assert self.choose(client).status_code == 303

    def test_an_expired_link_is_refused(self, client, monkeypatch):
        ben = f.buyer(email="ben@example.com")
        self.ask(client, "ben@example.com")
        link = reset_link(emails("password_reset")[0])
        made = TimestampSigner.get_timestamp
        monkeypatch.setattr(TimestampSigner, "get_timestamp",
                            lambda signer: made(signer) + 60 * 60 + 1)
        client.get(link)
        response = self.choose(client)
        assert response.status_code == 400
        assert "expired" in text(response)
        assert verify_password(password_of(ben), f.PASSWORD)

    @pytest.mark.parametrize("tamper", [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: "not-a-token",
    ])
    def test_a_tampered_link_is_refused(self, client, tamper):
        f.buyer(email="ben@example.com")
        self.ask(client, "ben@example.com")
        token = reset_link(emails("password_reset")[0]).rpartition("/")[2]
        client.get(f"/reset-password/{tamper(token)}")
        assert self.choose(client).status_code == 400

    def test_a_link_dies_when_the_account_is_suspended(self, client):
        ben = f.buyer(email="ben@example.com")
        self.ask(client, "ben@example.com")
        ben.is_suspended = True
        db.session.commit()
        client.get(reset_link(emails("password_reset")[0]))
        assert self.choose(client).status_code == 400


class TestResetThrottling:
    @pytest.fixture
    def app_config(self):
        return {"PASSWORD_RESETS_PER_ACCOUNT": "2 per hour",
                "PASSWORD_RESETS_PER_ADDRESS": "4 per hour"}

    def test_requests_for_one_email_are_throttled(self, app, ctx):
        f.buyer(email="ben@example.com")
        for n in range(2):
            response = app.test_client().post(
                "/forgot-password", data={"email": "ben@example.com"},
                environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
            assert response.status_code == 303
        blocked = app.test_client().post("/forgot-password", data={"email": "BEN@example.com"},
                                         environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert blocked.status_code == 429
        assert len(emails("password_reset")) == 2

    def test_requests_from_one_address_are_throttled(self, client):
        for n in range(4):
            assert client.post("/forgot-password",
                               data={"email": f"user{n}@example.com"}).status_code == 303
        assert client.post("/forgot-password",
                           data={"email": "user9@example.com"}).status_code == 429
