"""With CSRF protection on (as in production): every POST route of the authorization matrix
refuses a request without a valid token, for every point of view, whatever the body."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import test_authorization_matrix as matrix
from tests.fuzzing import FUZZ, form_data

world = matrix.world
POST_ROUTES = [(endpoint, kind) for (endpoint, method) in matrix.MATRIX if method == "POST"
               for kind in matrix.KINDS_OF.get(endpoint, [None])]
HOSTILE_BODY = {"name": "<script>window.__pwned=1</script>", "email": "ben@example.com",
                "password": "a passphrase for fuzzing", "note": "=1+1", "id": "1"}


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads"), "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": False}


@pytest.mark.parametrize("view", matrix.VIEWS)
def test_every_post_route_refuses_a_missing_or_forged_token(app, client, login, world, view):
    answers = {}
    for endpoint, kind in POST_ROUTES:
        url = matrix.url_of(app, world, endpoint, kind)
        for headers, body in (({}, {}), ({"HX-Request": "true"}, HOSTILE_BODY),
                              ({"X-CSRFToken": "forged"}, {**HOSTILE_BODY,
                                                           "csrf_token": "forged"})):
            if view != "anonymous":
                login(world["users"][view])
            response = client.post(url, data=body, headers=headers)
            if response.status_code != 400:
                answers[f"{url} {headers}"] = response.status_code
    assert answers == {}


@FUZZ
@given(route=st.sampled_from(POST_ROUTES), body=form_data("name", "email", "password", "note",
                                                          "csrf_token", "message", "title"))
def test_fuzz_posts_without_a_valid_token_are_refused(app, client, login, world, route, body):
    login(world["users"]["administrator"])
    response = client.post(matrix.url_of(app, world, *route), data=body)
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)
