"""html-validate finds no error on any page, as each point of view of the authorization
matrix sees it.

Every GET route the matrix answers 200 to is fetched, on the matrix's world, by each point
of view it answers 200 to; the HTML answers are written to a folder and html-validate
(npm, configured by .htmlvalidate.json at the top of the repository) checks them in one run.

What .htmlvalidate.json changes from html-validate:recommended (JSON holds a "why" only
beside a rule that is off, so the two narrowed rules are explained here):
- no-trailing-whitespace is off: see its "why" in the file.
- form-dup-name lets checkboxes share a name: a group of boxes sends its values under one
  name (WTForms' multiple-choice fields read them so), as radio buttons do.
- prefer-native-element leaves role="button" alone: Pico CSS draws a link as a button by
  that role, and those links (Cancel, New user) go to another page, which a <button>
  cannot do without a form or JavaScript. Every other role is still checked.
Email HTML turns two more rules off in its own layout (emails/_layout.html), with the reason.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests import test_authorization_matrix as matrix

world = matrix.world  # the matrix's fixture: one of everything, a user for each point of view

ROOT = Path(__file__).resolve().parent.parent
HTML_VALIDATE = ROOT / "node_modules" / ".bin" / "html-validate"
REPORTED = 200  # lines of html-validate's report shown when it finds errors


@pytest.fixture
def app_config(tmp_path):
    """The matrix's settings, with CSRF on: the pages carry their tokens, as in production."""
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads"), "WTF_CSRF_ENABLED": True}


@pytest.fixture
def html_validate() -> Path:
    """html-validate as `make setup` installs it (npm ci); missing, the test fails in CI and
    skips, loudly, on a developer's machine."""
    if HTML_VALIDATE.exists():
        return HTML_VALIDATE
    message = f"{HTML_VALIDATE} is missing: run `make setup` (npm ci) to install html-validate"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(f"!!! HTML NOT VALIDATED: {message}")


def _pages():
    """(endpoint, kind, view) of every GET the matrix answers 200."""
    for (endpoint, method), expected in matrix.MATRIX.items():
        if method != "GET":
            continue
        for kind in matrix.KINDS_OF.get(endpoint, [None]):
            for view, status in expected.items():
                if status == 200:
                    yield endpoint, kind, view


def _save_pages(app, client, login, world, folder: Path) -> list[Path]:
    saved = []
    for endpoint, kind, view in _pages():
        matrix.as_view(client, login, world, view)
        url = matrix.url_of(app, world, endpoint, kind)
        with client.get(url) as response:  # closes streamed answers (CSV) and files
            assert response.status_code == 200, (endpoint, kind, view, response.status_code)
            if response.mimetype != "text/html":
                continue
            path = folder / f"{'-'.join(part for part in (endpoint, kind, view) if part)}.html"
            path.write_bytes(response.get_data())
        saved.append(path)
    return saved


def test_every_page_is_valid_html_for_every_point_of_view(
        app, client, login, world, html_validate, tmp_path):
    pages = _save_pages(app, client, login, world, tmp_path)
    assert len(pages) > 50, "fewer pages than the matrix has: is the world still complete?"

    result = subprocess.run(
        [html_validate, "--config", ROOT / ".htmlvalidate.json", "--formatter", "text",
         *map(str, pages)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)

    if result.returncode != 0:  # pytest.fail: an assertion's message would be cut short
        lines = result.stdout.replace(f"{tmp_path}{os.sep}", "").splitlines()
        more = f"\n... and {len(lines) - REPORTED} more" if len(lines) > REPORTED else ""
        pytest.fail("html-validate found errors (file: route-[kind-]point of view):\n"
                    + "\n".join(lines[:REPORTED]) + more + result.stderr, pytrace=False)


SECTION = re.compile(r'<section class="work-queue" id="queue-([^"]+)"[^>]*>\s*<h2>([^<]+)</h2>')


def test_no_two_sections_on_a_home_page_share_a_name(client, login, world):
    for view, user in world["users"].items():
        if view == "suspended":
            continue
        sections = SECTION.findall(login(user).get("/").get_data(as_text=True))
        names = [name for _, name in sections]
        assert len(sections) > 1 and len(set(names)) == len(names), (view, sections)


ICON_LINK = re.compile(r'<link rel="(icon|apple-touch-icon)" href="([^"]+)"')


@pytest.mark.parametrize("path, view", [("/login", "anonymous"), ("/", "buyer"),
                                        ("/ipad/", "account_manager")])
def test_website_and_ipad_pages_link_a_favicon_and_a_touch_icon(client, login, world, path,
                                                                   view):
    if view != "anonymous":
        login(world["users"][view])
    links = ICON_LINK.findall(client.get(path).get_data(as_text=True))
    assert {rel for rel, _ in links} == {"icon", "apple-touch-icon"}
    assert any(href.endswith(".svg") for _, href in links)
    for _, href in links:
        with client.get(href) as icon:
            assert icon.status_code == 200 and icon.mimetype.startswith("image/"), href
