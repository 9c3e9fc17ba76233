"""Tess sets up a meeting hosted by Bob: his buyers, a list from a global list and the
catalogue, notes; then the meeting is Bob's too."""

from datetime import date, timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from e2e.conftest import (
    expect_no_reload,
    login,
    page_does_not_scroll_sideways,
    screenshot,
    set_reload_marker,
    wait_for_htmx,
    wait_until_wired,
)
from webapp.extensions import db
from webapp.models import Meeting, OutboxMessage, Programme

NEXT_WEEK = (date.today() + timedelta(days=7)).isoformat()


def choose_buyer(page: Page, search: str, name: str | None = None) -> str:
    """Search Bob's buyers and add one (the first match, or `name`); returns who was added."""
    wait_for_htmx(page)  # a redrawn picker's search box listens only once settled
    box = page.locator("#buyer-q")
    box.fill("")
    box.press_sequentially(search, delay=20)
    options = page.locator("#buyer-options button")
    option = options.filter(has_text=name) if name else options.first
    expect(option).to_be_visible()
    added = option.locator("strong").inner_text()
    option.click()
    expect(page.locator(".chosen-buyers")).to_contain_text(added)
    wait_for_htmx(page)  # the redrawn picker settled before anything else is typed
    return added


def programme_not_on_the_page(page: Page, live_app) -> str:
    on_page = set(page.locator("#list-items .item-title").all_inner_texts())
    with live_app.app.app_context():
        titles = db.session.scalars(select(Programme.title).order_by(Programme.title)).all()
    return next(t for t in titles if t not in on_page)


def test_tess_sets_up_a_meeting_for_bob_and_bob_sees_it(page: Page, live_app):
    url = live_app.url
    login(page, url, "tess@demo.test")
    page.get_by_role("navigation").get_by_role("link", name="Meetings", exact=True).click()
    page.get_by_role("button", name="New meeting").click()
    wait_until_wired(page)
    set_reload_marker(page)

    page.get_by_label("Host").select_option(label="Bob Keller")
    picker = page.locator("#buyer-picker")
    expect(picker).to_contain_text("Add one of Bob Keller's buyers")
    expect(page.locator("#buyer-options")).to_contain_text("Dora Weber")
    choose_buyer(page, "dora", "Dora Weber")
    others = [choose_buyer(page, ""), choose_buyer(page, "")]
    chosen = page.locator(".chosen-buyers > li")
    expect(chosen).to_have_count(3)
    # Removing one and adding it back keeps the others.
    page.get_by_role("button", name=f"Remove {others[1]}").click()
    expect(chosen).to_have_count(2)
    wait_for_htmx(page)
    choose_buyer(page, others[1].split()[0], others[1])
    expect(chosen).to_have_count(3)
    expect_no_reload(page)

    page.get_by_label("Title").fill("Alpenblick × Bob: autumn drama")
    page.get_by_label("Date").fill(NEXT_WEEK)
    page.get_by_label("Start time").fill("14:30")
    page.get_by_label("Time zone").select_option("Europe/Paris")
    page.get_by_label("Duration (minutes)").fill("45")
    page.get_by_label("Market").fill("MIPCOM 2026")
    page.get_by_label("Stand").fill("R7.C12")
    page.get_by_label("Pre-meeting notes").fill("They want returning drama for Sundays.")
    page.get_by_label("Start the meeting list from").select_option(label="MIPCOM 2026 highlights")
    screenshot(page, "meeting-form-tess")
    page.get_by_role("button", name="Schedule and invite").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Alpenblick × Bob: autumn drama")
    expect(page.get_by_text("invitations are on their way")).to_be_visible()
    items = page.locator("#list-items")
    # The global list's items, its restricted title included: the sales team sees every title.
    expect(items.locator("li.list-item")).to_have_count(13)

    set_reload_marker(page)
    title = programme_not_on_the_page(page, live_app)
    box = page.get_by_label("Title", exact=True)
    box.press_sequentially(title, delay=10)
    results = page.locator("#catalogue-results")
    expect(results).to_contain_text(title)
    results.get_by_role("button", name=f"Add {title}", exact=True).click()
    expect(items).to_contain_text(title)
    page.get_by_role("button", name=f"Edit the note on {title}").click()
    wait_for_htmx(page)
    page.get_by_label(f"Note on {title}", exact=True).fill("Pitch as a Sunday early-evening show.")
    page.get_by_role("button", name="Save note").click()
    expect(items.locator("li").filter(has_text=title)).to_contain_text(
        "Pitch as a Sunday early-evening show.")
    expect_no_reload(page)
    screenshot(page, "meeting-page-tess")

    page.get_by_role("banner").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    login(page, url, "bob@demo.test")
    page.get_by_role("navigation").get_by_role("link", name="Meetings", exact=True).click()
    row = page.locator("#meeting-results tr").filter(has_text="Alpenblick × Bob: autumn drama")
    expect(row).to_contain_text("Dora Weber")
    expect(row).to_contain_text("14:30")
    row.get_by_role("link").click()
    expect(page.get_by_text("They want returning drama for Sundays.")).to_be_visible()
    expect(page.locator("#list-items")).to_contain_text("Pitch as a Sunday early-evening show.")
    expect(page.get_by_text("Set up by")).to_be_visible()


def test_a_late_picker_answer_leaves_the_focus_in_the_field_the_user_moved_on_to(
        page: Page, live_app):
    login(page, live_app.url, "tess@demo.test")
    page.goto(f"{live_app.url}/meetings/new")
    page.get_by_label("Host").select_option(label="Bob Keller")
    expect(page.locator("#buyer-options")).to_contain_text("Dora Weber")
    wait_for_htmx(page)
    held = []  # the answer to the first buyer added, held back: slow Wi-Fi

    def answer_late(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(lambda url: "/meetings/buyers" in url and "add=" in url, answer_late)
    with page.expect_request(lambda request: "add=" in request.url):
        page.locator("#buyer-options button").filter(has_text="Dora Weber").click()
    title = page.get_by_label("Title")
    title.click()
    page.keyboard.type("Alpenblick × Bob", delay=20)
    assert len(held) == 1, "the picker's answer came before the user moved on"
    held[0].fulfill(response=held[0].fetch())
    expect(page.locator(".chosen-buyers")).to_contain_text("Dora Weber")
    wait_for_htmx(page)
    page.keyboard.type(": autumn drama", delay=20)

    expect(title).to_have_value("Alpenblick × Bob: autumn drama")
    expect(title).to_be_focused()
    expect(page.locator("#buyer-q")).to_have_value("")

    # Staying in the picker, the focus comes back to its search box for the next buyer.
    page.locator("#buyer-options button").first.click()
    expect(page.locator(".chosen-buyers > li")).to_have_count(2)
    wait_for_htmx(page)
    expect(page.locator("#buyer-q")).to_be_focused()


def test_meeting_pages_on_the_ipad(ipad_page: Page, live_app):
    login(ipad_page, live_app.url, "bob@demo.test")
    ipad_page.goto(f"{live_app.url}/meetings")
    expect(ipad_page.locator("#meeting-results")).to_contain_text("Bob")
    screenshot(ipad_page, "meetings-index-ipad")
    ipad_page.locator("#meeting-results tbody tr a").first.click()
    expect(ipad_page.get_by_role("heading", name="Summary email")).to_be_visible()
    screenshot(ipad_page, "meeting-page-ipad")
    assert page_does_not_scroll_sideways(ipad_page)


def test_cancelling_asks_first_then_sends_the_cancellation(page: Page, live_app):
    login(page, live_app.url, "tess@demo.test")
    page.goto(f"{live_app.url}/meetings")
    page.locator("#meeting-results tbody tr a").first.click()
    title = page.get_by_role("heading", level=1).inner_text()
    cancel = page.get_by_role("button", name="Cancel meeting")

    page.once("dialog", lambda dialog: dialog.dismiss())
    cancel.click()
    expect(page.locator(".badge-scheduled")).to_be_visible()  # nothing happened

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    cancel.click()
    expect(page.get_by_text(f"“{title}” cancelled.")).to_be_visible()
    expect(page.locator(".badge-cancelled")).to_be_visible()
    assert asked and "will be sent the cancellation" in asked[0]
    meeting_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    with live_app.app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        # The buyers, and the host and the SC who set it up, whose calendars have it too.
        attendees = {p.email for p in [meeting.host, meeting.created_by, *meeting.attendees]}
        cancelled_to = set(db.session.scalars(select(OutboxMessage.recipients).where(
            OutboxMessage.kind == "meeting_cancelled",
            OutboxMessage.calendar.contains("METHOD:CANCEL"))))
        db.session.remove()
    assert attendees and cancelled_to == attendees
