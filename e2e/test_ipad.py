"""Bob runs today's meeting on the iPad: taps and notes save at once, work done offline
waits on the device and syncs when the connection returns, and nothing is overwritten."""

import json

from playwright.sync_api import Page, expect
from sqlalchemy import select

from e2e.conftest import login, page_does_not_scroll_sideways, screenshot
from webapp.extensions import db
from webapp.models import ListItem, Meeting, MeetingSummarySend, OutboxMessage, User
from webapp.services.lists import update_note

SERVICE_WORKER_IN_CONTROL = """() => navigator.serviceWorker.controller !== null
    || new Promise(resolve => {
        navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true),
                                                 {once: true});
        setTimeout(() => resolve(navigator.serviceWorker.controller !== null), 10000);
    })"""
SERVICE_WORKER_ACTIVE = "() => navigator.serviceWorker.ready.then(() => true)"


def open_first_meeting(page: Page, live_app) -> Meeting:
    login(page, live_app.url, "bob@demo.test")
    page.goto(f"{live_app.url}/ipad/")
    expect(page.get_by_role("heading", level=2)).to_contain_text("Today")
    screenshot(page, "ipad-day-bob")
    # The day page installs the service worker. Opened before it is active, the meeting's
    # page could load uncontrolled, the worker's claim having come during the navigation.
    assert page.evaluate(SERVICE_WORKER_ACTIVE) is True
    page.locator(".meeting-card").first.click()
    expect(page.locator("#sync-status")).to_have_text("All changes saved")
    meeting_id = int(page.locator("main.meeting").get_attribute("data-meeting"))
    # The service worker keeps the page once it runs. (Waited for with one evaluation: a
    # polled wait_for_function evaluates its predicate with eval(), which the CSP refuses.)
    assert page.evaluate(SERVICE_WORKER_IN_CONTROL) is True
    with live_app.app.app_context():
        return db.session.get(Meeting, meeting_id)


def item_row(live_app, item_id) -> ListItem:
    with live_app.app.app_context():
        item = db.session.get(ListItem, item_id)
        db.session.expunge(item)
        return item


SMALL_TARGETS = """[...document.querySelectorAll(
        'a, button:not([disabled]), input, textarea, summary, [role=tab]')]
    .filter(e => e.offsetParent !== null)
    .filter(e => { const r = e.getBoundingClientRect(); return r.height < 44 || r.width < 44; })
    .map(e => e.tagName + ' ' + (e.textContent.trim() || e.id))"""
PORTRAIT, LANDSCAPE = {"width": 834, "height": 1194}, {"width": 1194, "height": 834}


def first_items(page: Page, n: int = 2) -> list[int]:
    return [int(i) for i in page.locator("#meeting-items > li.item").evaluate_all(
        "items => items.map(i => i.dataset.item)")[:n]]


def test_taps_and_notes_reach_the_cms_at_once(ipad_page: Page, live_app):
    page = ipad_page
    meeting = open_first_meeting(page, live_app)
    with live_app.app.app_context():
        assert db.session.get(Meeting, meeting.id).started_at is not None
    first, _second = first_items(page)
    row = page.locator(f"#meeting-item-{first}")
    row.locator(".mark.up").click()
    expect(row.locator(".mark.up")).to_have_attribute("aria-pressed", "true")
    expect(row.locator(".tap-state")).to_have_text("Saved")
    row.locator("textarea").fill("Wants it for Sunday evenings.")
    expect(row.locator(".field-state")).to_have_text("Saving…")  # debounced: not sent yet
    expect(row.locator(".field-state")).to_have_text("Saved")
    expect(page.locator("#sync-status")).to_have_text("All changes saved")
    item = item_row(live_app, first)
    assert (item.interest, item.note) == (1, "Wants it for Sunday evenings.")
    screenshot(page, "ipad-meeting-portrait")
    page.get_by_role("tab", name="Catalogue").click()
    page.get_by_label("Search the catalogue").fill("the")
    expect(page.locator("#catalogue-results li").first).to_be_visible()
    for size in (PORTRAIT, LANDSCAPE):  # the iPad turned either way
        page.set_viewport_size(size)
        assert page_does_not_scroll_sideways(page), size
        assert page.evaluate(SMALL_TARGETS) == [], size
    screenshot(page, "ipad-meeting-landscape")
    page.get_by_role("link", name="Back to the day's meetings").click()
    for size in (PORTRAIT, LANDSCAPE):
        page.set_viewport_size(size)
        assert page_does_not_scroll_sideways(page), size
        assert page.evaluate(SMALL_TARGETS) == [], size


def test_work_done_offline_survives_a_reload_and_syncs_when_back_online(
        ipad_page: Page, live_app):
    page = ipad_page
    meeting = open_first_meeting(page, live_app)
    _first, second = first_items(page)
    row = page.locator(f"#meeting-item-{second}")
    page.context.set_offline(True)
    row.locator(".mark.down").click()
    row.locator("textarea").fill("Too violent for their slot.")
    row.locator("textarea").blur()
    expect(page.locator("#sync-status")).to_have_text("Offline: 2 changes waiting")
    expect(row.locator(".field-state")).to_have_text("Waiting for the connection")
    expect(row.locator(".tap-state")).to_have_text("Waiting for the connection")

    page.reload()  # offline: the service worker opens the meeting with the waiting changes
    row = page.locator(f"#meeting-item-{second}")
    expect(row.locator("textarea")).to_have_value("Too violent for their slot.")
    expect(row.locator(".mark.down")).to_have_attribute(
        "aria-pressed", "true")
    expect(page.locator("#sync-status")).to_have_text("Offline: 2 changes waiting")
    stored = json.loads(page.evaluate("localStorage.getItem('sales-cms.ipad.outbox')"))
    assert {c["kind"] for c in stored} == {"interest", "note"}
    assert all(set(c) <= {"kind", "field", "item", "value", "version", "user", "meeting", "url",
                          "key", "title"} for c in stored)

    page.get_by_role("tab", name="Summary").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Send summary").click()
    expect(page.locator("#send-state")).to_contain_text("goes out once the changes before it")
    screenshot(page, "ipad-meeting-offline")
    item = item_row(live_app, second)
    assert item.note != "Too violent for their slot."

    page.context.set_offline(False)
    expect(page.locator("#sync-status")).to_have_text("All changes saved")
    expect(page.locator("#send-state")).to_contain_text("Sent to")
    item = item_row(live_app, second)
    assert (item.interest, item.note) == (-1, "Too violent for their slot.")
    with live_app.app.app_context():
        sends = db.session.scalars(select(MeetingSummarySend).where(
            MeetingSummarySend.meeting_id == meeting.id)).all()
        assert len(sends) == 1
        # The summary went out after the changes before it: it carries the offline note.
        summary = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "meeting_summary").order_by(OutboxMessage.id.desc())).first()
        assert "Too violent for their slot." in summary.text_body


def test_a_note_changed_on_the_website_meanwhile_is_a_conflict_the_host_resolves(
        ipad_page: Page, live_app):
    page = ipad_page
    open_first_meeting(page, live_app)
    first, _second = first_items(page)
    with live_app.app.app_context():
        item = db.session.get(ListItem, first)
        update_note(item, "Tess: they already own season 1.", item.note_version)
        db.session.commit()
    row = page.locator(f"#meeting-item-{first}")
    row.locator("textarea").fill("Bob: pitch season 2.")
    conflict = row.locator(".conflict")
    expect(conflict).to_contain_text("Tess: they already own season 1.")
    expect(row.locator(".field-state")).to_have_text("Changed on the website: choose")
    screenshot(page, "ipad-meeting-conflict")
    # Not chosen yet, the page reloaded: both texts are still there.
    page.reload()
    expect(page.locator("#sync-status")).to_have_text("Changed on the website: 1 change to choose")
    expect(row.locator("textarea")).to_have_value("Bob: pitch season 2.")
    expect(conflict).to_contain_text("Tess: they already own season 1.")
    conflict.get_by_role("button", name="Keep both").click()
    expect(row.locator(".field-state")).to_have_text("Saved")
    assert item_row(live_app, first).note == (
        "Tess: they already own season 1.\n\nBob: pitch season 2.")


def test_only_the_host_opens_the_meeting_and_the_app_is_installable(ipad_page: Page, live_app):
    page = ipad_page
    with live_app.app.app_context():
        bob = db.session.scalar(select(User).where(User.email == "bob@demo.test"))
        meeting_id = db.session.scalar(select(Meeting.id).where(Meeting.host_id == bob.id))
    login(page, live_app.url, "tess@demo.test")  # she set some of Bob's meetings up
    response = page.goto(f"{live_app.url}/ipad/meetings/{meeting_id}")
    assert response.status == 404
    manifest = page.request.get(f"{live_app.url}/static/ipad/manifest.webmanifest").json()
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/ipad/"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}


def test_logging_out_clears_the_devices_outbox(ipad_page: Page, live_app):
    page = ipad_page
    open_first_meeting(page, live_app)
    first, _second = first_items(page)
    # The CMS stops taking changes (the page itself stays online): the tap waits on the device.
    page.route("**/changes", lambda route: route.abort())
    page.locator(f"#meeting-item-{first} .mark.up").click()
    expect(page.locator("#sync-status")).to_contain_text("1 change")
    assert len(json.loads(page.evaluate("localStorage.getItem('sales-cms.ipad.outbox')"))) == 1
    warnings = []
    page.once("dialog", lambda dialog: (warnings.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_app.url}/login")
    assert "will be lost" in warnings[0]
    assert page.evaluate("localStorage.getItem('sales-cms.ipad.outbox')") is None
    assert item_row(live_app, first).interest is None


def test_changes_left_waiting_when_the_tab_closed_sync_when_the_view_is_opened_again(
        ipad_page: Page, live_app):
    page = ipad_page
    open_first_meeting(page, live_app)
    first, _second = first_items(page)
    page.context.set_offline(True)
    page.locator(f"#meeting-item-{first} .mark.down").click()
    page.locator(f"#note-{first}").fill("Call them after the market.")
    page.locator(f"#note-{first}").blur()
    expect(page.locator("#sync-status")).to_have_text("Offline: 2 changes waiting")
    context = page.context
    page.close()
    context.set_offline(False)

    later = context.new_page()  # later, online: the day's page replays what was waiting
    later.goto(f"{live_app.url}/ipad/")
    expect(later.locator("#sync-status")).to_have_text("All changes saved")
    item = item_row(live_app, first)
    assert (item.interest, item.note) == (-1, "Call them after the market.")


def test_offline_notes_of_two_meetings_each_reach_their_own_meeting(ipad_page: Page, live_app):
    page = ipad_page
    first = open_first_meeting(page, live_app)
    first_url = page.url
    page.get_by_role("link", name="Back to the day's meetings").click()
    page.locator(".meeting-card").nth(1).click()  # opened online once: kept for offline
    expect(page.locator("#sync-status")).to_have_text("All changes saved")
    second_id = int(page.locator("main.meeting").get_attribute("data-meeting"))
    second_url = page.url
    assert second_id != first.id

    page.context.set_offline(True)
    page.get_by_role("tab", name="Notes").click()  # the list's tab comes first
    page.get_by_label("Meeting notes").fill("Second meeting: send the trailer.")
    page.get_by_label("Meeting notes").blur()
    expect(page.locator("#sync-status")).to_have_text("Offline: 1 change waiting")
    page.goto(first_url)  # from the service worker's copy
    page.get_by_role("tab", name="Notes").click()
    page.get_by_label("Meeting notes").fill("First meeting: book a follow-up.")
    page.get_by_label("Meeting notes").blur()
    expect(page.locator("#sync-status")).to_have_text("Offline: 2 changes waiting")

    page.context.set_offline(False)
    expect(page.locator("#sync-status")).to_have_text("All changes saved")
    with live_app.app.app_context():
        assert db.session.get(Meeting, first.id).meeting_notes == "First meeting: book a follow-up."
        assert db.session.get(Meeting, second_id).meeting_notes == (
            "Second meeting: send the trailer.")
    page.goto(second_url)
    page.get_by_role("tab", name="Notes").click()
    expect(page.get_by_label("Meeting notes")).to_have_value("Second meeting: send the trailer.")
