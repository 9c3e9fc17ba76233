"""Sam opens My Account Managers from the navigation: Alice, linked directly, and her
buyers in one table that a search narrows in place."""

import re

from playwright.sync_api import Page, expect

from e2e.conftest import (
    expect_no_reload,
    login,
    page_does_not_scroll_sideways,
    screenshot,
    set_reload_marker,
    wait_for_htmx,
)

WIDE_DESKTOP = {"width": 1440, "height": 900}


def search(page: Page, text: str) -> None:
    box = page.get_by_label("Search buyers")
    box.fill("")
    box.press_sequentially(text, delay=20)


def test_sam_finds_alices_buyers_from_the_navigation(page: Page, live_server):
    page.set_viewport_size(WIDE_DESKTOP)
    login(page, live_server, "sam@demo.test")
    page.get_by_role("navigation").get_by_role("link", name="My Account Managers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My Account Managers")

    alice = page.locator("#account-managers-table tbody tr", has_text="Alice Morgan")
    expect(page.locator("#account-managers-table tbody tr")).to_have_count(1)
    expect(alice.locator(".tag-direct")).to_have_text("direct")
    expect(alice.get_by_role("button", name="Set up a meeting for Alice Morgan")).to_have_attribute(
        "href", re.compile(r"/meetings/new\?host=\d+$"))
    expect(alice.get_by_role("button", name="Reporting for Alice Morgan's buyers")
           ).to_have_attribute("href", re.compile(r"/reporting\?am=\d+$"))

    rows = page.locator("#buyers-table tbody tr")
    expect(rows.first).to_be_visible()
    expect(page.locator("#buyers-table tbody")).not_to_contain_text("Dora Weber")  # Carol's
    assert page_does_not_scroll_sideways(page)
    screenshot(page, "my-account-managers-sam")

    set_reload_marker(page)
    search(page, "carter")
    expect(page).to_have_url(re.compile(r"/my-account-managers\?q=carter$"))
    expect(rows).to_have_count(1)
    ben = rows.first
    expect(ben).to_contain_text("Ben Carter")
    expect(ben).to_contain_text("Northlight Media")
    expect(ben).to_contain_text("Alice Morgan")
    expect(ben.locator(".tag-territory")).to_have_text("by territory")
    screenshot(page, "my-account-managers-sam-search")

    wait_for_htmx(page)
    search(page, "dora")
    expect(page.locator("#buyers")).to_contain_text("No buyer of your Account Managers matches")
    expect(rows).to_have_count(0)

    wait_for_htmx(page)
    search(page, "alice")  # her name: every one of her buyers
    expect(rows.first).to_be_visible()
    assert rows.count() > 1
    expect_no_reload(page)


def test_set_up_a_meeting_opens_the_form_with_alice_as_host(page: Page, live_server):
    login(page, live_server, "sam@demo.test")
    page.goto(f"{live_server}/my-account-managers")
    page.get_by_role("button", name="Set up a meeting for Alice Morgan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New meeting")
    expect(page.get_by_label("Host").locator("option:checked")).to_have_text("Alice Morgan")
    expect(page.locator("#buyer-picker")).to_contain_text("Add one of Alice Morgan's buyers")
    expect(page.locator("#buyer-options")).to_contain_text("Ben Carter")
