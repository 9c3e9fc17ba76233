"""axe-core finds no serious or critical accessibility violation on any main page.

Each demo user opens the pages they work in, on a desktop and on an iPad, and axe-core
checks each page as rendered (WCAG 2.x A and AA rules, and axe's best practices).
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page
from sqlalchemy import func, select

from e2e.conftest import login

BLOCKING = {"serious", "critical"}


def _ids(app) -> dict:
    """Ids of the demo data the pages point at."""
    from webapp import access
    from webapp.extensions import db
    from webapp.models import ListItem, Meeting, Programme, ProgrammeList, Registration, User

    with app.app_context():
        def user(email):
            return db.session.scalar(select(User).where(User.email == email))

        alice, sam = user("alice@demo.test"), user("sam@demo.test")
        ids = {
            "alice": alice.id,
            "programme": db.session.scalar(select(func.min(Programme.id))),
            "alice_list": db.session.scalar(
                select(ProgrammeList.id).join(ListItem)
                .where(ProgrammeList.owner_id == alice.id).limit(1)),
            "alice_meeting": db.session.scalar(
                select(func.min(Meeting.id)).where(Meeting.host_id == alice.id)),
            "applicant": db.session.scalar(
                access.registrations_visible_to(sam)
                .with_only_columns(Registration.user_id).limit(1)),
        }
        db.session.remove()
    return ids


# Who signs in (None: nobody) and the pages they open, as paths built from _ids().
VIEWERS = {
    "visitor": (None, ["/login", "/register"]),
    "buyer": ("ben@demo.test", [
        "/", "/catalogue", "/catalogue/{programme}", "/lists", "/profile"]),
    "sales_coordinator": ("sam@demo.test", [
        "/approvals", "/approvals?tab=rejected", "/approvals/{applicant}", "/lists",
        "/profile", "/meetings", "/meetings?tab=past", "/meetings/new",
        "/meetings/{alice_meeting}", "/meetings/{alice_meeting}/edit"]),
    "account_manager": ("alice@demo.test", [
        "/", "/lists/{alice_list}", "/lists/{alice_list}/share", "/profile", "/ipad/",
        "/ipad/meetings/{alice_meeting}"]),
    "administrator": ("admin@demo.test", [
        "/admin/users", "/admin/users/{alice}", "/admin/users/new", "/admin/roles",
        "/admin/territories", "/admin/companies", "/admin/catalogue",
        "/admin/catalogue/{programme}/edit", "/admin/outbox"]),
}


def _violations(page: Page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("load")
    results = Axe().run(page)
    return [f"{url} [{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({', '.join(str(node['target']) for node in violation['nodes'][:3])})"
            for violation in results.response["violations"]
            if violation["impact"] in BLOCKING]


@pytest.mark.parametrize("screen", ["desktop", "ipad"])
@pytest.mark.parametrize("viewer", VIEWERS)
def test_main_pages_have_no_serious_accessibility_violations(request, live_app, viewer,
                                                             screen):
    page = request.getfixturevalue("ipad_page" if screen == "ipad" else "page")
    email, paths = VIEWERS[viewer]
    if email:
        login(page, live_app.url, email)
    ids = _ids(live_app.app)

    found = [problem for path in paths
             for problem in _violations(page, live_app.url + path.format(**ids))]

    assert found == [], "\n".join(found)
