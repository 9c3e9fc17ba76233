"""A buyer registers; Sam is notified, assigns a company and approves; the buyer logs in."""

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from e2e.conftest import login, screenshot
from webapp.extensions import db
from webapp.models import OutboxMessage


def messages_to(app, address: str) -> list[OutboxMessage]:
    with app.app_context():
        messages = db.session.scalars(
            select(OutboxMessage).order_by(OutboxMessage.id)).all()
        found = [m for m in messages if address in m.recipients.split(",")]
        db.session.expunge_all()
        return found


def test_buyer_registers_and_sam_approves_them(page: Page, live_app):
    url, app = live_app.url, live_app.app
    page.goto(f"{url}/login")
    page.get_by_role("link", name="Register for access").click()
    expect(page.get_by_role("heading", name="Register as a buyer")).to_be_visible()
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Holm")
    page.get_by_label("Work email").fill("nina.holm@brightwave.example.com")
    page.get_by_label("Password", exact=True).fill("brightwave-screens")
    page.get_by_label("Repeat the password").fill("brightwave-screens")
    page.get_by_label("Company").fill("Brightwave Media")
    page.get_by_label("Job title").fill("Head of Acquisitions")
    page.get_by_label("Territory").select_option(label="UK & Ireland")
    screenshot(page, "register-form")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    screenshot(page, "register-thanks")

    [notice] = [m for m in messages_to(app, "sam@demo.test") if m.kind == "registration_notice"]
    assert "Nina Holm" in notice.subject
    review_link = re.search(r"(http://\S+/approvals/\d+)", notice.text_body).group(1)
    assert any(m.kind == "registration_notice" for m in messages_to(app, "alice@demo.test"))
    assert not messages_to(app, "tess@demo.test") and not messages_to(app, "bob@demo.test")

    login(page, url, "sam@demo.test")
    page.goto(review_link)
    expect(page.get_by_role("heading", level=1, name=re.compile("Nina Holm"))).to_be_visible()
    company = page.get_by_label("Company", exact=True)
    expect(company).to_have_value("Brightwave Media")
    company.fill("")
    company.press_sequentially("Northlight Media Lt", delay=20)
    options = page.locator("#company-options")
    expect(options).to_contain_text("looks like")
    options.get_by_label("Northlight Media", exact=True).check()
    page.get_by_label("UK & Ireland").check()
    screenshot(page, "review-application")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Nina Holm is approved and has been emailed.")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Approved")).click()
    expect(page.locator("#approval-results")).to_contain_text("Nina Holm")
    screenshot(page, "approvals-approved-tab")

    [approval] = [m for m in messages_to(app, "nina.holm@brightwave.example.com")
                  if m.kind == "registration_approved"]
    assert f"{url}/login" in approval.text_body
    page.get_by_role("button", name="Log out").click()
    login(page, url, "nina.holm@brightwave.example.com", "brightwave-screens")
    page.goto(f"{url}/profile")
    expect(page.locator("main")).to_contain_text("Northlight Media")
