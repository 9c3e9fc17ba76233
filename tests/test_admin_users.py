"""Admin > Users: directory, create / edit, suspension and the AM profile."""

import pytest

from tests import factories as f
from webapp.extensions import db
from webapp.models import User, UserStatus

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def admin_client(login):
    return login(f.admin())


def text(response):
    return response.get_data(as_text=True)


def test_directory_searches_by_name_or_email(admin_client):
    f.buyer(first_name="Ben", last_name="Carter", email="ben@northlight.example.com")
    f.buyer(first_name="Dora", last_name="Weber")
    body = text(admin_client.get("/admin/users?q=carter"))
    assert "Ben Carter" in body and "Dora Weber" not in body
    body = text(admin_client.get("/admin/users?q=northlight"))
    assert "Ben Carter" in body


def test_directory_answers_htmx_with_the_results_fragment_only(admin_client):
    f.buyer(first_name="Ben", last_name="Carter")
    response = admin_client.get("/admin/users?q=Carter", headers={"HX-Request": "true"})
    body = text(response)
    assert 'id="user-results"' in body and "Ben Carter" in body
    assert "<html" not in body and "<nav" not in body.split('class="pagination"')[0]
    assert "HX-Request" in response.headers["Vary"]


def test_history_restore_gets_the_whole_page(admin_client):
    response = admin_client.get("/admin/users", headers={
        "HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in text(response)


def test_directory_filters_by_role_territory_company_and_status(admin_client):
    uk = f.territory("UK")
    northlight = f.company("Northlight Media")
    f.buyer(first_name="Ben", territories=[uk], company=northlight)
    f.buyer(first_name="Pending", status=UserStatus.PENDING)
    f.buyer(first_name="Gone", is_suspended=True)
    sam = f.sales_coordinator(first_name="Sam")
    sc_role = sam.roles[0].id

    def found(query):
        body = text(admin_client.get(f"/admin/users?{query}"))
        return {name for name in ("Ben", "Pending", "Gone", "Sam") if f"{name} Tester" in body}

    assert found(f"role={sc_role}") == {"Sam"}
    assert found(f"territory={uk.id}") == {"Ben"}
    assert found("company=northlight") == {"Ben"}
    assert found("status=pending") == {"Pending"}
    assert found("status=suspended") == {"Gone"}
    assert found("status=active&q=ben") == {"Ben"}


def test_directory_paginates(admin_client, app):
    app.config["USERS_PER_PAGE"] = 5
    for n in range(12):
        f.buyer(first_name=f"Buyer{n:02d}", last_name="Zed")
    first = text(admin_client.get("/admin/users?q=Zed"))
    third = text(admin_client.get("/admin/users?q=Zed&page=3"))
    assert "Page 1 of 3" in first and "Buyer00 Zed" in first and "Buyer05 Zed" not in first
    assert "Buyer10 Zed" in third and "Buyer11 Zed" in third and "Next" not in third
    assert "page=2" in first


def test_directory_shows_an_empty_state(admin_client):
    assert "No user matches these filters" in text(admin_client.get("/admin/users?q=nobody"))


def test_directory_ignores_nonsense_filters(admin_client):
    response = admin_client.get("/admin/users?role=abc&territory=-1&page=xyz&status=<b>")
    assert response.status_code == 200


def test_administrator_creates_a_buyer_with_company_and_account_manager(admin_client):
    uk = f.territory("UK")
    northlight = f.company("Northlight Media")
    alice = f.account_manager(first_name="Alice")
    buyer_role = f.role(f.RoleKind.BUYER)
    response = admin_client.post("/admin/users/new", data={
        "first_name": "Ben", "last_name": "Carter", "email": "Ben.Carter@Example.com",
        "job_title": "Head of Acquisitions", "roles": [buyer_role.id], "territories": [uk.id],
        "company": northlight.id, "account_manager": alice.id, "region": 0,
        "status": "active", "password": "a good long password"})
    assert response.status_code == 303
    ben = db.session.scalar(db.select(User).where(User.email == "ben.carter@example.com"))
    assert ben.company == northlight and ben.account_manager == alice
    assert [t.name for t in ben.territories] == ["UK"] and ben.is_buyer
    assert response.headers["Location"] == f"/admin/users/{ben.id}"


def test_user_form_rejects_bad_input_with_messages_and_keeps_what_was_typed(admin_client):
    f.buyer(email="taken@example.com")
    response = admin_client.post("/admin/users/new", data={
        "first_name": "Ben", "last_name": "", "email": "TAKEN@example.com", "roles": [],
        "status": "active", "password": "short"})
    body = text(response)
    assert response.status_code == 422
    assert "This field is required." in body
    assert "Use at least 8 characters" in body
    assert 'value="Ben"' in body
    response = admin_client.post("/admin/users/new", data={
        "first_name": "Ben", "last_name": "Carter", "email": "TAKEN@example.com",
        "roles": [f.role(f.RoleKind.BUYER).id], "status": "active"})
    assert response.status_code == 422
    assert "Another user already has this email address." in text(response)


def test_user_form_rejects_a_missing_role_and_unknown_choices(admin_client):
    data = {"first_name": "Ben", "last_name": "Carter", "email": "ben@example.com",
            "status": "active"}
    response = admin_client.post("/admin/users/new", data=data)
    assert response.status_code == 422 and "Choose at least one role." in text(response)
    response = admin_client.post("/admin/users/new", data={**data, "roles": [999],
                                                           "company": "abc"})
    assert response.status_code == 422
    assert "is not a valid choice" in text(response)
    assert "could not coerce" in text(response)


def test_editing_keeps_the_password_when_left_empty(admin_client):
    ben = f.buyer(first_name="Ben", email="ben@example.com")
    old_hash = ben.password_hash
    response = admin_client.post(f"/admin/users/{ben.id}/edit", data={
        "first_name": "Benjamin", "last_name": "Carter", "email": "ben@example.com",
        "roles": [r.id for r in ben.roles], "status": "active", "password": ""})
    assert response.status_code == 303
    db.session.refresh(ben)
    assert ben.first_name == "Benjamin" and ben.password_hash == old_hash


def test_edit_form_shows_current_values(admin_client):
    uk = f.territory("UK")
    f.territory("Nordics")
    ben = f.buyer(first_name="Ben", territories=[uk])
    body = text(admin_client.get(f"/admin/users/{ben.id}/edit"))
    assert 'value="Ben"' in body
    checked = [line for line in body.splitlines()
               if 'name="territories"' in line and "checked" in line]
    assert len(checked) == 1 and f'value="{uk.id}"' in checked[0]


def test_suspend_and_unsuspend(admin_client):
    ben = f.buyer(first_name="Ben")
    assert admin_client.post(f"/admin/users/{ben.id}/suspend").status_code == 303
    db.session.refresh(ben)
    assert ben.is_suspended and not ben.is_active
    assert "Suspended" in text(admin_client.get(f"/admin/users/{ben.id}"))
    admin_client.post(f"/admin/users/{ben.id}/unsuspend")
    db.session.refresh(ben)
    assert not ben.is_suspended


def test_administrator_cannot_suspend_themselves(app, login):
    me = f.admin()
    client = login(me)
    response = client.post(f"/admin/users/{me.id}/suspend", follow_redirects=True)
    assert "You cannot suspend your own account." in text(response)
    db.session.refresh(me)
    assert not me.is_suspended


def test_unknown_user_is_404(admin_client):
    assert admin_client.get("/admin/users/99999").status_code == 404
    assert admin_client.post("/admin/users/99999/suspend").status_code == 404
