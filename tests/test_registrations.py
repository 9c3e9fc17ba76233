"""Registrations: the public form, who is notified, who decides, and the audit trail."""

import pytest
from sqlalchemy import select

from tests import factories as f
from webapp import access
from webapp.extensions import db
from webapp.models import Company, OutboxMessage, Registration, RegistrationStatus, UserStatus
from webapp.permissions import Permission
from webapp.services import registrations as service
from webapp.services.accounts import find_by_email

pytestmark = pytest.mark.usefixtures("ctx")


def text(response):
    return response.get_data(as_text=True)


def outbox(to=None):
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    if to is None:
        return messages
    return [m for m in messages if to in m.recipients.split(",")]


def recipients_of_notices():
    return sorted(m.recipients for m in outbox() if m.kind == "registration_notice")


@pytest.fixture
def world():
    """The demo's shape in miniature."""
    uk, dach, na = f.territory("UK & Ireland"), f.territory("DACH"), f.territory("North America")
    alice = f.account_manager(first_name="Alice", email="alice@example.com", territories=[uk])
    bob = f.account_manager(first_name="Bob", email="bob@example.com", territories=[dach])
    carol = f.account_manager(first_name="Carol", email="carol@example.com", territories=[na])
    return {
        "uk": uk, "dach": dach, "na": na, "alice": alice, "bob": bob, "carol": carol,
        "sam": f.sales_coordinator(alice, first_name="Sam", email="sam@example.com"),
        "tess": f.sales_coordinator(first_name="Tess", email="tess@example.com",
                                    territories=[dach]),
        "rita": f.sales_coordinator(carol, first_name="Rita", email="rita@example.com"),
    }


def form_data(where, **overrides):
    return {
        "first_name": "Nina", "last_name": "Holm", "email": "nina@broadcaster.example.com",
        "password": "a long enough password", "confirm": "a long enough password",
        "company_name": "Broadcaster Ltd", "job_title": "Head of Acquisitions",
        "phone": "+44 20 7946 0000", "territory": where.id, "region": 0,
        "account_manager": 0, "marketing_consent": "y", **overrides,
    }


def apply(client, where, **overrides):
    return client.post("/register", data=form_data(where, **overrides))


def test_registration_creates_a_pending_buyer_who_cannot_log_in(client, world):
    response = apply(client, world["uk"])
    assert response.status_code == 303
    assert response.headers["Location"] == "/register/thanks"
    assert "We will review your application" in text(client.get("/register/thanks"))
    nina = find_by_email("NINA@broadcaster.example.com")
    assert nina.status == UserStatus.PENDING and nina.is_buyer
    registration = db.session.scalar(select(Registration))
    assert registration.company_name == "Broadcaster Ltd"
    assert registration.marketing_consent and registration.territory == world["uk"]
    assert [e.action for e in registration.events] == ["submitted"]
    login = client.post("/login", data={"email": "nina@broadcaster.example.com",
                                         "password": "a long enough password"})
    assert login.status_code == 422 and "still being reviewed" in text(login)


def test_registration_in_uk_notifies_sam_and_alice_once_each_and_nobody_else(client, world):
    world["alice"].sales_coordinators.append(world["tess"])  # Tess also directly to Alice
    db.session.commit()
    apply(client, world["uk"])
    assert recipients_of_notices() == ["alice@example.com", "sam@example.com",
                                       "tess@example.com"]


def test_notification_reaches_territory_coordinators_and_the_chosen_contact(client, world):
    apply(client, world["dach"], account_manager=world["carol"].id)
    assert recipients_of_notices() == ["bob@example.com", "carol@example.com",
                                       "rita@example.com", "tess@example.com"]


def test_sales_coordinator_whose_territory_matches_is_notified_without_an_am(client, world):
    nordics = f.territory("Nordics")
    f.sales_coordinator(first_name="Nora", email="nora@example.com", territories=[nordics])
    apply(client, nordics)
    assert recipients_of_notices() == ["nora@example.com"]


def test_notice_names_applicant_company_territory_and_links_to_the_review(client, world):
    apply(client, world["uk"], company_name="<b>Broad & Cast</b>")
    notice = outbox("sam@example.com")[0]
    nina = find_by_email("nina@broadcaster.example.com")
    assert "Nina Holm" in notice.subject
    for body in (notice.text_body, notice.html_body):
        assert "Nina Holm" in body and "UK &" in body
        assert f"http://127.0.0.1:5000/approvals/{nina.id}" in body
    assert "&lt;b&gt;Broad &amp; Cast&lt;/b&gt;" in notice.html_body
    assert "<b>Broad & Cast</b>" in notice.text_body


def test_taken_email_gets_the_same_answer_and_an_email_to_its_owner(client, world):
    f.buyer(email="nina@broadcaster.example.com")
    response = apply(client, world["uk"], email="Nina@Broadcaster.example.com")
    assert response.status_code == 303 and response.headers["Location"] == "/register/thanks"
    assert db.session.scalar(select(Registration)) is None
    [message] = outbox()
    assert message.kind == "account_exists"
    assert message.recipients == "nina@broadcaster.example.com"


@pytest.mark.parametrize("overrides, message", [
    ({"email": "not-an-email"}, "Invalid email address."),
    ({"confirm": "something else"}, "The two passwords do not match."),
    ({"password": "short", "confirm": "short"}, "Use at least 8 characters"),
    ({"territory": 0}, "Choose the territory you buy for."),
    ({"company_name": ""}, "This field is required."),
    ({"phone": "call me maybe"}, "Use digits, spaces"),
    ({"territory": "99999"}, "Not a valid choice"),
])
def test_invalid_registration_shows_field_messages_and_keeps_the_input(
        client, world, overrides, message):
    response = apply(client, world["uk"], **overrides)
    assert response.status_code == 422
    body = text(response)
    assert message in body
    assert 'value="Nina"' in body
    assert db.session.scalar(select(Registration)) is None


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"REGISTRATION_RATE_LIMIT": "2 per hour"}

    def test_too_many_applications_get_a_friendly_429(self, client, world):
        assert apply(client, world["uk"], email="a@example.com").status_code == 303
        assert apply(client, world["uk"], email="b@example.com").status_code == 303
        response = apply(client, world["uk"], email="c@example.com")
        assert response.status_code == 429
        assert "Too many attempts" in text(response)
        assert client.get("/register").status_code == 200  # reading the form is not limited


def test_recipients_of_overlapping_paths_are_each_listed_once(world):
    applicant = f.buyer(first_name="App", territories=[world["uk"]],
                        account_manager=world["alice"], status=UserStatus.PENDING)
    world["alice"].territories.append(world["dach"])  # Tess now shares a territory with Alice
    world["alice"].sales_coordinators.append(world["tess"])  # and is linked to her directly
    db.session.commit()
    names = [u.first_name for u in db.session.scalars(access.registration_recipients(applicant))]
    assert names == ["Alice", "Sam", "Tess"]


# --- approvals -----------------------------------------------------------------------------


@pytest.fixture
def applications(world):
    """One application per territory, as submitted on the website."""
    made = {}
    for key, territory in (("uk", world["uk"]), ("dach", world["dach"]), ("na", world["na"])):
        made[key] = service.register(
            first_name=f"Applicant-{key}", last_name="Holm", email=f"{key}@apply.example.com",
            password="a long enough password", company_name=f"Company {key}",
            job_title="Buyer", phone="", territory=territory)
    db.session.commit()
    return made


def visible_to(user):
    return sorted(r.company_name for r in db.session.scalars(
        access.registrations_visible_to(user)))


def test_each_coordinator_sees_only_applications_linked_to_their_ams_or_territories(
        world, applications):
    assert visible_to(world["sam"]) == ["Company uk"]
    assert visible_to(world["tess"]) == ["Company dach"]
    assert visible_to(world["rita"]) == ["Company na"]
    assert visible_to(world["alice"]) == ["Company uk"]
    assert visible_to(f.admin()) == ["Company dach", "Company na", "Company uk"]
    assert visible_to(f.buyer()) == []
    lonely = f.sales_coordinator(first_name="Lonely")
    assert visible_to(lonely) == []


def test_a_role_with_approve_registrations_and_no_coordinator_links_sees_all(applications):
    desk = f.custom_role(name="Registrations desk",
                         permissions=[Permission.APPROVE_REGISTRATIONS])
    assert visible_to(f.user(roles=[desk])) == ["Company dach", "Company na", "Company uk"]


def test_another_coordinators_application_is_404(login, world, applications):
    client = login(world["sam"])
    dach_applicant = applications["dach"].user_id
    assert client.get(f"/approvals/{dach_applicant}").status_code == 404
    assert client.post(f"/approvals/{dach_applicant}/reject",
                       data={"reason": "no"}).status_code == 404
    assert client.get(f"/approvals/{applications['uk'].user_id}").status_code == 200


def test_approvals_page_has_tabs_with_counts_and_search(login, world, applications):
    client = login(f.admin())
    body = text(client.get("/approvals"))
    assert "Applicant-uk Holm" in body and "Applicant-dach Holm" in body
    assert 'aria-current="page">Pending <span class="count">3</span>' in body
    searched = text(client.get("/approvals?q=company%20dach", headers={"HX-Request": "true"}))
    assert "Applicant-dach" in searched and "Applicant-uk" not in searched
    assert searched.lstrip().startswith('<div id="approval-results">')
    assert "No application has been approved yet." in text(client.get("/approvals?tab=approved"))
    assert client.get("/approvals?tab=bogus").status_code == 200


def test_coordinator_approves_with_an_existing_company(login, world, applications):
    northlight = f.company("Northlight Media", territories=[world["uk"]])
    application = applications["uk"]
    client = login(world["sam"])
    response = client.post(f"/approvals/{application.user_id}/approve", data={
        "company_id": northlight.id, "company_name": "Northlight Media",
        "account_manager": world["alice"].id, "territories": [world["uk"].id], "region": 0})
    assert response.status_code == 303
    db.session.expire_all()
    user = application.user
    assert user.status == UserStatus.ACTIVE and user.company == northlight
    assert user.account_manager == world["alice"]
    assert application.status == RegistrationStatus.APPROVED
    assert application.decided_by == world["sam"]
    event = application.events[-1]
    assert event.action == "approved" and event.actor == world["sam"]
    assert "Company: — → Northlight Media" in event.changes
    assert "Account Manager: — → Alice Tester" in event.changes
    [email] = [m for m in outbox(user.email) if m.kind == "registration_approved"]
    assert "http://127.0.0.1:5000/login" in email.text_body
    client.post("/logout")
    login_response = client.post("/login", data={"email": user.email,
                                                  "password": "a long enough password"})
    assert login_response.status_code == 303


def test_approving_with_a_new_company_creates_it_once(login, world, applications):
    client = login(f.admin())
    user_id = applications["uk"].user_id
    data = {"company_id": 0, "company_name": "  Brand  New Co ",
            "territories": [world["uk"].id]}
    assert client.post(f"/approvals/{user_id}/approve", data=data).status_code == 303
    db.session.expire_all()
    assert applications["uk"].user.company.name == "Brand New Co"
    again = client.post(f"/approvals/{applications['na'].user_id}/approve",
                        data={**data, "company_name": "brand new co"})
    assert again.status_code == 303
    assert db.session.scalar(select(db.func.count()).select_from(Company)) == 1


def test_approval_needs_a_company_and_a_territory(login, world, applications):
    client = login(f.admin())
    user_id = applications["uk"].user_id
    response = client.post(f"/approvals/{user_id}/approve", data={
        "company_id": 0, "company_name": "", "territories": [world["uk"].id]})
    assert response.status_code == 422
    assert "Choose a company or type the name of a new one." in text(response)
    response = client.post(f"/approvals/{user_id}/approve", data={
        "company_id": 0, "company_name": "Some Co"})
    assert response.status_code == 422 and "Choose at least one territory." in text(response)
    db.session.expire_all()
    assert applications["uk"].status == RegistrationStatus.PENDING


def test_rejection_needs_a_reason_and_tells_the_applicant(login, world, applications):
    client = login(world["tess"])
    application = applications["dach"]
    response = client.post(f"/approvals/{application.user_id}/reject", data={"reason": " "})
    assert response.status_code == 422 and "This field is required." in text(response)
    response = client.post(f"/approvals/{application.user_id}/reject",
                           data={"reason": "We could not verify your company."})
    assert response.status_code == 303
    db.session.expire_all()
    assert application.status == RegistrationStatus.REJECTED
    assert application.user.status == UserStatus.REJECTED
    [email] = [m for m in outbox(application.user.email) if m.kind == "registration_rejected"]
    assert "We could not verify your company." in email.text_body
    assert "Reason: We could not verify your company." in application.events[-1].changes


def test_rejected_application_can_be_reviewed_again_and_approved(login, world, applications):
    client = login(world["tess"])
    user_id = applications["dach"].user_id
    client.post(f"/approvals/{user_id}/reject", data={"reason": "Unverified."})
    assert "Review again" in text(client.get(f"/approvals/{user_id}"))
    response = client.post(f"/approvals/{user_id}/approve", data={
        "company_name": "Verified GmbH", "territories": [world["dach"].id]})
    assert response.status_code == 303
    db.session.expire_all()
    application = applications["dach"]
    assert application.status == RegistrationStatus.APPROVED
    assert application.rejection_reason is None
    assert [e.action for e in application.events] == ["submitted", "rejected", "approved"]
    page = text(client.get(f"/approvals/{user_id}"))
    assert "Rejected</strong> by Tess" in page and "Approved</strong> by Tess" in page
    again = client.post(f"/approvals/{user_id}/reject", data={"reason": "Changed my mind"})
    assert again.status_code == 422
    assert "already been approved" in text(again)


def test_company_picker_suggests_matches_and_warns_of_near_matches(login, world, applications):
    f.company("Northlight Media")
    f.company("Fjord Vision")
    client = login(f.admin())
    url = f"/approvals/{applications['uk'].user_id}/companies"
    body = text(client.get(f"{url}?company_name=Northlight Media Ltd", headers={
        "HX-Request": "true"}))
    assert "looks like <strong>Northlight Media</strong>" in body
    assert "Create a new company “Northlight Media Ltd”" in body
    exact = text(client.get(f"{url}?company_name=fjord vision", headers={"HX-Request": "true"}))
    assert "looks like" not in exact and "Create a new company" not in exact
    assert "Fjord Vision" in exact and "checked" in exact


def test_review_page_prefills_what_the_applicant_typed(login, world, applications):
    body = text(login(f.admin()).get(f"/approvals/{applications['uk'].user_id}"))
    assert 'value="Company uk"' in body
    assert "Applicant-uk Holm" in body and "Submitted" in body
