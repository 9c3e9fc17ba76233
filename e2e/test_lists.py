"""Sam builds a list from the catalogue, orders it by tapping, annotates it and shares it."""

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from e2e.conftest import (
    expect_no_reload,
    login,
    page_does_not_scroll_sideways,
    screenshot,
    set_reload_marker,
    wait_until_wired,
)
from webapp.extensions import db
from webapp.models import OutboxMessage


def add_from_catalogue(page: Page, search: str, title: str) -> None:
    box = page.get_by_label("Title", exact=True)
    box.fill("")
    box.press_sequentially(search, delay=20)
    results = page.locator("#catalogue-results")
    expect(results).to_contain_text(title)
    results.get_by_role("button", name=f"Add {title}", exact=True).click()
    expect(page.locator("#list-items")).to_contain_text(title)


def titles(page: Page) -> list[str]:
    return page.locator("#list-items .item-title").all_inner_texts()


def test_sam_builds_orders_annotates_and_shares_a_list(page: Page, live_app):
    url = live_app.url
    login(page, url, "sam@demo.test")
    page.get_by_role("navigation").get_by_role("link", name="Lists", exact=True).click()
    lists = page.locator("#list-results")
    expect(lists).to_contain_text("MIPCOM 2026 highlights")  # a global list
    expect(lists).to_contain_text("Sam's market prep")
    expect(lists).not_to_contain_text("Northlight Media: Q4 picks")  # Alice's buyer list
    screenshot(page, "lists-index-sam")

    page.get_by_text("New list").click()
    page.get_by_label("Name").fill("Sam's MIPCOM picks")
    page.get_by_role("button", name="Create list").click()
    expect(page.get_by_role("heading", level=1, name="Sam's MIPCOM picks")).to_be_visible()
    set_reload_marker(page)

    add_from_catalogue(page, "fjord", "The Fjord Murders")
    add_from_catalogue(page, "atlantic", "Wild Atlantic")
    add_from_catalogue(page, "kitchen", "Kitchen Kings")
    assert titles(page) == ["The Fjord Murders", "Wild Atlantic", "Kitchen Kings"]

    page.get_by_role("button", name="Move up: Kitchen Kings").click()
    expect(page.locator("#list-items .item-title").nth(1)).to_have_text("Kitchen Kings")
    expect(page.get_by_role("button", name="Move up: Kitchen Kings")).to_be_focused()
    page.get_by_role("button", name="Move up: Kitchen Kings").click()
    expect(page.locator("#list-items .item-title").first).to_have_text("Kitchen Kings")
    assert titles(page) == ["Kitchen Kings", "The Fjord Murders", "Wild Atlantic"]

    page.get_by_role("button", name="Edit the note on The Fjord Murders").click()
    note = page.get_by_label("Note on The Fjord Murders", exact=True)
    expect(note).to_be_focused()
    note.fill("Ask about season 2 rights")
    page.get_by_role("button", name="Save note").click()
    item = page.locator("#list-items li").filter(has_text="The Fjord Murders")
    expect(item).to_contain_text("Ask about season 2 rights")
    expect_no_reload(page)
    screenshot(page, "list-built")

    page.reload()
    assert titles(page) == ["Kitchen Kings", "The Fjord Murders", "Wild Atlantic"]
    expect(item).to_contain_text("Ask about season 2 rights")

    page.get_by_role("button", name="Share", exact=True).click()
    wait_until_wired(page)  # the buyer search answers once htmx has wired the page
    page.get_by_label("Search your buyers").press_sequentially("Ben Car", delay=20)
    expect(page.locator("#buyer-options label")).to_have_count(1)
    page.get_by_label("Ben Carter · Northlight Media").check()
    page.get_by_label("Email addresses (optional)").fill("guest@example.com")
    page.get_by_label("Message (optional)").fill("Our picks for Cannes")
    screenshot(page, "list-share")
    page.get_by_role("button", name="Send the links").click()
    expect(page.get_by_text("is on its way to Ben Carter, guest@example.com")).to_be_visible()

    with live_app.app.app_context():
        sent = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "list_shared").order_by(OutboxMessage.id)).all()
        assert [email.recipients for email in sent] == ["ben@demo.test", "guest@example.com"]
        email = sent[1]
        assert "Kitchen Kings" in email.text_body and "Ask about season 2 rights" in email.text_body
        assert "Our picks for Cannes" in email.text_body
        [link] = re.findall(r"http://[^/\s]+(/s/[\w\-]+)", email.text_body)

    # The guest opens their link with no account; Sam then revokes it from the list's page.
    guest = page.context.browser.new_context()
    guest_page = guest.new_page()
    guest_page.goto(f"{live_app.url}{link}")
    expect(guest_page.get_by_role("heading", name="Sam's MIPCOM picks")).to_be_visible()
    expect(guest_page.get_by_role("button", name="Play the screener").first).to_be_visible()
    screenshot(guest_page, "list-shared-link")
    page.reload()
    row = page.locator("#shared-with tr").filter(has_text="guest@example.com")
    expect(row.locator("td").nth(3)).to_have_text("1")  # one view
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("The link sent to guest@example.com no longer works.")).to_be_visible()
    expect(row).to_contain_text("revoked")
    screenshot(page, "list-shared-with")
    guest_page.reload()
    expect(guest_page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    guest.close()


def test_list_page_fits_an_ipad_and_reorders_by_tapping(ipad_page: Page, live_server):
    login(ipad_page, live_server, "sam@demo.test")
    ipad_page.goto(f"{live_server}/lists")
    ipad_page.get_by_role("link", name="Sam's market prep").click()
    first = ipad_page.locator("#list-items .item-title").first.inner_text()
    second = ipad_page.locator("#list-items .item-title").nth(1).inner_text()
    ipad_page.get_by_role("button", name=f"Move down: {first}").tap()
    expect(ipad_page.locator("#list-items .item-title").first).to_have_text(second)
    box = ipad_page.get_by_role("button", name=f"Move down: {first}").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    screenshot(ipad_page, "ipad-list")
    assert page_does_not_scroll_sideways(ipad_page)
