"""Inputs the fuzzers found once: each is answered with a 4xx or a plain page, never a 500."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.usefixtures("ctx")
HUGE = "99999999999999999999999"


def test_an_id_beyond_the_databases_integers_is_not_found(client, login):
    login(f.admin())
    for url in (f"/lists/{HUGE}", f"/catalogue/{HUGE}", f"/admin/users/{HUGE}"):
        assert client.get(url).status_code == 404


def test_huge_ids_and_pages_in_forms_and_query_strings_are_refused_or_ignored(client, login):
    alice = f.account_manager()
    login(f.admin())
    assert client.post(f"/admin/users/{alice.id}/sales-coordinators",
                       data={"sales_coordinator_id": HUGE}).status_code == 400
    assert client.get("/admin/users", query_string={"am": HUGE, "page": HUGE}).status_code == 200
    assert client.get("/catalogue", query_string={"page": HUGE}).status_code == 200


def test_a_role_name_differing_only_in_non_ascii_case_is_refused_not_a_500(client, login):
    login(f.admin())
    assert client.post("/admin/roles/new", data={"name": "Éditeur"}).status_code == 303
    response = client.post("/admin/roles/new", data={"name": "Éditeur"})
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_htmx_request_for_a_profile_without_buyers_gets_the_page(client, login):
    login(f.sales_coordinator())
    response = client.get("/profile", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Change password" in response.get_data(as_text=True)
