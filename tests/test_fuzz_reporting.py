"""Fuzzing reporting's filters, sorting, paging and exports: never a 500."""

from hypothesis import given
from hypothesis import strategies as st

from tests import fuzzing
from tests import test_authorization_matrix as matrix
from tests.fuzzing import FUZZ, assert_handled, form_data

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
