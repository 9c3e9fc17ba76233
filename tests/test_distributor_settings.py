"""Admin > Settings: the distributor's name, logo, sending address, footer and colour, checked
when saved and used by every page and email."""

import io
import random
import re

import pytest
from PIL import Image
from sqlalchemy import select

from tests import factories as f
from tests.smtp import mail_settings
from webapp.extensions import db
from webapp.mail import service as mail
from webapp.models import DistributorSettings, OutboxMessage
from webapp.services import distributor

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def app_config(smtp):
    return mail_settings(smtp)


@pytest.fixture
def admin_client(login):
    return login(f.admin())


def text(response):
    return response.get_data(as_text=True)


def png(width=40, height=20) -> bytes:
    """A PNG of that size, noisy so that it does not compress to nothing."""
    out = io.BytesIO()
    noise = random.Random(width * height).randbytes(width * height)
    Image.frombytes("L", (width, height), noise).save(out, format="PNG")
    return out.getvalue()


def settings_form(**changes):
    return {"name": "Northlight Distribution", "sending_address": "sales@northlight.example",
            "footer_address": "1 Harbour Street\nLondon", "footer_contact": "+44 20 7946 0000",
            "accent_colour": "#0b6e4f", **changes}


def saved() -> DistributorSettings | None:
    db.session.expire_all()
    return db.session.scalar(select(DistributorSettings))


def test_an_administrator_saves_the_settings_and_every_page_carries_the_name(admin_client):
    response = admin_client.post("/admin/settings", data=settings_form())
    assert response.status_code == 303
    row = saved()
    assert (row.name, row.sending_address, row.accent_colour) == (
        "Northlight Distribution", "sales@northlight.example", "#0b6e4f")
    page = text(admin_client.get("/catalogue"))
    assert "<title>Catalogue · Northlight Distribution</title>" in page
    assert "<strong>Northlight Distribution</strong>" in page and "Sales CMS" not in page
    assert "/distributor/theme.css" in page
    css = admin_client.get("/distributor/theme.css")
    assert css.mimetype == "text/css" and "--brand: #0b6e4f" in text(css)


def test_the_login_page_carries_the_name_too(client, admin_client):
    admin_client.post("/admin/settings", data=settings_form())
    client.post("/logout")
    with client.session_transaction() as session:
        session.clear()
    assert "Northlight Distribution" in text(client.get("/login"))


@pytest.mark.parametrize("colour", ["red", "#12345", "#1234567", "#GGGGGG", "1d3557"])
def test_a_bad_colour_is_refused_with_a_message_and_nothing_typed_is_lost(
        admin_client, colour):
    admin_client.post("/admin/settings", data=settings_form())
    response = admin_client.post("/admin/settings", data=settings_form(
        name="A new name", accent_colour=colour))
    assert response.status_code == 422
    page = text(response)
    assert "Give the accent colour as # and six hex digits" in page
    assert 'value="A new name"' in page and "+44 20 7946 0000" in page
    assert (saved().name, saved().accent_colour) == ("Northlight Distribution", "#0b6e4f")


def test_an_uploaded_logo_is_stored_and_served(admin_client):
    response = admin_client.post("/admin/settings", data={
        **settings_form(), "logo": (io.BytesIO(png()), "logo.png")})
    assert response.status_code == 303
    assert saved().logo_type == "image/png"
    page = text(admin_client.get("/catalogue"))
    assert "/distributor/logo?v=" in page
    logo = admin_client.get("/distributor/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/png"
    assert logo.data == png()


@pytest.mark.parametrize("upload, message", [
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not an image we can read"),
    (b"GIF89a but not really", "not an image we can read"),
    (png(200, 200), "larger than 2 KB"),
])
def test_a_logo_that_is_not_an_image_or_too_large_is_refused_and_the_old_one_kept(
        admin_client, monkeypatch, upload, message):
    # A small cap: the test client's encoder leaves a temporary file open for large bodies.
    monkeypatch.setattr(distributor, "MAX_LOGO_BYTES", 2048)
    admin_client.post("/admin/settings", data={
        **settings_form(), "logo": (io.BytesIO(png()), "logo.png")})
    response = admin_client.post("/admin/settings", data={
        **settings_form(footer_contact="Call Ann"), "logo": (io.BytesIO(upload), "logo.png")})
    assert response.status_code == 422
    assert message in text(response) and 'value="Call Ann"' in text(response)
    row = saved()
    assert row.logo == png() and row.footer_contact == "+44 20 7946 0000"


def test_a_logo_with_huge_dimensions_is_refused(admin_client):
    response = admin_client.post("/admin/settings", data={
        **settings_form(), "logo": (io.BytesIO(png(4000, 10)), "wide.png")})
    assert response.status_code == 422 and "4000 × 10 pixels" in text(response)
    assert saved() is None


def test_a_name_is_required_and_the_sending_address_must_be_an_address(admin_client):
    response = admin_client.post("/admin/settings", data=settings_form(
        name=" ", sending_address="not an address"))
    assert response.status_code == 422
    assert "Give the distributor&#39;s name." in text(response)
    assert "The sending address is not an email address." in text(response)
    assert saved() is None


@pytest.mark.parametrize("who", ["sales_coordinator", "account_manager", "buyer"])
def test_only_administrators_may_change_the_settings(login, who):
    client = login(getattr(f, who)())
    assert client.get("/admin/settings").status_code == 403
    assert client.post("/admin/settings", data=settings_form()).status_code == 403
    assert saved() is None


def test_emails_come_from_the_distributor_with_its_footer(admin_client, smtp):
    admin_client.post("/admin/settings", data=settings_form())
    person = f.buyer(email="ben@broadcaster.example")
    mail.queue_email(person.email, "account_exists", "Your account", person=person,
                     login_url="https://cms.example.com/login")
    db.session.commit()
    mail.send_due()
    [received] = smtp.messages
    assert received["From"] == "Northlight Distribution <sales@northlight.example>"
    plain, html = received.iter_parts()
    assert "-- \nNorthlight Distribution\n1 Harbour Street\nLondon\n+44 20 7946 0000" in (
        plain.get_content().replace("\r\n", "\n"))
    assert "1 Harbour Street" in html.get_content() and "#0b6e4f" in html.get_content()
    assert "Sales CMS" not in html.get_content()


def test_an_email_in_an_account_managers_name_replies_to_them(admin_client, smtp):
    admin_client.post("/admin/settings", data=settings_form())
    alice = f.account_manager(first_name="Alice", last_name="Morgan",
                              email="alice@northlight.example")
    sam = f.sales_coordinator(alice, first_name="Sam", last_name="Patel")
    buyer = f.buyer(email="ben@broadcaster.example")
    message = mail.queue_email(buyer.email, "account_exists", "Your account", person=buyer,
                               login_url="https://cms.example.com/login",
                               sent_by=sam, acting_for=alice)
    db.session.commit()
    assert message.sent_by_text == "Sam Patel for Alice Morgan"
    mail.send_due()
    [received] = smtp.messages
    assert received["From"] == (
        "Alice Morgan via Northlight Distribution <sales@northlight.example>")
    assert received["Reply-To"] == "alice@northlight.example"
    page = text(admin_client.get(f"/admin/outbox/{message.id}"))
    assert "Sam Patel for Alice Morgan" in page and "alice@northlight.example" in page
    assert "Sam Patel for Alice Morgan" in text(admin_client.get("/admin/outbox"))


def test_without_settings_the_configured_sender_is_used(smtp):
    person = f.buyer()
    mail.queue_email(person.email, "account_exists", "Your account", person=person,
                     login_url="https://cms.example.com/login")
    db.session.commit()
    mail.send_due()
    assert smtp.messages[0]["From"] == "Sales CMS <no-reply@localhost>"
    assert db.session.scalar(select(OutboxMessage)).reply_to is None


def test_the_settings_are_read_once_per_request(admin_client, statements):
    admin_client.post("/admin/settings", data=settings_form())
    statements.clear()
    admin_client.get("/catalogue")
    reads = [s for s in statements if "FROM distributor_settings" in s]
    assert len(reads) == 1


def test_pages_read_the_settings_without_the_logos_bytes(admin_client, statements):
    admin_client.post("/admin/settings", data={
        **settings_form(), "logo": (io.BytesIO(png()), "logo.png")})
    statements.clear()
    page = text(admin_client.get("/catalogue"))
    assert "/distributor/logo?v=" in page
    reads = [s for s in statements if "FROM distributor_settings" in s]
    assert len(reads) == 1 and not re.search(r"distributor_settings\.logo\b(?!_)", reads[0])
    assert admin_client.get("/distributor/logo").data == png()
