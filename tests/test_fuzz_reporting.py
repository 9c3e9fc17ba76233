"""Fuzzing reporting's filters, sorting, paging and exports: never a 500."""

from hypothesis import given
from hypothesis import strategies as st

from tests import fuzzing
from tests import test_authorization_matrix as matrix
from tests.fuzzing import FUZZ, assert_handled, form_data
from webapp.services.spreadsheets import safe_cell

world = matrix.world
app_config = fuzzing.fuzz_app_config
FILTERS = ("start", "end", "am", "territory", "region", "company", "q", "interval", "sort",
           "dir", "page", "buyer", "rank")


@FUZZ
@given(page=st.sampled_from(["/reporting", "/reporting/buyers", "/reporting/programmes",
                             "/reporting/export.csv", "user"]),
       query=form_data(*FILTERS), htmx=st.booleans())
def test_fuzz_reporting_filters(world, client, login, page, query, htmx):
    login(world["users"]["sales_coordinator"])
    if page == "user":
        page = f"/reporting/users/{world['args']['buyer_id']}"
    with client.get(page, query_string=query,
                    headers={"HX-Request": "true"} if htmx else {}) as response:
        assert_handled(response)


@FUZZ
@given(value=st.one_of(fuzzing.text_value, st.integers(), st.floats(), st.none()))
def test_fuzz_no_csv_cell_starts_a_formula(value):
    """Exports write every cell through safe_cell: a spreadsheet shows it, never runs it."""
    typed = "" if value is None else str(value)
    cell = safe_cell(value)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell in (typed, "'" + typed)
