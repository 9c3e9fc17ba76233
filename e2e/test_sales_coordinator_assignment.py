"""An administrator links Sales Coordinators to an Account Manager on the AM's profile."""

import re

from playwright.sync_api import Page, expect

from e2e.conftest import (
    expect_no_reload,
    login,
    page_does_not_scroll_sideways,
    screenshot,
    set_reload_marker,
    wait_until_wired,
)


def open_profile(page: Page, base_url: str, first_name: str, full_name: str) -> None:
    """Find a user in Admin > Users and open their profile."""
    page.goto(f"{base_url}/admin/users?q={first_name}")
    page.locator("#user-results").get_by_role("link", name=full_name, exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/users/\d+$"))
    expect(page.get_by_role("heading", level=1, name=re.compile(f"^{full_name}"))).to_be_visible()
    wait_until_wired(page)


def test_admin_assigns_and_removes_a_sales_coordinator_without_reload(page: Page, live_server):
    login(page, live_server, "admin@demo.test")
    open_profile(page, live_server, "Alice", "Alice Morgan")
    section = page.locator("#sales-coordinators")
    assigned = section.locator("#assigned-coordinators")
    expect(section.get_by_role("heading", name="Sales Coordinators")).to_be_visible()
    sam = assigned.get_by_role("listitem").filter(has_text="Sam Patel")
    expect(sam).to_be_visible()
    expect(sam.locator(".tag-direct")).to_have_text("direct")
    screenshot(page, "alice-profile")
    set_reload_marker(page)

    search = section.get_by_label("Add a Sales Coordinator")
    search.focus()
    candidates = section.locator("#sc-candidates")
    options = candidates.get_by_role("button")
    # On focus, every SC not yet linked directly: Sam is already, an AM never is.
    expect(options).to_have_count(3)
    expect(options).to_contain_text(["Rita Oliveira", "Tess Becker", "Uma Laurent"])
    screenshot(page, "alice-sc-candidates-on-focus")

    search.press_sequentially("Ben", delay=30)
    expect(candidates).to_contain_text("No Sales Coordinator matches “Ben”")
    expect(options).to_have_count(0)
    screenshot(page, "alice-sc-no-match")

    search.fill("")
    search.press_sequentially("Tess", delay=30)
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Tess Becker")
    expect(options.first).to_contain_text("tess@demo.test")
    screenshot(page, "alice-sc-candidates-tess")

    candidates.get_by_role("button", name="Add Tess Becker").click()

    tess = section.locator("#assigned-coordinators li").filter(has_text="Tess Becker")
    expect(tess).to_be_visible()
    expect(tess.locator(".tag-direct")).to_have_text("direct")
    expect(section.get_by_role("status")).to_have_text("Tess Becker now coordinates for Alice.")
    expect(section.locator("#assigned-coordinators li")).to_have_count(2)
    expect_no_reload(page)
    screenshot(page, "alice-sc-tess-assigned")

    page.reload()
    tess = page.locator("#assigned-coordinators li").filter(has_text="Tess Becker")
    expect(tess).to_be_visible()
    set_reload_marker(page)

    page.once("dialog", lambda dialog: dialog.accept())
    tess.get_by_role("button", name="Remove Tess Becker").click()

    expect(page.locator("#sales-coordinators").get_by_role("status")).to_have_text(
        "Tess Becker removed from Alice.")
    expect(page.locator("#assigned-coordinators li")).to_have_count(1)
    expect(page.locator("#assigned-coordinators")).not_to_contain_text("Tess Becker")
    expect(page.locator("#assigned-coordinators")).to_contain_text("Sam Patel")
    expect_no_reload(page)
    screenshot(page, "alice-sc-tess-removed")


def test_keyboard_user_adds_a_coordinator_with_the_arrow_keys(page: Page, live_server):
    login(page, live_server, "admin@demo.test")
    open_profile(page, live_server, "Alice", "Alice Morgan")
    search = page.get_by_label("Add a Sales Coordinator")
    search.focus()
    search.press_sequentially("uma", delay=30)
    options = page.locator("#sc-candidates").get_by_role("button")
    expect(options).to_have_count(1)  # the search has answered, not just the focus
    option = options.filter(has_text="Uma Laurent")
    search.press("ArrowDown")
    expect(option).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#assigned-coordinators")).to_contain_text("Uma Laurent")
    expect(page.get_by_label("Add a Sales Coordinator")).to_be_focused()


def test_dismissing_the_confirm_keeps_the_sales_coordinator(page: Page, live_server):
    login(page, live_server, "admin@demo.test")
    open_profile(page, live_server, "Alice", "Alice Morgan")
    sam = page.locator("#assigned-coordinators li").filter(has_text="Sam Patel")

    page.once("dialog", lambda dialog: dialog.dismiss())
    sam.get_by_role("button", name="Remove Sam Patel").click()

    expect(sam).to_be_visible()
    page.reload()
    expect(page.locator("#assigned-coordinators li").filter(has_text="Sam Patel")).to_be_visible()


def test_profile_shows_coordinators_and_buyers_reached_by_territory(page: Page, live_server):
    login(page, live_server, "admin@demo.test")
    open_profile(page, live_server, "Bob", "Bob Keller")
    section = page.locator("#sales-coordinators")

    expect(section.locator("#assigned-coordinators")).to_have_count(0)
    expect(section).to_contain_text("No Sales Coordinator is assigned directly yet.")
    by_territory = section.get_by_role("heading", name="Associated by territory").locator(
        "xpath=following-sibling::ul[1]")
    tess = by_territory.get_by_role("listitem").filter(has_text="Tess Becker")
    expect(tess).to_be_visible()
    expect(tess).to_contain_text("DACH")
    expect(tess.locator(".tag-territory")).to_have_text("by territory")

    buyers = page.locator("#buyers")
    dora = buyers.locator("tbody tr").filter(has_text="Dora Weber")
    expect(dora).to_be_visible()
    expect(dora).to_contain_text("Alpenblick Fernsehen")
    # Dora's own AM is Carol; she is Bob's through the DACH territory only.
    expect(dora.locator(".tag-territory")).to_have_text("by territory")
    expect(dora.locator(".tag-direct")).to_have_count(0)
    screenshot(page, "bob-profile")


def test_account_manager_profile_fits_an_ipad(ipad_page: Page, live_server):
    login(ipad_page, live_server, "admin@demo.test")
    open_profile(ipad_page, live_server, "Alice", "Alice Morgan")
    expect(ipad_page.locator("#assigned-coordinators")).to_contain_text("Sam Patel")
    screenshot(ipad_page, "ipad-alice-profile")

    search = ipad_page.get_by_label("Add a Sales Coordinator")
    search.tap()
    expect(ipad_page.locator("#sc-candidates").get_by_role("button")).to_have_count(3)
    screenshot(ipad_page, "ipad-alice-sc-candidates")

    assert page_does_not_scroll_sideways(ipad_page)
