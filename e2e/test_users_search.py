"""Admin > Users: active search, filters and pagination update the results in place."""

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

# The directory lists people by last name.
SALES_COORDINATORS = ["Tess Becker", "Uma Laurent", "Rita Oliveira", "Sam Patel"]


def open_users(page: Page, base_url: str) -> None:
    """Reach Admin > Users through the header menu, as an administrator would."""
    page.get_by_role("banner").get_by_text("Admin", exact=True).click()
    page.get_by_role("banner").get_by_role("link", name="Users", exact=True).click()
    expect(page).to_have_url(f"{base_url}/admin/users")
    expect(page.get_by_role("heading", level=1, name="Users")).to_be_visible()
    wait_until_wired(page)


def result_rows(page: Page):
    return page.locator("#user-results tbody tr")


def test_admin_finds_a_buyer_with_the_active_search(page: Page, live_server):
    login(page, live_server, "admin@demo.test")
    open_users(page, live_server)
    expect(page.locator("#user-results")).to_contain_text("Page 1 of")
    screenshot(page, "users-list")
    set_reload_marker(page)

    page.get_by_role("searchbox", name="Search").press_sequentially("Carter", delay=30)

    expect(page).to_have_url(re.compile(r"/admin/users\?(.*&)?q=Carter(&|$)"))
    expect(result_rows(page)).to_have_count(1)
    row = result_rows(page).first
    expect(row.get_by_role("link", name="Ben Carter")).to_be_visible()
    expect(row).to_contain_text("ben@demo.test")
    expect(row).to_contain_text("Northlight Media")
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("Carter")
    expect_no_reload(page)
    screenshot(page, "users-search-carter")


def test_admin_filters_users_by_the_sales_coordinator_role(page: Page, live_server):
    login(page, live_server, "admin@demo.test")
    open_users(page, live_server)
    set_reload_marker(page)

    page.get_by_label("Role", exact=True).select_option(
        label="Sales Coordinator")

    expect(page).to_have_url(re.compile(r"[?&]role=\d+"))
    rows = result_rows(page)
    expect(rows).to_have_count(len(SALES_COORDINATORS))
    expect(rows.locator("td:first-child a")).to_have_text(SALES_COORDINATORS)
    for roles_cell in rows.locator("td:nth-child(2)").all():
        expect(roles_cell).to_contain_text("Sales Coordinator")
        expect(roles_cell).not_to_contain_text("Buyer")
    expect(page.locator("#user-results")).not_to_contain_text("Ben Carter")
    expect_no_reload(page)
    screenshot(page, "users-role-sales-coordinator")


def test_admin_pages_through_users_without_a_reload(page: Page, live_server):
    login(page, live_server, "admin@demo.test")
    page.goto(f"{live_server}/admin/users")
    results = page.locator("#user-results")
    expect(results.get_by_text(re.compile(r"^Page 1 of \d+"))).to_be_visible()
    first_on_page_one = result_rows(page).first.locator("td").first.inner_text()
    set_reload_marker(page)

    results.get_by_role("button", name="Next ›").click()

    expect(results.get_by_text(re.compile(r"^Page 2 of \d+"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]page=2(&|$)"))
    expect(result_rows(page).first.locator("td").first).not_to_have_text(first_on_page_one)
    expect(results.get_by_role("button", name="‹ Previous")).to_be_visible()
    expect_no_reload(page)
    screenshot(page, "users-page-2")

    page.go_back()

    expect(page).to_have_url(f"{live_server}/admin/users")
    expect(results.get_by_text(re.compile(r"^Page 1 of \d+"))).to_be_visible()


def test_users_list_fits_an_ipad(ipad_page: Page, live_server):
    login(ipad_page, live_server, "admin@demo.test")
    ipad_page.goto(f"{live_server}/admin/users")
    expect(result_rows(ipad_page)).to_have_count(25)
    screenshot(ipad_page, "ipad-users-list")

    ipad_page.get_by_role("searchbox", name="Search").fill("Carter")
    expect(result_rows(ipad_page)).to_have_count(1)
    screenshot(ipad_page, "ipad-users-search-carter")

    # The page itself must not scroll sideways; a wide table scrolls inside .table-wrap.
    assert page_does_not_scroll_sideways(ipad_page)
