"""Sam ticks titles in the catalogue grid and adds them to one of his lists at once."""

from playwright.sync_api import Page, expect

from e2e.conftest import login, screenshot


def test_coordinator_adds_several_ticked_titles_to_a_list(page: Page, live_server):
    login(page, live_server, "sam@demo.test")
    page.goto(f"{live_server}/catalogue")
    cards = page.locator("#programme-results .programme-card")
    titles = [cards.nth(i).locator(".programme-card-title").inner_text() for i in (0, 2)]
    for title in titles:
        page.get_by_label(f"Choose {title}", exact=True).check()
    page.get_by_text("Add ticked titles to a list").click()
    page.get_by_label("Add to", exact=True).select_option(label="Sam's market prep")
    screenshot(page, "catalogue-add-to-list")
    page.get_by_role("button", name="Add to list", exact=True).click()

    expect(page).to_have_url(f"{live_server}/catalogue")
    expect(page.get_by_text("2 titles added to “Sam's market prep”.")).to_be_visible()
    page.get_by_role("banner").get_by_role("link", name="Lists", exact=True).click()
    page.get_by_role("link", name="Sam's market prep").click()
    items = page.locator("#list-items .item-title")
    for title in titles:
        expect(items.filter(has_text=title)).to_have_count(1)
