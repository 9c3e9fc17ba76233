"""Opening the day makes its meetings ready offline: each says so, or what is missing, and a
meeting never opened before opens without a connection, its artwork with it."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from e2e.conftest import login
from e2e.test_ipad import SERVICE_WORKER_ACTIVE
from webapp.extensions import db
from webapp.models import ListItem, Programme, User
from webapp.services.meeting_index import default_day, meeting_days, meetings_on

ARTWORK = Path(__file__).resolve().parent.parent / "webapp/static/ipad/icon-192.png"


@pytest.fixture
def live_config(tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "aurora.png").write_bytes(ARTWORK.read_bytes())
    return {"UPLOAD_FOLDER": str(uploads)}


def without_demo_posters(live_app) -> None:
    """The demo's posters are not in this test's upload folder: no programme has one."""
    with live_app.app.app_context():
        db.session.execute(update(Programme).values(image_path=None))
        db.session.commit()


def give_artwork(live_app) -> tuple[int, int]:
    """Bob's first meeting of the day: a picture whose file is gone; his last: one there."""
    without_demo_posters(live_app)
    with live_app.app.app_context():
        bob = db.session.scalar(select(User).where(User.email == "bob@demo.test"))
        days, today = meeting_days(bob)
        meetings = meetings_on(bob, default_day(days, today))
        assert len(meetings) >= 2
        first, last = meetings[0], meetings[-1]
        for meeting, image in ((first, "gone.png"), (last, "aurora.png")):
            item = db.session.scalar(select(ListItem).where(ListItem.list_id == meeting.list_id)
                                     .order_by(ListItem.position))
            item.programme.image_path = image
        db.session.commit()
        return first.id, last.id


def test_the_days_meetings_are_ready_offline_or_say_what_is_missing(ipad_page: Page, live_app):
    page = ipad_page
    first, last = give_artwork(live_app)
    login(page, live_app.url, "bob@demo.test")
    page.goto(f"{live_app.url}/ipad/")
    assert page.evaluate(SERVICE_WORKER_ACTIVE) is True
    state = "[data-offline-meeting='{}'] [data-offline-state]"
    expect(page.locator(state.format(last))).to_have_text("Ready offline", timeout=20_000)
    expect(page.locator(state.format(first))).to_have_text(
        "Not ready offline: 1 picture missing", timeout=20_000)
    expect(page.locator("#storage-used")).to_contain_text("Stored on this device:")

    page.context.set_offline(True)
    page.locator(f"[data-offline-meeting='{last}'] .meeting-card").click()
    expect(page.locator("main.meeting")).to_have_attribute("data-meeting", str(last))
    expect(page.locator("#meeting-items > li.item").first).to_be_visible()
    expect(page.locator("#sync-status")).to_have_text("Offline: 1 change waiting")  # the start
    artwork = page.evaluate("""() => fetch("/media/aurora.png")
        .then(r => r.blob()).then(b => b.size)""")
    assert artwork == ARTWORK.stat().st_size, "the artwork is answered from the device"


def test_logging_out_clears_what_was_kept_for_offline(ipad_page: Page, live_app):
    page = ipad_page
    without_demo_posters(live_app)
    login(page, live_app.url, "bob@demo.test")
    page.goto(f"{live_app.url}/ipad/")
    assert page.evaluate(SERVICE_WORKER_ACTIVE) is True
    expect(page.locator("[data-offline-state]").first).to_have_text("Ready offline",
                                                                    timeout=20_000)
    kept = """async () => { let urls = [];
        for (const name of await caches.keys()) {
            urls = urls.concat((await (await caches.open(name)).keys()).map(r => r.url)); }
        return urls.filter(u => u.includes("/ipad/meetings/")).length; }"""
    assert page.evaluate(kept) > 0
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_app.url}/login")
    assert page.evaluate(kept) == 0
