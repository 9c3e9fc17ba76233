"""Fuzzing meetings (the form, the buyer picker, notes, summary), the in-meeting view's
changes and searches, and reporting's filters: never a 500, whatever is sent."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import fuzzing
from tests import test_authorization_matrix as matrix
from tests.fuzzing import FUZZ, assert_handled, form_data, htmx, text_value

world = matrix.world
app_config = fuzzing.fuzz_app_config
MEETING_FIELDS = ("host", "title", "day", "start", "timezone", "duration", "market", "stand",
                  "room", "pre_meeting_notes", "attendees", "source_list", "allow_clash",
                  "action")


@pytest.fixture
def coordinator(world, client, login):
    """The SC who set the world's meeting up for the AM."""
    login(world["users"]["sales_coordinator"])
    return client


@pytest.fixture
def host(world, client, login):
    login(world["users"]["account_manager"])
    return client


@pytest.fixture
def meeting_url(world):
    return f"/meetings/{world['args']['meeting_id']}"


@FUZZ
@given(data=form_data(*MEETING_FIELDS), headers=htmx)
def test_fuzz_new_meeting(coordinator, data, headers):
    assert_handled(coordinator.post("/meetings/new", data=data, headers=headers))


@FUZZ
@given(data=form_data(*MEETING_FIELDS), headers=htmx)
def test_fuzz_edit_meeting(coordinator, meeting_url, data, headers):
    assert_handled(coordinator.post(f"{meeting_url}/edit", data=data, headers=headers))


@FUZZ
@given(query=form_data("host", "attendees", "add", "remove", "buyer_q"), headers=htmx)
def test_fuzz_buyer_picker(coordinator, query, headers):
    assert_handled(coordinator.get("/meetings/buyers", query_string=query, headers=headers))


@FUZZ
@given(query=form_data("tab", "q", "host", "from", "to", "page"), headers=htmx)
def test_fuzz_meetings_index(coordinator, query, headers):
    assert_handled(coordinator.get("/meetings", query_string=query, headers=headers))


@FUZZ
@given(data=form_data("notes", "version"), list_form=form_data("source_list"),
       send=form_data("resend"), headers=htmx)
def test_fuzz_meeting_notes_list_and_summary(coordinator, meeting_url, data, list_form, send,
                                             headers):
    assert_handled(coordinator.post(f"{meeting_url}/notes", data=data, headers=headers))
    assert_handled(coordinator.post(f"{meeting_url}/list", data=list_form, headers=headers))
    assert_handled(coordinator.post(f"{meeting_url}/summary", data=send, headers=headers))


@FUZZ
@given(data=form_data("kind", "item_id", "value", "version",
                      key=st.text(min_size=0, max_size=80)),
       kind=st.sampled_from(["start", "interest", "screener", "note", "meeting_notes",
                             "add_item", "send_summary", "other"]),
       value=text_value)
def test_fuzz_ipad_changes(host, world, data, kind, value):
    url = f"/ipad/meetings/{world['args']['meeting_id']}/changes"
    assert_handled(host.post(url, data={**data, "kind": kind, "value": value}))
    assert_handled(host.post(url, data=data))


@FUZZ
@given(query=form_data("q", "day"), headers=htmx)
def test_fuzz_ipad_searches(host, world, query, headers):
    meeting_id = world["args"]["meeting_id"]
    assert_handled(host.get(f"/ipad/meetings/{meeting_id}/catalogue", query_string=query,
                            headers=headers))
    assert_handled(host.get("/ipad/", query_string=query, headers=headers))
