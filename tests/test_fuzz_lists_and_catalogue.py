"""Fuzzing Lists (create, rename, note, share, add and move items, searches) and the
catalogue's search parameters: never a 500, whatever is sent."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import fuzzing
from tests import test_authorization_matrix as matrix
from tests.fuzzing import FUZZ, assert_handled, form_data, htmx

world = matrix.world
app_config = fuzzing.fuzz_app_config


@pytest.fixture
def owner(world, client, login):
    """The Sales Coordinator who owns the world's list."""
    login(world["users"]["sales_coordinator"])
    return client


@pytest.fixture
def list_url(world):
    return f"/lists/{world['args']['list_id']}"


@FUZZ
@given(view=st.sampled_from(["buyer", "sales_coordinator", "account_manager"]),
       data=form_data("name", "kind", "buyer"), headers=htmx)
def test_fuzz_create_list(world, client, login, view, data, headers):
    login(world["users"][view])
    assert_handled(client.post("/lists", data=data, headers=headers))


@FUZZ
@given(data=form_data("name"), headers=htmx)
def test_fuzz_rename_list(owner, list_url, data, headers):
    assert_handled(owner.post(f"{list_url}/rename", data=data, headers=headers))


@FUZZ
@given(data=form_data("note", "version"), headers=htmx)
def test_fuzz_item_note(owner, world, list_url, data, headers):
    url = f"{list_url}/items/{world['args']['item_id']}/note"
    assert_handled(owner.post(url, data=data, headers=headers))
    assert_handled(owner.get(url, headers=headers))


@FUZZ
@given(data=form_data("buyers", "emails", "days", "max_views", "message"), headers=htmx)
def test_fuzz_share_list(owner, list_url, data, headers):
    assert_handled(owner.post(f"{list_url}/share", data=data, headers=headers))


@FUZZ
@given(data=form_data("programme_id", "season_id", "episode_id"), move=form_data("direction"),
       headers=htmx)
def test_fuzz_add_and_move_items(owner, world, list_url, data, move, headers):
    assert_handled(owner.post(f"{list_url}/items", data=data, headers=headers))
    url = f"{list_url}/items/{world['args']['item_id']}/move"
    assert_handled(owner.post(url, data=move, headers=headers))


@FUZZ
@given(query=form_data("q", "tab", "page", "genre", "type"), headers=htmx)
def test_fuzz_list_and_catalogue_searches(owner, list_url, query, headers):
    assert_handled(owner.get("/lists", query_string=query, headers=headers))
    assert_handled(owner.get(f"{list_url}/catalogue", query_string=query, headers=headers))
    assert_handled(owner.get("/catalogue", query_string=query, headers=headers))


@FUZZ
@given(number=st.integers(min_value=0, max_value=10**30), headers=htmx)
def test_fuzz_ids_in_urls(owner, number, headers):
    for url in (f"/lists/{number}", f"/catalogue/{number}", f"/lists/1/items/{number}",
                f"/catalogue/screeners/programme/{number}"):
        assert_handled(owner.get(url, headers=headers))
