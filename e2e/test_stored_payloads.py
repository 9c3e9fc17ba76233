"""Script stored in a user's name, a company name and a list note never runs: not on the
pages that show them, not in the email preview; the text is shown as typed."""

from playwright.sync_api import Page, expect
from sqlalchemy import select

from e2e.conftest import login, screenshot
from webapp.extensions import db
from webapp.models import Company, ListItem, ListKind, Programme, ProgrammeList, User
from webapp.services.mail import absolute_url, queue_email

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
