"""Fuzzing the forms anyone can reach: registration, login, forgotten and reset passwords,
change password. Hostile, long, empty, Unicode and wrongly typed values: never a 500."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import factories as f
from tests.fuzzing import FUZZ, assert_handled, form_data
from webapp.blueprints.auth.passwords import RESET_TOKEN
from webapp.services.password_reset import reset_token

htmx = st.booleans().map(lambda on: {"HX-Request": "true"} if on else {})


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": False}


@pytest.fixture
def territory_id(ctx):
    return f.territory().id


@FUZZ
@given(data=form_data("first_name", "last_name", "email", "password", "confirm",
                      "company_name", "job_title", "phone", "territory", "region",
                      "account_manager", "marketing_consent"), headers=htmx)
def test_fuzz_registration(client, territory_id, data, headers):
    assert_handled(client.post("/register", data=data, headers=headers))


@FUZZ
@given(data=form_data("first_name", "last_name", "email", "company_name", "job_title",
                      "phone", "region", "account_manager",
                      password="a passphrase for fuzzing", confirm="a passphrase for fuzzing"))
def test_fuzz_registration_with_valid_passwords(client, territory_id, data):
    data.setdefault("territory", territory_id)
    assert_handled(client.post("/register", data=data))


@FUZZ
@given(data=form_data("email", "password"), next_url=st.text(max_size=100), headers=htmx)
def test_fuzz_login(client, ctx, data, next_url, headers):
    assert_handled(client.post("/login", query_string={"next": next_url}, data=data,
                               headers=headers))


@FUZZ
@given(data=form_data("email"))
def test_fuzz_forgot_password(client, ctx, data):
    assert_handled(client.post("/forgot-password", data=data))


@pytest.fixture
def reset_client(app, ctx, client):
    ben = f.buyer(email="ben@example.com")
    token = reset_token(ben)
    return client, token


@FUZZ
@given(data=form_data("password", "confirm"), token=st.one_of(st.none(), st.text(max_size=300)))
def test_fuzz_reset_password(reset_client, data, token):
    client, valid_token = reset_client
    with client.session_transaction() as session:
        session[RESET_TOKEN] = valid_token if token is None else token
    assert_handled(client.post("/reset-password", data=data))


@FUZZ
@given(token=st.text(min_size=1, max_size=500).filter(lambda t: "/" not in t))
def test_fuzz_reset_link(client, ctx, token):
    assert_handled(client.get(f"/reset-password/{token}"))


@pytest.fixture
def signed_in(ctx, client, login):
    login(f.buyer(email="ben@example.com", first_name="Ben"))
    return client


@FUZZ
@given(data=form_data("current_password", "password", "confirm"), headers=htmx)
def test_fuzz_change_password(signed_in, login, data, headers):
    assert_handled(signed_in.post("/password", data=data, headers=headers))
