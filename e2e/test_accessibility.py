"""axe-core finds no serious or critical accessibility violation on any page.

Each demo user (and a visitor) starts from the pages they work in and follows every link
the pages show, on a desktop and on an iPad Pro 11; axe-core checks each page as rendered
(WCAG 2.x A and AA rules, axe's best practices, and label-content-name-mismatch, which axe
keeps among its experimental rules: a control's visible words must be in its name, so a
voice-control user can say them). Pages of one kind (two programmes, two lists) are checked
once: the same template with other data.
"""

import re
from urllib.parse import parse_qsl, urlsplit

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


# Who signs in (None: nobody) and where they start, as paths built from _ids(); from there
# the test follows the links each page shows.
VIEWERS = {
    "visitor": (None, ["/login", "/register", "/forgot-password"]),
    "buyer": ("ben@demo.test", [
        "/", "/catalogue", "/catalogue/{programme}", "/lists", "/profile"]),
    "sales_coordinator": ("sam@demo.test", [
        "/", "/approvals", "/approvals?tab=rejected", "/approvals/{applicant}", "/lists",
        "/profile", "/meetings", "/meetings?tab=past", "/meetings/new",
        "/meetings/{alice_meeting}", "/meetings/{alice_meeting}/edit"]),
    "account_manager": ("alice@demo.test", [
        "/", "/lists/{alice_list}", "/lists/{alice_list}/share", "/profile", "/ipad/",
        "/ipad/meetings/{alice_meeting}"]),
    "administrator": ("admin@demo.test", [
        "/", "/admin/users", "/admin/users/{alice}", "/admin/users/new", "/admin/roles",
        "/admin/territories", "/admin/companies", "/admin/catalogue",
        "/admin/catalogue/{programme}/edit", "/admin/outbox", "/admin/catalogue/access-report",
        "/admin/buyer-groups"]),
}
# Checking pages one after another, a viewer's run stays near a minute at most.
MOST_PAGES = 80
# Links to what is no page: files (CSV, calendar invitations, images, scripts) and screeners.
NOT_PAGES = re.compile(r"\.(csv|ics|png|jpe?g|svg|js)$|/screeners/|/media/|/static/")
# Query arguments that choose what a page shows (another kind of page); the rest (search,
# filters, page numbers, sorting) show the same page with other rows.
KIND_ARGUMENTS = {"tab", "status"}
# Axe's options: its default rules and label-content-name-mismatch, off by default in axe.
AXE_OPTIONS = {"resultTypes": ["violations"],
               "rules": {"label-content-name-mismatch": {"enabled": True}}}
LINKS = """anchors => anchors
  .filter(a => !a.hasAttribute('download') && a.target !== '_blank' && a.origin === location.origin)
  .map(a => a.pathname + a.search)"""


def _kind_of_page(path: str) -> str:
    """One key for the pages of one kind: ids in the path and filters in the query don't
    count, a tab does."""
    url = urlsplit(path)
    kind = re.sub(r"/\d+(?=/|$)", "/<id>", url.path)
    tabs = sorted((key, value) for key, value in parse_qsl(url.query) if key in KIND_ARGUMENTS)
    return kind + "".join(f"&{key}={value}" for key, value in tabs)


def _check(page: Page, url: str) -> tuple[list[str], list[str]] | None:
    """The page's blocking violations and the paths it links to; None if it is no page."""
    response = page.goto(url)
    if response is None or "text/html" not in response.headers.get("content-type", ""):
        return None
    page.wait_for_load_state("load")
    results = Axe().run(page, options=AXE_OPTIONS)
    problems = [f"{page.url} [{violation['impact']}] {violation['id']}: {violation['help']} "
                f"({', '.join(str(node['target']) for node in violation['nodes'][:3])})"
                for violation in results.response["violations"]
                if violation["impact"] in BLOCKING]
    return problems, page.eval_on_selector_all("a[href]", LINKS)


def _crawl(page: Page, base_url: str, start: list[str]) -> tuple[list[str], list[str]]:
    """Every kind of page reachable from `start` by links (MOST_PAGES at most): the pages
    checked, and the violations found on them."""
    queue, seen, checked, found = list(start), set(), [], []
    while queue and len(checked) < MOST_PAGES:
        path = queue.pop(0)
        if _kind_of_page(path) in seen or NOT_PAGES.search(urlsplit(path).path):
            continue
        seen.add(_kind_of_page(path))
        answer = _check(page, base_url + path)
        if answer is None:
            continue
        problems, links = answer
        checked.append(path)
        found += problems
        queue += [link for link in links if _kind_of_page(link) not in seen]
    return checked, found


@pytest.mark.parametrize("screen", ["desktop", "ipad"])
@pytest.mark.parametrize("viewer", VIEWERS)
def test_every_page_has_no_serious_accessibility_violations(request, live_app, viewer, screen):
    page = request.getfixturevalue("ipad_page" if screen == "ipad" else "page")
    email, paths = VIEWERS[viewer]
    if email:
        login(page, live_app.url, email)
    ids = _ids(live_app.app)

    checked, found = _crawl(page, live_app.url, [path.format(**ids) for path in paths])

    print(f"{viewer} on {screen}: {len(checked)} pages", *checked, sep="\n  ")
    assert len(checked) >= len(paths), "fewer pages than the starting points: links lost?"
    if found:  # pytest.fail: an assertion's message would be cut short
        pytest.fail("\n".join(found), pytrace=False)
