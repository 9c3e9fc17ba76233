"""Profiles: an AM's Sales Coordinators and buyers, an SC's Account Managers."""

import re

import pytest
from sqlalchemy import select

from tests import factories as f
from webapp.extensions import db
from webapp.models import OutboxMessage
from webapp.services.profiles import wants_meeting_changes
from webapp.services.registrations import register

pytestmark = pytest.mark.usefixtures("ctx")

HTMX = {"HX-Request": "true"}


def text(response):
    return response.get_data(as_text=True)


def section(body, element_id):
    """The HTML of the element with this id, up to its closing </section>."""
    start = body.index(f'id="{element_id}"')
    return body[start:body.index("</section>", start)]


@pytest.fixture
def people():
    dach, uk = f.territory("DACH"), f.territory("UK")
    bob = f.account_manager(first_name="Bob", last_name="Keller", territories=[dach])
    carol = f.account_manager(first_name="Carol", last_name="Nguyen")
    alice = f.account_manager(first_name="Alice", last_name="Morgan", territories=[uk])
    return {
        "bob": bob, "carol": carol, "alice": alice,
        "tess": f.sales_coordinator(first_name="Tess", last_name="Becker", territories=[dach]),
        "sam": f.sales_coordinator(alice, first_name="Sam", last_name="Patel"),
        "rita": f.sales_coordinator(carol, first_name="Rita", last_name="Oliveira"),
        "dora": f.buyer(first_name="Dora", last_name="Weber", territories=[dach],
                        account_manager=carol),
        "ben": f.buyer(first_name="Ben", last_name="Carter", territories=[uk]),
    }


@pytest.fixture
def admin_client(login):
    return login(f.admin())


def test_account_manager_profile_lists_coordinators_and_buyers_with_how_they_are_linked(
        admin_client, people):
    body = text(admin_client.get(f"/admin/users/{people['bob'].id}"))
    coordinators = section(body, "sales-coordinators")
    assert "No Sales Coordinator is assigned directly yet." in coordinators
    by_territory = coordinators.split("Associated by territory")[1]
    assert "Tess Becker" in by_territory and "by territory" in by_territory
    buyers = section(body, "buyers")
    assert "Dora Weber" in buyers and "by territory" in buyers
    assert "Ben Carter" not in buyers
    assert "DACH" in body


def test_buyer_linked_both_ways_appears_once_with_both_marks(admin_client, people):
    people["dora"].account_manager = people["bob"]
    db.session.commit()
    buyers = section(text(admin_client.get(f"/admin/users/{people['bob'].id}")), "buyers")
    assert buyers.count("Dora Weber") == 1
    assert "direct" in buyers and "by territory" in buyers


def test_buyer_list_on_the_profile_is_paginated(admin_client, people):
    for n in range(25):
        f.buyer(first_name=f"Many{n:02d}", account_manager=people["carol"])
    first = section(text(admin_client.get(f"/admin/users/{people['carol'].id}")), "buyers")
    assert "Page 1 of 2 · 26 in all" in first
    assert "Dora Weber" in first and "Many18" in first and "Many19" not in first
    second = admin_client.get(f"/admin/users/{people['carol'].id}?buyers_page=2", headers=HTMX)
    assert text(second).lstrip().startswith('<section id="buyers">')
    assert "Many19" in text(second) and "Many24" in text(second)


def test_sales_coordinator_profile_marks_direct_and_territory_account_managers(
        admin_client, people):
    people["bob"].sales_coordinators.append(people["tess"])
    people["carol"].sales_coordinators.append(people["tess"])
    db.session.commit()
    body = section(text(admin_client.get(f"/admin/users/{people['tess'].id}")),
                   "account-managers")
    bob_line = next(line for line in body.split("<li>") if "Bob Keller" in line)
    carol_line = next(line for line in body.split("<li>") if "Carol Nguyen" in line)
    assert "direct" in bob_line and "by territory" in bob_line
    assert "direct" in carol_line and "by territory" not in carol_line
    assert "Alice" not in body


def test_candidates_are_only_unlinked_sales_coordinators_matching_the_search(
        admin_client, people):
    url = f"/admin/users/{people['alice'].id}/sales-coordinators"
    body = text(admin_client.get(f"{url}?q=", headers=HTMX))
    candidates = section(body, "sales-coordinators").split('id="sc-candidates"')[1]
    candidates = candidates.split("Associated by territory")[0]
    assert "Tess Becker" in candidates and "Rita Oliveira" in candidates
    assert "Sam Patel" not in candidates  # already linked
    assert "Ben Carter" not in candidates and "Bob Keller" not in candidates
    body = text(admin_client.get(f"{url}?q=ben", headers=HTMX))
    assert "No Sales Coordinator matches “ben”." in body


def test_candidate_search_without_htmx_renders_the_whole_profile(admin_client, people):
    body = text(admin_client.get(
        f"/admin/users/{people['alice'].id}/sales-coordinators?q=tess"))
    assert "<html" in body and "Tess Becker" in body


def test_adding_a_coordinator_with_htmx_returns_the_updated_section(admin_client, people):
    alice, tess = people["alice"], people["tess"]
    response = admin_client.post(f"/admin/users/{alice.id}/sales-coordinators",
                                 data={"sales_coordinator_id": tess.id}, headers=HTMX)
    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="sales-coordinators"')
    assigned = body.split("Add a Sales Coordinator")[0]
    assert "Tess Becker" in assigned and "Sam Patel" in assigned
    assert "Tess Becker now coordinates for Alice." in body
    db.session.refresh(alice)
    assert tess in alice.sales_coordinators


def test_adding_a_coordinator_without_htmx_redirects_to_the_profile(admin_client, people):
    alice, tess = people["alice"], people["tess"]
    response = admin_client.post(f"/admin/users/{alice.id}/sales-coordinators",
                                 data={"sales_coordinator_id": tess.id})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/users/{alice.id}"
    assert "Tess Becker now coordinates" in text(admin_client.get(response.headers["Location"]))


def test_only_sales_coordinators_can_be_assigned(admin_client, people):
    alice = people["alice"]
    response = admin_client.post(f"/admin/users/{alice.id}/sales-coordinators",
                                 data={"sales_coordinator_id": people["ben"].id}, headers=HTMX)
    assert response.status_code == 422
    assert "does not hold the Sales Coordinator role" in text(response)
    db.session.refresh(alice)
    assert people["ben"] not in alice.sales_coordinators


@pytest.mark.parametrize("value", ["", "abc", "99999"])
def test_assigning_nobody_is_a_bad_request(admin_client, people, value):
    response = admin_client.post(f"/admin/users/{people['alice'].id}/sales-coordinators",
                                 data={"sales_coordinator_id": value})
    assert response.status_code == 400


def test_coordinator_routes_are_404_for_users_who_are_not_account_managers(
        admin_client, people):
    ben = people["ben"]
    assert admin_client.get(f"/admin/users/{ben.id}/sales-coordinators").status_code == 404
    response = admin_client.post(f"/admin/users/{ben.id}/sales-coordinators",
                                 data={"sales_coordinator_id": people["tess"].id})
    assert response.status_code == 404


def test_removing_a_direct_link_keeps_the_territory_link(admin_client, people):
    bob, tess = people["bob"], people["tess"]
    bob.sales_coordinators.append(tess)
    db.session.commit()
    response = admin_client.post(
        f"/admin/users/{bob.id}/sales-coordinators/{tess.id}/remove", headers=HTMX)
    body = text(response)
    assert response.status_code == 200
    assert "Tess Becker removed from Bob." in body
    assigned, by_territory = body.split("<h3>Assigned</h3>")[1].split("Associated by territory")
    assert "Tess Becker" not in assigned.split("Add a Sales Coordinator")[0]
    assert "Tess Becker" in by_territory
    db.session.refresh(bob)
    assert bob.sales_coordinators == []


def test_own_profile_shows_a_coordinators_account_managers(login, people):
    client = login(people["tess"])
    body = text(client.get("/profile"))
    assert "Bob Keller" in body and "by territory" in body
    assert "/admin/users/" not in body  # no links into admin for a coordinator


def test_own_profile_shows_an_account_managers_buyers(login, people):
    body = text(login(people["carol"]).get("/profile"))
    assert "Dora Weber" in section(body, "buyers")
    assert "Rita Oliveira" in section(body, "sales-coordinators")


def test_buyers_link_leads_to_the_directory_filtered_to_that_account_manager(
        admin_client, people):
    body = text(admin_client.get(f"/admin/users?am={people['bob'].id}"))
    rows = re.findall(r'<tr id="user-\d+">.*?</tr>', body, re.S)
    assert len(rows) == 1 and "Dora Weber" in rows[0]
    assert "Showing the buyers of <strong>Bob Keller</strong>" in body


# --- A user's own changes ----------------------------------------------------------------


def own_profile_form(**fields):
    return {"first_name": "Tess", "last_name": "Becker", "job_title": "Sales Coordinator",
            "phone": "+49 30 1234", "notify_registrations": "y",
            "notify_meeting_changes": "y", **fields}


def test_a_user_edits_their_own_name_phone_job_title_and_email_choices(login, people):
    client = login(people["tess"])
    form = text(client.get("/profile/edit"))
    assert 'value="Tess"' in form and "New registrations" in form
    response = client.post("/profile/edit", data=own_profile_form(
        first_name=" Theresa ", job_title="Senior Sales Coordinator", phone="+49 30 5678",
        notify_registrations=""))
    assert response.status_code == 303 and response.location.endswith("/profile")
    db.session.expire_all()
    tess = people["tess"]
    assert (tess.first_name, tess.job_title, tess.phone) == (
        "Theresa", "Senior Sales Coordinator", "+49 30 5678")
    assert tess.notify_registrations is False and tess.notify_meeting_changes is True
    page = text(client.get("/profile"))
    assert "Theresa Becker" in page and "New registrations: off" in page


def test_a_profile_without_a_name_is_refused_with_what_was_typed_kept(login, people):
    client = login(people["tess"])
    response = client.post("/profile/edit", data=own_profile_form(
        last_name="  ", job_title="Typed and kept"))
    assert response.status_code == 422
    assert "Enter your last name." in text(response)
    assert 'value="Typed and kept"' in text(response)
    db.session.expire_all()
    assert people["tess"].last_name == "Becker" and people["tess"].job_title == ""


def test_a_too_long_phone_number_is_a_clear_4xx(login, people):
    response = login(people["tess"]).post("/profile/edit",
                                          data=own_profile_form(phone="1" * 41))
    assert response.status_code == 422 and "phone number is too long" in text(response)


def test_a_buyer_edits_their_details_and_is_offered_no_staff_emails(login, people):
    client = login(people["ben"])
    assert "New registrations" not in text(client.get("/profile/edit"))
    response = client.post("/profile/edit", data=own_profile_form(
        first_name="Benjamin", last_name="Carter", notify_registrations=""))
    assert response.status_code == 303
    db.session.expire_all()
    assert people["ben"].first_name == "Benjamin"
    assert people["ben"].notify_registrations is True  # not theirs to change


def test_the_email_address_is_not_changed_from_the_profile(login, people):
    client = login(people["tess"])
    client.post("/profile/edit", data=own_profile_form(email="someone@else.example"))
    db.session.expire_all()
    assert people["tess"].email != "someone@else.example"


def test_registration_notices_go_only_to_those_who_want_them(people):
    people["tess"].notify_registrations = False  # Bob's SC by territory, opting out
    db.session.commit()
    register(first_name="Dieter", last_name="Applicant", email="dieter@example.com",
             password="a long enough password", company_name="Neue Sender", job_title="Buyer",
             phone="", territory=people["bob"].territories[0], account_manager=None)
    db.session.commit()
    notices = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "registration_notice")).all()
    assert [n.recipients for n in notices] == [people["bob"].email]


def test_meeting_change_emails_to_staff_follow_their_choice(people):
    people["bob"].notify_meeting_changes = False
    chosen = wants_meeting_changes([people["bob"], people["tess"], people["dora"]])
    assert chosen == [people["tess"], people["dora"]]
