"""Admin > Outbox: the list, one email's page, its HTML part and the retry button."""

import re

import pytest

from tests import factories as f
from webapp.extensions import db
from webapp.mail import service as mail
from webapp.models import OutboxMessage, OutboxStatus
from webapp.permissions import Permission
from webapp.web.views import EMAIL_HTML_POLICY

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def admin_client(login):
    return login(f.admin())


def text(response):
    return response.get_data(as_text=True)


def outbox_message(subject="Your Sales CMS account", status=OutboxStatus.PENDING, error=None,
                   person=None, **changes) -> OutboxMessage:
    person = person or f.buyer()
    message = mail.queue_email(person.email, "account_exists", subject, person=person,
                               login_url=mail.absolute_url("auth.login"))
    message.status, message.last_error = status, error
    for name, value in changes.items():
        setattr(message, name, value)
    db.session.commit()
    return message


def test_outbox_lists_every_email_with_its_delivery_state(admin_client):
    outbox_message("Waiting", attempts=2, error="ConnectionRefusedError: [Errno 111] refused")
    outbox_message("Delivered", status=OutboxStatus.SENT, attempts=1)
    outbox_message("Undeliverable", status=OutboxStatus.FAILED, attempts=12,
                   error="SMTPRecipientsRefused: " + "x" * 200)
    page = text(admin_client.get("/admin/outbox"))
    for column in ("Created", "Recipients", "Subject", "Status", "Attempts", "Last error",
                   "Next attempt"):
        assert f'<th scope="col">{column}</th>' in page
    assert "Waiting" in page and "Delivered" in page and "Undeliverable" in page
    assert "ConnectionRefusedError: [Errno 111] refused" in page
    assert page.count("x" * 200) == 1  # whole in the tooltip, truncated in the cell
    assert 'href="/admin/outbox?status=failed"' in page


def test_the_list_reads_no_emails_body(admin_client, statements):
    outbox_message("Waiting")
    statements.clear()
    assert "Waiting" in text(admin_client.get("/admin/outbox"))
    listed = [s for s in statements if "FROM outbox_messages" in s and "count(" not in s]
    assert listed and not any(re.search(r"\b(text_body|html_body|calendar)\b", s)
                              for s in listed)


@pytest.mark.parametrize("status, shown", [("pending", "Waiting"), ("sent", "Delivered"),
                                           ("failed", "Undeliverable")])
def test_status_tabs_show_one_status(admin_client, status, shown):
    outbox_message("Waiting")
    outbox_message("Delivered", status=OutboxStatus.SENT)
    outbox_message("Undeliverable", status=OutboxStatus.FAILED)
    page = text(admin_client.get(f"/admin/outbox?status={status}"))
    assert [subject for subject in ("Waiting", "Delivered", "Undeliverable")
            if f">{subject}</a>" in page] == [shown]
    assert f'href="/admin/outbox?status={status}" aria-current="page">' in page


def test_search_finds_emails_by_recipient_or_subject(admin_client):
    outbox_message("Meeting summary", person=f.buyer(email="nadia@northlight.example"))
    outbox_message("Your list", person=f.buyer(email="tom@alpenblick.example"))
    by_recipient = text(admin_client.get("/admin/outbox?q=NORTHLIGHT"))
    assert "Meeting summary" in by_recipient and "Your list" not in by_recipient
    by_subject = text(admin_client.get("/admin/outbox?q=your list"))
    assert "Your list" in by_subject and "Meeting summary" not in by_subject
    nothing = text(admin_client.get("/admin/outbox?q=100%25"))
    assert "No email matches “100%”." in nothing


def test_search_answers_htmx_with_the_results_only(admin_client):
    outbox_message("Meeting summary")
    response = admin_client.get("/admin/outbox?q=meeting", headers={"HX-Request": "true"})
    assert text(response).lstrip().startswith('<div id="outbox-results"')
    assert "Meeting summary" in text(response)
    assert "HX-Request" in response.headers["Vary"]


def test_outbox_is_paginated(admin_client):
    person = f.buyer()
    for n in range(26):
        outbox_message(f"Notice {n:02}", person=person)
    first = text(admin_client.get("/admin/outbox"))
    assert "Page 1 of 2 · 26 in all" in first and "Notice 25" in first and "Notice 00" not in first
    second = text(admin_client.get("/admin/outbox?page=2"))
    assert "Notice 00" in second and "Notice 25" not in second


def test_message_page_shows_headers_and_both_parts(admin_client):
    person = f.buyer(first_name="<b>Ben</b>", email="ben@broadcaster.example")
    message = outbox_message(person=person, attempts=1, error="SMTPServerDisconnected: gone")
    page = text(admin_client.get(f"/admin/outbox/{message.id}"))
    assert "ben@broadcaster.example" in page and "Sales CMS &lt;no-reply@localhost&gt;" in page
    assert message.message_id.strip("<>") in page
    assert "SMTPServerDisconnected: gone" in page
    assert "<pre>Hello &lt;b&gt;Ben&lt;/b&gt;," in page  # the text part, escaped on the page
    assert f'<iframe sandbox src="/admin/outbox/{message.id}/html"' in page
    assert "<b>Ben</b>" not in page


def test_html_part_is_served_alone_with_its_own_strict_headers(admin_client):
    message = outbox_message()
    response = admin_client.get(f"/admin/outbox/{message.id}/html")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert text(response) == message.html_body
    assert response.headers["Content-Security-Policy"] == EMAIL_HTML_POLICY
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    # Everywhere else the app-wide headers still forbid framing.
    page = admin_client.get(f"/admin/outbox/{message.id}")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_retry_makes_a_failed_email_due_again(admin_client):
    message = outbox_message(status=OutboxStatus.FAILED, attempts=12, error="Timeout")
    response = admin_client.post(f"/admin/outbox/{message.id}/retry")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/outbox/{message.id}"
    db.session.refresh(message)
    assert (message.status, message.attempts, message.last_error) == ("pending", 12, "Timeout")
    page = text(admin_client.get(response.headers["Location"]))
    assert "The email will be sent again in a moment." in page


def test_a_sent_email_cannot_be_retried(admin_client):
    message = outbox_message(status=OutboxStatus.SENT, attempts=1)
    page = text(admin_client.post(f"/admin/outbox/{message.id}/retry", follow_redirects=True))
    assert "This email has been sent already." in page
    assert "Retry now" not in page
    db.session.refresh(message)
    assert message.status == "sent"


def test_a_role_holding_manage_outbox_sees_the_outbox(login):
    role = f.custom_role("Mail desk", permissions=[Permission.MANAGE_OUTBOX])
    client = login(f.user(roles=[role]))
    page = text(client.get("/admin/outbox"))
    assert "<h1>Outbox</h1>" in page
    assert 'href="/admin/outbox"' in page  # in the Admin menu
    assert login(f.account_manager()).get("/admin/outbox").status_code == 403
