"""Lists are put in order by dragging, on the website and in the iPad view; the order is
there after a reload."""

from playwright.sync_api import Locator, Page, expect

from e2e.conftest import login
from e2e.test_ipad import open_first_meeting


def drag(page: Page, handle: Locator, onto: Locator) -> None:
    """Press on the handle, move above the target in small steps (as a finger would) and let go."""
    start, end = handle.bounding_box(), onto.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 4, steps=12)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 2, steps=4)
    page.mouse.up()


def test_a_list_item_dragged_to_the_top_stays_there(page: Page, live_app):
    login(page, live_app.url, "sam@demo.test")
    page.goto(f"{live_app.url}/lists")
    page.locator("#list-results").get_by_role("link", name="Sam's market prep").click()
    rows = page.locator("#list-items > li.list-item")
    expect(page.locator("#list-items")).to_have_attribute("data-sortable", "yes")  # wired
    before = rows.locator(".item-title").all_inner_texts()
    with page.expect_response(lambda r: r.url.endswith("/order") and r.status == 200):
        drag(page, rows.nth(2).locator(".position"), rows.nth(0))
    expected = [before[2], before[0], before[1], *before[3:]]
    expect(page.locator("#list-items .item-title")).to_have_text(expected)
    page.reload()
    expect(page.locator("#list-items .item-title")).to_have_text(expected)
    expect(page.get_by_role("button", name=f"Move up: {before[2]}")).to_be_disabled()


def test_a_meeting_item_dragged_on_the_ipad_is_saved_in_that_order(ipad_page: Page, live_app):
    page = ipad_page
    open_first_meeting(page, live_app)
    rows = page.locator("#meeting-items > li.item")
    expect(page.locator("#meeting-items")).to_have_attribute("data-sortable", "yes")  # wired
    before = rows.evaluate_all("items => items.map(i => i.dataset.item)")
    drag(page, rows.nth(2).locator(".grip"), rows.nth(0))
    expected = [before[2], before[0], before[1], *before[3:]]
    assert rows.evaluate_all("items => items.map(i => i.dataset.item)") == expected
    expect(page.locator("#sync-status")).to_have_text("All changes saved")
    # The arrows do the same, for whoever does not drag.
    page.locator(f"#meeting-item-{before[1]} [data-move='-1']").click()
    expected = [before[2], before[1], before[0], *before[3:]]
    expect(page.locator("#sync-status")).to_have_text("All changes saved")
    page.reload()
    expect(rows.first).to_have_attribute("data-item", expected[0])
    assert rows.evaluate_all("items => items.map(i => i.dataset.item)") == expected
