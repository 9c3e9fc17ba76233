"""Passkeys in Chromium, through its virtual authenticator (CDP WebAuthn domain): one set up
from the account page and then the whole login, on the desktop and on an iPad.

WebAuthn refuses an IP address as the relying party's id, so these pages are opened at
http://localhost:<port> (a secure context, like 127.0.0.1) rather than the server's
127.0.0.1 address."""

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from e2e.conftest import DEMO_PASSWORD, login, screenshot, wait_until_wired
from webapp.extensions import db
from webapp.models import Passkey, Role, RoleKind, User, UserStatus
from webapp.services.passwords import hash_password


def on_localhost(live_server: str) -> str:
    return live_server.replace("://127.0.0.1:", "://localhost:")


def add_virtual_authenticator(page: Page) -> None:
    """A platform authenticator that holds discoverable credentials and verifies the user
    (Face ID or Touch ID, as far as the site can tell)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True}})


def sign_in_with_passkey(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page).to_have_url(f"{base_url}/")


def passkeys_of(live_app, email: str) -> list[str]:
    with live_app.app.app_context():
        names = db.session.scalars(select(Passkey.name).join(User, User.id == Passkey.user_id)
                                   .where(User.email == email)).all()
        db.session.remove()
    return names


def test_a_passkey_added_on_the_account_page_signs_in_alone(page: Page, live_app):
    base_url = on_localhost(live_app.url)
    add_virtual_authenticator(page)
    login(page, base_url, "alice@demo.test")
    page.get_by_role("link", name="Alice Morgan").click()
    page.get_by_role("button", name="Passkeys and authenticator").click()
    expect(page.get_by_role("heading", level=1, name="Sign-in")).to_be_visible()
    wait_until_wired(page)  # passkeys.js handles "Add a passkey" once it has run
    page.get_by_label("Passkey name").fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()

    expect(page.get_by_text("Your passkey is set up.")).to_be_visible()
    # The demo accounts have no recovery codes yet: they come with this passkey.
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("button", name=re.compile("continue")).click()
    expect(page.locator("#passkeys tbody tr")).to_have_count(1)
    expect(page.locator("#passkeys tbody tr").first).to_contain_text("Work laptop")
    assert passkeys_of(live_app, "alice@demo.test") == ["Work laptop"]
    screenshot(page, "passkeys-account-page")

    page.get_by_role("banner").get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{base_url}/login")
    sign_in_with_passkey(page, base_url)
    expect(page.get_by_role("heading", level=1, name="Welcome, Alice")).to_be_visible()
    page.goto(f"{base_url}/account/security")
    expect(page.locator("#passkeys tbody tr").first).not_to_contain_text("Never")


def _new_account_manager(live_app, email: str) -> None:
    """An Account Manager who has never signed in: no passkey, no authenticator app."""
    with live_app.app.app_context():
        role = db.session.scalar(select(Role).where(Role.kind == RoleKind.ACCOUNT_MANAGER))
        db.session.add(User(email=email, first_name="Hana", last_name="Sato",
                            password_hash=hash_password(DEMO_PASSWORD), roles=[role],
                            status=UserStatus.ACTIVE))
        db.session.commit()
        db.session.remove()


def test_an_account_manager_on_an_ipad_enrols_a_passkey_then_signs_in_with_it(
        ipad_page: Page, live_app):
    page = ipad_page
    base_url = on_localhost(live_app.url)
    _new_account_manager(live_app, "hana@demo.test")
    add_virtual_authenticator(page)

    page.goto(f"{base_url}/login")
    page.get_by_label("Email", exact=True).fill("hana@demo.test")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(f"{base_url}/login/enrol")
    # Nothing else opens before the second factor is set up.
    screenshot(page, "passkeys-ipad-enrol")
    page.get_by_label("Passkey name").fill("Hana's iPad")
    page.get_by_role("button", name="Create a passkey").click()

    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    screenshot(page, "passkeys-ipad-recovery-codes")
    page.get_by_role("button", name=re.compile("continue")).click()
    expect(page.get_by_role("heading", level=1, name="Welcome, Hana")).to_be_visible()
    assert passkeys_of(live_app, "hana@demo.test") == ["Hana's iPad"]

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{base_url}/login")
    sign_in_with_passkey(page, base_url)  # Face ID: no password typed
    expect(page.get_by_role("heading", level=1, name="Welcome, Hana")).to_be_visible()
    page.goto(f"{base_url}/ipad/")
    expect(page.get_by_role("heading", level=1, name="Hana's meetings")).to_be_visible()
    screenshot(page, "passkeys-ipad-signed-in")
