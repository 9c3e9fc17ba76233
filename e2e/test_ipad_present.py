"""Bob presents today's meeting on the iPad: cards move by swipe and arrow keys, a sample
screener plays inline, nothing internal shows, the time on each card reaches the CMS; and the
meeting's tabs are reachable without scrolling on an iPad Pro 11 and an iPad mini, held
either way."""

from playwright.sync_api import Page, expect
from sqlalchemy import select

from e2e.conftest import SCREENSHOTS, login, wait_until_wired
from webapp.extensions import db
from webapp.models import ActivityEvent, EventKind, ListItem, Meeting

PLAY_INLINE = """async () => {
    const video = document.querySelector('.card:not([aria-hidden]) video');
    video.muted = true;
    await video.play();
    if (video.currentTime === 0) {
        await new Promise(resolve => video.addEventListener('timeupdate', resolve, {once: true}));
    }
    return video.currentTime;
}"""
IN_VIEW_UNSCROLLED = """tab => { const box = tab.getBoundingClientRect();
    return window.scrollY === 0 && box.top >= 0 && box.bottom <= window.innerHeight
        && box.height >= 44 && box.width >= 44; }"""


def open_todays_meeting(page: Page, live_app) -> int:
    login(page, live_app.url, "bob@demo.test")
    page.goto(f"{live_app.url}/ipad/")
    page.locator(".meeting-card").first.click()
    expect(page.locator("#sync-status")).to_have_text("All changes saved")
    return int(page.locator("main.meeting").get_attribute("data-meeting"))


def drag(page: Page, dx: int) -> None:
    """A swipe across the current card's artwork, `dx` pixels (negative: to the left)."""
    box = page.locator(".card:not([aria-hidden]) .art").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y, steps=4)
    page.mouse.move(x + dx, y, steps=4)
    page.mouse.up()


def test_present_mode_swipes_plays_and_records_time_without_internal_notes(
        ipad_page: Page, live_app):
    page = ipad_page
    meeting_id = open_todays_meeting(page, live_app)
    with live_app.app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        items = db.session.scalars(select(ListItem).where(ListItem.list_id == meeting.list_id)
                                   .order_by(ListItem.position, ListItem.id)).all()
        internal = [meeting.pre_meeting_notes, *(item.note for item in items if item.note)]
        first_programme = items[0].programme_id
    assert internal[0]  # the demo has pre-meeting notes and item notes to leave out
    page.clock.install()  # time on a card is counted on the page's clock
    page.get_by_role("link", name="Present").click()
    wait_until_wired(page)  # the arrow keys move cards once present.js has run
    position = page.locator("#present-position")
    count = len(items)
    expect(position).to_have_text(f"1 / {count}")
    html = page.content()
    assert not [note for note in internal if note in html]
    expect(page.locator("textarea")).to_have_count(0)

    page.clock.fast_forward(5000)  # the first card on screen for 5 s
    page.keyboard.press("ArrowRight")
    expect(position).to_have_text(f"2 / {count}")
    page.keyboard.press("ArrowLeft")
    expect(position).to_have_text(f"1 / {count}")
    drag(page, -300)
    expect(position).to_have_text(f"2 / {count}")
    drag(page, 30)  # too short: stays
    expect(position).to_have_text(f"2 / {count}")
    drag(page, 300)
    expect(position).to_have_text(f"1 / {count}")

    card = page.locator(".card:not([aria-hidden])")
    card.locator(".mark.up").click()
    expect(card.locator(".tap-state")).to_have_text("Saved")

    with_video = page.locator(".card").evaluate_all(
        "cards => cards.findIndex(card => card.querySelector('video'))")
    assert with_video >= 0  # each of today's demo meetings has a sample screener
    for _ in range(with_video):
        page.keyboard.press("ArrowRight")
    expect(position).to_have_text(f"{with_video + 1} / {count}")
    assert page.evaluate(PLAY_INLINE) > 0
    page.screenshot(path=SCREENSHOTS / "ipad-present-video.png", animations="disabled")
    # Upright, the card's buttons are on screen beside its artwork and video.
    expect(page.locator(".card:not([aria-hidden]) .mark.up")).to_be_in_viewport(ratio=1)
    # The arrows sit under the card, never over its buttons or its video, both ways round.
    page.set_viewport_size({"width": 1194, "height": 834})
    page.screenshot(path=SCREENSHOTS / "ipad-present-landscape.png", animations="disabled")
    for size in ({"width": 1194, "height": 834}, {"width": 834, "height": 1194}):
        page.set_viewport_size(size)
        deck = page.locator("#deck").bounding_box()
        for arrow in ("#present-previous", "#present-next"):
            box = page.locator(arrow).bounding_box()
            assert box["y"] >= deck["y"] + deck["height"] - 1, (size, arrow)
            assert box["y"] + box["height"] <= size["height"], (size, arrow)

    expect(page.locator("#sync-status")).to_have_text("All changes saved")
    with live_app.app.app_context():
        shown = db.session.execute(
            select(ActivityEvent.programme_id, ActivityEvent.seconds).where(
                ActivityEvent.kind == EventKind.PROGRAMME_SHOWN,
                ActivityEvent.meeting_id == meeting_id)).all()
        interest = db.session.get(ListItem, items[0].id).interest
    assert any(programme == first_programme and seconds >= 5 for programme, seconds in shown)
    assert interest == 1


def test_the_meetings_tabs_are_reachable_without_scrolling_on_both_ipads_both_ways(
        ipad_page: Page, live_app, playwright):
    page = ipad_page
    open_todays_meeting(page, live_app)
    url = page.url
    for device in ("iPad Pro 11", "iPad Pro 11 landscape", "iPad Mini", "iPad Mini landscape"):
        page.set_viewport_size(playwright.devices[device]["viewport"])
        page.goto(url)
        expect(page.locator("#sync-status")).to_have_text("All changes saved")
        for name, shown in (("Notes", "#meeting-notes"), ("Catalogue", "#catalogue-q"),
                            ("Summary", "#summary-frame"), ("List", "#meeting-items")):
            tab = page.get_by_role("tab", name=name)
            assert tab.evaluate(IN_VIEW_UNSCROLLED), (device, name)
            tab.click()
            expect(tab).to_have_attribute("aria-selected", "true")
            expect(page.locator(shown)).to_be_in_viewport()
            if name == "Notes":
                page.screenshot(path=SCREENSHOTS / f"ipad-tabs-{device.replace(' ', '-')}.png")
