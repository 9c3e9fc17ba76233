"""Every route of the authorization matrix, used by someone it lets in, with hostile form
bodies and query strings (markup, script, long, empty, Unicode, repeated values), as a page
and as htmx: never a 500.

The forms and searches have fuzz tests of their own that know their fields; this one leaves
no route out (the buttons without fields too: delete, duplicate, suspend, retry, cancel, log
out), and fuzzes a new route the day it enters the matrix.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import fuzzing
from tests import test_authorization_matrix as matrix
from tests.fuzzing import FUZZ, assert_handled, form_data, htmx
from webapp.extensions import db

world = matrix.world
app_config = fuzzing.fuzz_app_config

# Who sends each request: any point of view the matrix lets in.
SENDERS = ["administrator", "sales_coordinator", "account_manager", "buyer", "anonymous",
           "other_sales_coordinator", "other_account_manager"]
# Every field a form of the site reads, and a few it does not.
FORM_FIELDS = (
    "first_name", "last_name", "email", "job_title", "phone", "roles", "territories", "region",
    "company", "account_manager", "status", "password", "confirm", "current_password",
    "marketing_consent", "company_id", "company_name", "territory", "reason", "name",
    "description", "permissions", "title", "programme_type", "year", "episode_count",
    "runtime_minutes", "genres", "new_genres", "synopsis", "screener_url", "remove_image",
    "number", "mode", "kind", "buyer", "message", "note", "notes", "version", "programme_id",
    "season_id", "episode_id", "direction", "host", "day", "start", "timezone", "duration",
    "market", "stand", "room", "pre_meeting_notes", "attendees", "source_list", "allow_clash",
    "action", "resend", "key", "item_id", "value", "sales_coordinator_id", "submit", "id",
    "next", "buyers", "emails", "days", "max_views",
)
# Every query parameter a page reads, and a few it does not.
QUERY_FIELDS = (
    "q", "page", "tab", "status", "am", "role", "territory", "region", "company", "genre",
    "type", "buyers_page", "host", "from", "to", "attendees", "add", "remove", "buyer_q",
    "cancel", "company_name", "day", "start", "end", "interval", "sort", "dir", "buyer",
    "rank", "views", "next", "id", "buyers", "notes", "extension",
)


def _lets_in(status) -> bool:
    """Not refused, and not sent elsewhere (a signed-in user posting to the login form)."""
    return status != matrix.LOGIN and status not in (302, 403, 404)


def _senders(expected) -> list[str]:
    # A route that only ever redirects (a screener link) is sent by whoever it redirects.
    for allowed in (_lets_in, lambda status: status not in (matrix.LOGIN, 403, 404)):
        if senders := [view for view in SENDERS if allowed(expected[view])]:
            return senders
    return []


def _routes(method):
    for (endpoint, route_method), expected in matrix.MATRIX.items():
        if route_method == method:
            for kind in matrix.KINDS_OF.get(endpoint, [None]):
                yield pytest.param(endpoint, kind, _senders(expected),
                                   id=f"{endpoint}{f'-{kind}' if kind else ''}")


def _sign_in(client, login, world, sender) -> None:
    with client.session_transaction() as session:
        session.clear()
    if sender != "anonymous":
        user = world["users"][sender]
        db.session.refresh(user)  # a logout in an earlier example moved its session version
        login(user)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_every_route_is_fuzzed_by_someone_it_lets_in(method):
    routes = list(_routes(method))
    assert {route.values[0] for route in routes} == \
        {endpoint for endpoint, route_method in matrix.MATRIX if route_method == method}
    assert [route.id for route in routes if not route.values[2]] == []


@pytest.mark.parametrize("endpoint, kind, senders", list(_routes("POST")))
@settings(FUZZ, max_examples=8)
@given(data=form_data(*FORM_FIELDS), query=form_data("next", "tab", "q"), headers=htmx,
       pick=st.data())
def test_fuzz_every_post_route(app, client, login, world, endpoint, kind, senders, data, query,
                               headers, pick):
    _sign_in(client, login, world, pick.draw(st.sampled_from(senders), label="sender"))
    with client.post(matrix.url_of(app, world, endpoint, kind), data=data, query_string=query,
                     headers=headers) as response:
        assert_handled(response)


@pytest.mark.parametrize("endpoint, kind, senders", list(_routes("GET")))
@settings(FUZZ, max_examples=5)
@given(query=form_data(*QUERY_FIELDS), headers=htmx, pick=st.data())
def test_fuzz_every_get_route(app, client, login, world, endpoint, kind, senders, query,
                              headers, pick):
    _sign_in(client, login, world, pick.draw(st.sampled_from(senders), label="sender"))
    with client.get(matrix.url_of(app, world, endpoint, kind), query_string=query,
                    headers=headers) as response:  # closes files it sends, e.g. images
        assert_handled(response)
