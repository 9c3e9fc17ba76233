"""Fuzzing Admin's forms and searches, and Approvals: never a 500, whatever is sent."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import fuzzing
from tests import test_authorization_matrix as matrix
from tests.fuzzing import FUZZ, assert_handled, form_data, htmx, text_value, upload

world = matrix.world
app_config = fuzzing.fuzz_app_config
USER_FIELDS = ("first_name", "last_name", "email", "job_title", "phone", "roles", "territories",
               "region", "company", "account_manager", "status", "password")
PROGRAMME_FIELDS = ("title", "programme_type", "year", "episode_count", "runtime_minutes",
                    "genres", "new_genres", "synopsis", "screener_url", "remove_image")


@pytest.fixture
def admin(world, client, login):
    login(world["users"]["administrator"])
    return client


@pytest.fixture
def coordinator(world, client, login):
    login(world["users"]["sales_coordinator"])
    return client


@FUZZ
@given(data=form_data(*USER_FIELDS), headers=htmx)
def test_fuzz_new_user(admin, data, headers):
    assert_handled(admin.post("/admin/users/new", data=data, headers=headers))


@FUZZ
@given(data=form_data(*USER_FIELDS))
def test_fuzz_edit_user(admin, world, data):
    assert_handled(admin.post(f"/admin/users/{world['args']['user_id']}/edit", data=data))


@FUZZ
@given(query=form_data("q", "role", "territory", "company", "status", "am", "page"),
       headers=htmx)
def test_fuzz_user_directory_search(admin, query, headers):
    assert_handled(admin.get("/admin/users", query_string=query, headers=headers))


@FUZZ
@given(query=form_data("q", "buyers_page"), data=form_data("sales_coordinator_id"),
       headers=htmx)
def test_fuzz_sales_coordinator_links(admin, world, query, data, headers):
    url = f"/admin/users/{world['args']['user_id']}"
    assert_handled(admin.get(url, query_string=query, headers=headers))
    assert_handled(admin.get(f"{url}/sales-coordinators", query_string=query, headers=headers))
    assert_handled(admin.post(f"{url}/sales-coordinators", data=data, headers=headers))


@FUZZ
@given(data=form_data("name", "description", "permissions"))
def test_fuzz_roles(admin, world, data):
    assert_handled(admin.post("/admin/roles/new", data=data))
    assert_handled(admin.post(f"/admin/roles/{world['args']['role_id']}", data=data))


@FUZZ
@given(kind=st.sampled_from(matrix.KINDS), data=form_data("name", "region", "territories"),
       query=form_data("q", "page"))
def test_fuzz_places(admin, world, kind, data, query):
    assert_handled(admin.get(f"/admin/{kind}", query_string=query))
    assert_handled(admin.post(f"/admin/{kind}", data=data))
    assert_handled(admin.post(f"/admin/{kind}/{world['items'][kind]}/edit", data=data))


@FUZZ
@given(data=form_data(*PROGRAMME_FIELDS), image=st.one_of(st.none(), upload))
def test_fuzz_programme_forms(admin, world, data, image):
    if image is not None:
        data["image"] = image
    assert_handled(admin.post("/admin/catalogue/new", data=data,
                              content_type="multipart/form-data"))
    data.pop("image", None)
    assert_handled(admin.post(f"/admin/catalogue/{world['args']['programme_id']}/edit",
                              data=data, content_type="multipart/form-data"))


@FUZZ
@given(data=form_data("number", "title", "year", "runtime_minutes", "synopsis",
                      "screener_url"))
def test_fuzz_season_and_episode_forms(admin, world, data):
    args = world["args"]
    for url in (f"/admin/catalogue/{args['programme_id']}/seasons/new",
                f"/admin/catalogue/seasons/{args['season_id']}/edit",
                f"/admin/catalogue/seasons/{args['season_id']}/episodes/new",
                f"/admin/catalogue/episodes/{args['episode_id']}/edit"):
        assert_handled(admin.post(url, data=data))


@FUZZ
@given(query=form_data("q", "genre", "type", "page", "status"), headers=htmx)
def test_fuzz_admin_catalogue_and_outbox_searches(admin, query, headers):
    assert_handled(admin.get("/admin/catalogue", query_string=query, headers=headers))
    assert_handled(admin.get("/admin/outbox", query_string=query, headers=headers))


@FUZZ
@given(data=form_data("company_id", "company_name", "account_manager", "territories",
                      "region"), reason=form_data("reason"), headers=htmx)
def test_fuzz_approvals(coordinator, world, data, reason, headers):
    url = f"/approvals/{world['args']['applicant_id']}"
    assert_handled(coordinator.post(f"{url}/reject", data=reason, headers=headers))
    assert_handled(coordinator.post(f"{url}/approve", data=data, headers=headers))


@FUZZ
@given(query=form_data("tab", "q", "page", "company_name"), headers=htmx)
def test_fuzz_approvals_searches(coordinator, world, query, headers):
    url = f"/approvals/{world['args']['applicant_id']}"
    assert_handled(coordinator.get("/approvals", query_string=query, headers=headers))
    assert_handled(coordinator.get(url, query_string=query, headers=headers))
    assert_handled(coordinator.get(f"{url}/companies", query_string=query, headers=headers))


@FUZZ
@given(file=upload, extra=text_value)
def test_fuzz_catalogue_import(admin, file, extra):
    assert_handled(admin.post("/admin/catalogue/import", data={"file": file, "mode": extra},
                              content_type="multipart/form-data"))
