"""The home page as the day's work: each section arrives on its own after the page loads,
for a Sales Coordinator and an Account Manager (and, for the screenshots, a buyer and an
administrator)."""

import re

from playwright.sync_api import Page, expect

from e2e.conftest import login, screenshot, wait_for_htmx

WIDE_DESKTOP = {"width": 1440, "height": 900}


def sections_arrived(page: Page, names: list[str]) -> None:
    """Each section was swapped in: its heading carries a count, no placeholder is left."""
    for name in names:
        expect(page.locator(f"#queue-{name} h2 .count")).to_be_visible()
    expect(page.locator(".work-queue[aria-busy]")).to_have_count(0)
    wait_for_htmx(page)


def home_of(page: Page, base_url: str, email: str, sections: list[str], shot: str) -> None:
    page.context.clear_cookies()
    login(page, base_url, email)
    sections_arrived(page, sections)
    screenshot(page, shot)


def test_each_roles_home_loads_its_sections(page: Page, live_server):
    page.set_viewport_size(WIDE_DESKTOP)
    home_of(page, live_server, "sam@demo.test", ["applications", "meetings-ahead",
                                                 "follow-ups", "recent-registrations"],
            "home-sales-coordinator")
    follow_ups = page.locator("#queue-follow-ups")
    expect(follow_ups.get_by_role("heading", level=3, name="Alice Morgan")).to_be_visible()
    expect(follow_ups.locator(".tag-overdue").first).to_have_text("Follow-up overdue")
    expect(page.locator("#queue-meetings-ahead li").first).to_contain_text("Alice Morgan")

    home_of(page, live_server, "ben@demo.test",
            ["my-meetings", "shared-lists", "new-programmes"], "home-buyer")
    home_of(page, live_server, "admin@demo.test",
            ["applications", "outbox", "suspended-users"], "home-administrator")

    home_of(page, live_server, "alice@demo.test", ["today", "follow-ups", "buyer-activity"],
            "home-account-manager")
    open_buttons = page.locator("#queue-today").get_by_role("button",
                                                            name="Open in meeting view")
    expect(open_buttons).to_have_count(2)
    open_buttons.first.click()
    expect(page).to_have_url(re.compile(r"/ipad/meetings/\d+$"))
