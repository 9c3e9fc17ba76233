"""The database unreachable (PostgreSQL restarting, say): every page that needs it answers
503 in the site's layout, drawn without the database, and asks the browser to retry."""

import socket

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from tests.conftest import make_app
from webapp.web.errors import database_unreachable

LAYOUT = ('<header class="site-header">', '<main id="main" class="container">',
          "Sales CMS")
SIGNED_IN_PAGES = ["/", "/profile", "/lists", "/meetings/new", "/catalogue", "/approvals"]


def free_port() -> int:
    """A port nothing listens on (taken from the system, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unreachable_app():
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/cms"
    # As in production: an error is answered by the app, not raised into the test.
    return make_app(url, PROPAGATE_EXCEPTIONS=False, RATELIMIT_ENABLED=False)


@pytest.fixture
def signed_in(unreachable_app):
    client = unreachable_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:0"
        session["_fresh"] = True
    return client


def assert_unavailable_page(response):
    body = response.get_data(as_text=True)
    assert response.status_code == 503, body[:500]
    assert int(response.headers["Retry-After"]) > 0
    assert all(marker in body for marker in LAYOUT)
    assert "briefly unavailable" in body and "try again" in body.lower()
    assert "Log out" not in body  # no user menu: it would need the signed-in user's row
    assert "Traceback" not in body and "OperationalError" not in body


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_a_signed_in_page_answers_503_in_the_layout_while_the_database_is_down(signed_in,
                                                                               path):
    assert_unavailable_page(signed_in.get(path))


def test_an_htmx_request_and_a_form_sent_answer_503_too(signed_in):
    assert_unavailable_page(signed_in.get("/lists", headers={"HX-Request": "true"}))
    assert_unavailable_page(signed_in.post("/lists", data={"name": "Picks", "kind": "my"}))


def test_an_anonymous_page_that_reads_the_database_answers_503(unreachable_app):
    assert_unavailable_page(unreachable_app.test_client().get("/register"))


def test_the_health_check_answers_503(unreachable_app, signed_in):
    for client in (unreachable_app.test_client(), signed_in):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert "Traceback" not in response.get_data(as_text=True)


def test_an_error_in_a_statement_is_not_taken_for_an_outage():
    class Refused(Exception):
        sqlstate = "42P01"  # undefined table: a fault of ours, not the database's absence

    class Restarting(Exception):
        sqlstate = "57P03"  # the database system is starting up

    assert not database_unreachable(OperationalError("SELECT", {}, Refused()))
    assert not database_unreachable(IntegrityError("INSERT", {}, Exception("duplicate")))
    assert database_unreachable(OperationalError("SELECT", {}, Restarting()))
    assert database_unreachable(OperationalError("SELECT", {}, Exception("refused")))
