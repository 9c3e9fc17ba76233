"""Logging in and out in a real browser."""

import re

from playwright.sync_api import Page, expect

from e2e.conftest import login, screenshot

LOGIN_REFUSED = "That email and password do not match an active account."


def fill_login_form(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()


def test_demo_user_logs_in_and_is_welcomed(page: Page, live_server):
    page.goto(f"{live_server}/login")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    screenshot(page, "login-form")

    login(page, live_server, "alice@demo.test")

    expect(page.get_by_role("heading", name="Welcome, Alice")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    screenshot(page, "login-start-page-alice")


def test_wrong_password_shows_the_error_on_the_form(page: Page, live_server):
    fill_login_form(page, live_server, "alice@demo.test", "not-the-password")

    expect(page.locator("#password-error")).to_have_text(LOGIN_REFUSED)
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    expect(page).to_have_url(re.compile(r"/login(\?.*)?$"))
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    screenshot(page, "login-wrong-password")


def test_pending_applicant_cannot_log_in(page: Page, live_server, seeded_database):
    fill_login_form(page, live_server, seeded_database.pending_applicant_email, "demo-password")

    expect(page.locator("#password-error")).to_contain_text("still being reviewed")
    expect(page).to_have_url(re.compile(r"/login(\?.*)?$"))
    screenshot(page, "login-pending-applicant")
    page.goto(f"{live_server}/")
    expect(page).to_have_url(f"{live_server}/login?next=%2F")


def test_suspended_user_cannot_log_in(page: Page, live_server):
    login(page, live_server, "admin@demo.test")
    page.goto(f"{live_server}/admin/users?q=Ben+Carter")
    page.get_by_role("link", name="Ben Carter").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^Ben Carter"))).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Suspend").click()
    expect(page.get_by_text("Ben Carter is suspended.")).to_be_visible()
    expect(page.get_by_role("button", name="Unsuspend")).to_be_visible()
    screenshot(page, "login-admin-suspended-ben")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))

    fill_login_form(page, live_server, "ben@demo.test", "demo-password")

    expect(page.locator("#password-error")).to_contain_text("This account is suspended")
    expect(page).to_have_url(re.compile(r"/login(\?.*)?$"))
    screenshot(page, "login-suspended-user")


def test_logging_out_returns_to_login_and_the_start_page_needs_login_again(
        page: Page, live_server):
    login(page, live_server, "alice@demo.test")

    page.get_by_role("banner").get_by_role("button", name="Log out").click()

    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_role("status")).to_have_text("You have been logged out.")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    screenshot(page, "login-after-logout")

    page.goto(f"{live_server}/")
    expect(page).to_have_url(f"{live_server}/login?next=%2F")
    expect(page.get_by_text("Please log in to continue.")).to_be_visible()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
