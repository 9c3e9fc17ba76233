"""Script stored in a user's name, a company name and a list note never runs: not on the
pages that show them (reporting and approvals included), not in the emails that carry them;
the text is shown as typed."""

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from e2e.conftest import login, screenshot
from webapp.extensions import db
from webapp.mail.service import absolute_url, queue_email
from webapp.models import (
    Company,
    ListItem,
    ListKind,
    OutboxMessage,
    Programme,
    ProgrammeList,
    User,
)

IMG = '<img src=x onerror="window.__xss=1;alert(1)">'
SCRIPT = "<script>window.__xss=2;alert(2)</script>"
NAME = f"Ben{IMG}"
COMPANY = f"Northlight{SCRIPT}"
NOTE = f"Watch{IMG}{SCRIPT}"


def watch_for_script(page: Page) -> list[str]:
    dialogs: list[str] = []

    def record(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return dialogs


def assert_no_script_ran(page: Page, dialogs: list[str]) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate("window.__xss === undefined"), page.url
    assert dialogs == [], page.url


def test_stored_script_never_runs_on_pages_or_in_emails(page: Page, live_app):
    url, app = live_app.url, live_app.app
    dialogs = watch_for_script(page)
    with app.app_context():
        ben = db.session.scalar(select(User).where(User.email == "ben@demo.test"))
        admin = db.session.scalar(select(User).where(User.email == "admin@demo.test"))
        ben_id, company_id = ben.id, ben.company_id

    login(page, url, "admin@demo.test")
    # Stored through the forms, as a person would.
    page.goto(f"{url}/admin/users/{ben_id}/edit")
    page.get_by_label("First name", exact=True).fill(NAME)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME)
    page.goto(f"{url}/admin/companies/{company_id}/edit")
    page.get_by_label("Name", exact=True).fill(COMPANY)
    page.get_by_role("button", name="Save").click()
    assert_no_script_ran(page, dialogs)

    with app.app_context():
        admin = db.session.get(User, admin.id)
        ben = db.session.get(User, ben_id)
        assert db.session.get(Company, company_id).name == COMPANY
        programme = db.session.scalars(select(Programme).order_by(Programme.id)).first()
        picks = ProgrammeList(name="Payload picks", kind=ListKind.MY, owner=admin)
        db.session.add_all([picks, ListItem(list=picks, programme=programme, position=1,
                                            note=NOTE)])
        message = queue_email(ben.email, "registration_approved", "Approved", person=ben,
                              login_url=absolute_url("auth.login"))
        db.session.commit()
        list_id, message_id = picks.id, message.id

    pages = {
        "/admin/users?q=Ben": NAME,
        f"/admin/users/{ben_id}": NAME,
        "/admin/companies": COMPANY,
        "/reporting/buyers?q=Ben": COMPANY,
        f"/reporting/users/{ben_id}": NAME,
        "/lists": "Payload picks",
        f"/lists/{list_id}": NOTE,
        f"/admin/outbox/{message_id}": "Approved",
    }
    for path, shown in pages.items():
        page.goto(f"{url}{path}")
        expect(page.get_by_text(shown).first).to_be_visible()
        assert_no_script_ran(page, dialogs)
    screenshot(page, "stored-payload-outbox")

    # The email's HTML, in its sandboxed preview frame and opened on its own.
    frame = page.frame_locator("iframe").first
    expect(frame.get_by_text(COMPANY)).to_be_visible()
    page.goto(f"{url}/admin/outbox/{message_id}/html")
    expect(page.get_by_text(COMPANY)).to_be_visible()
    assert_no_script_ran(page, dialogs)

    # The buyer's own pages.
    page.context.clear_cookies()
    login(page, url, "ben@demo.test")
    for path, shown in (("/", NAME), ("/profile", COMPANY)):
        page.goto(f"{url}{path}")
        expect(page.get_by_text(shown).first).to_be_visible()
        assert_no_script_ran(page, dialogs)


def test_script_in_meeting_fields_never_runs_on_the_website_the_ipad_or_the_summary(
        page: Page, ipad_page: Page, live_app):
    """Tess types script into a meeting's title, notes and an item note; Bob opens it."""
    url = live_app.url
    dialogs = watch_for_script(page)
    login(page, url, "tess@demo.test")
    page.goto(f"{url}/meetings")
    page.locator("#meeting-results tbody tr a").filter(has_text="Bob").first.click()
    meeting_url = page.url
    page.get_by_role("button", name="Edit", exact=True).click()
    page.get_by_role("textbox", name="Title", exact=True).fill(f"Talk{SCRIPT}")
    page.get_by_label("Pre-meeting notes").fill(NOTE)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Talk{SCRIPT}")
    page.get_by_role("button", name="Add notes").click()
    page.locator("#meeting-notes-text").fill(NOTE)
    page.get_by_role("button", name="Save notes").click()
    expect(page.locator("#meeting-notes")).to_contain_text(NOTE)
    page.locator("#list-items li").first.get_by_role("button", name="Edit the note").click()
    page.locator("#list-items textarea").fill(NOTE)
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#list-items")).to_contain_text(NOTE)
    for path in (meeting_url, f"{url}/meetings", f"{meeting_url}/summary"):
        page.goto(path)
        assert_no_script_ran(page, dialogs)
    screenshot(page, "payload-meeting-summary")

    ipad_dialogs = watch_for_script(ipad_page)
    login(ipad_page, url, "bob@demo.test")
    ipad_page.goto(meeting_url.replace("/meetings/", "/ipad/meetings/"))
    expect(ipad_page.locator("#meeting-notes")).to_have_value(NOTE)
    ipad_page.get_by_role("tab", name="Summary").click()
    assert_no_script_ran(ipad_page, ipad_dialogs)


def test_script_typed_when_registering_never_runs_in_approvals_or_their_emails(
        page: Page, live_app):
    """An applicant puts script in their name and company; Sam reviews the application."""
    url, app = live_app.url, live_app.app
    dialogs = watch_for_script(page)
    page.goto(f"{url}/register")
    page.get_by_label("First name").fill(NAME)
    page.get_by_label("Last name").fill(f"Holm{SCRIPT}")
    page.get_by_label("Work email").fill("nina.holm@brightwave.example.com")
    page.get_by_label("Password", exact=True).fill("brightwave-screens")
    page.get_by_label("Repeat the password").fill("brightwave-screens")
    page.get_by_label("Company").fill(COMPANY)
    page.get_by_label("Job title").fill(IMG)
    page.get_by_label("Territory").select_option(label="UK & Ireland")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert_no_script_ran(page, dialogs)

    with app.app_context():
        notices = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind.in_(["registration_notice", "registration_received"]))).all()
        assert {m.kind for m in notices} == {"registration_notice", "registration_received"}
        message_ids = [m.id for m in notices]
        notice = next(m for m in notices if m.kind == "registration_notice")
        review_path = re.search(r"(/approvals/\d+)", notice.text_body).group(1)

    login(page, url, "sam@demo.test")
    for path, shown in (("/approvals", COMPANY), (review_path, NAME)):
        page.goto(f"{url}{path}")
        expect(page.get_by_text(shown).first).to_be_visible()
        assert_no_script_ran(page, dialogs)
    expect(page.get_by_label("Company", exact=True)).to_have_value(COMPANY)

    page.context.clear_cookies()
    login(page, url, "admin@demo.test")
    for message_id in message_ids:
        page.goto(f"{url}/admin/outbox/{message_id}")
        expect(page.frame_locator("iframe").first.locator("body")).to_contain_text(NAME)
        assert_no_script_ran(page, dialogs)
        page.goto(f"{url}/admin/outbox/{message_id}/html")
        assert_no_script_ran(page, dialogs)
