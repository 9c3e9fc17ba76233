"""End-to-end fixtures: a live server per test on a copy of a seeded database, and Chromium.

CSRF stays on: the browser sends the tokens the pages carry, as a real user's would.
"""

import os
import re
import shutil
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from webapp import create_app
from webapp.extensions import db

# The demo's shared authenticator secret, the same for the seeded database and login().
os.environ.setdefault("DEMO_TOTP_SECRET", pyotp.random_base32())
DEMO_TOTP = pyotp.TOTP(os.environ["DEMO_TOTP_SECRET"])
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
DEMO_PASSWORD = "demo-password"
DESKTOP_VIEWPORT = {"width": 1366, "height": 900}
# The browsers ask for British English (Accept-Language, navigator.language), as the demo
# distributor's staff do: the pages then write dates and times in en_GB.
BROWSER_LOCALE = "en-GB"


def app_config(database: Path) -> dict:
    """Overrides for create_app: a file database, cheap password hashing, CSRF left on."""
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "SECRET_KEY": "e2e-secret",
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_KIB": 8,
        "PASSWORD_HASH_PARALLELISM": 1,
        # Background jobs run as they do under `make run`: a worker thread, pages polling.
        "JOBS_IN_PROCESS": True,
    }


@dataclass(frozen=True)
class SeededDatabase:
    path: Path
    pending_applicant_email: str


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory) -> SeededDatabase:
    """The demo data, loaded once per session into a template file that each test copies."""
    from webapp.demo import load_demo_data
    from webapp.models import User, UserStatus

    path = tmp_path_factory.mktemp("template") / "demo.db"
    app = create_app(app_config(path))
    with app.app_context():
        db.create_all()
        load_demo_data()
        pending_email = db.session.scalar(
            select(User.email).where(User.status == UserStatus.PENDING).order_by(User.email))
        db.session.remove()
        db.engine.dispose()
    return SeededDatabase(path=path, pending_applicant_email=pending_email)


class _ServerThread(threading.Thread):
    def __init__(self, app):
        super().__init__(daemon=True, name="e2e-live-server")
        self.server = make_server("127.0.0.1", 0, app, threaded=True)

    def run(self):
        # Polled every 50 ms, not 500: stop() waits for the next poll, after every test.
        self.server.serve_forever(poll_interval=0.05)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.join(timeout=10)


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: object  # the Flask app serving `url`, for reading what a test caused in its database


@pytest.fixture
def live_config() -> dict:
    """Overrides of app_config for live_app; a test can parametrize it."""
    return {}


@pytest.fixture
def live_app(seeded_database, tmp_path, live_config):
    """A fresh copy of the demo database served on a free port, with the app serving it.

    The server runs in this process, under pytest's filters: a warning in a view is a 500.
    """
    database = tmp_path / "e2e.db"
    shutil.copyfile(seeded_database.path, database)
    app = create_app({**app_config(database), **live_config})
    server = _ServerThread(app)
    url = f"http://127.0.0.1:{server.server.server_port}"
    app.config["PUBLIC_BASE_URL"] = url  # links in emails point at this server
    for key in [key for key in _USED_STEPS if key[0] == url]:  # a port used before
        del _USED_STEPS[key]
    server.start()
    yield LiveServer(url=url, app=app)
    server.stop()
    app.extensions["jobs"].stop_in_process()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_server(live_app):
    """The base URL of a fresh copy of the demo database, served on a free port."""
    return live_app.url


@pytest.fixture(scope="session", autouse=True)
def chromium_available():
    """Debian's Chromium drives these tests; Playwright cannot download its own here."""
    if CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    message = (f"{CHROMIUM} is missing: install Debian's chromium package "
               "(apt-get install chromium) to run the end-to-end tests")
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {message}", pytrace=False)
    pytest.skip(f"!!! END-TO-END TESTS NOT RUN: {message} !!!")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_available):
    return {
        **browser_type_launch_args,
        "executable_path": str(chromium_available),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"],
    }


@pytest.fixture(scope="session")
def base_url(pytestconfig):
    """Playwright's base URL; unset, since each test has its own server (live_server).

    Overridden because pytest-playwright 0.10's fallback fixture is a session fixture
    defined as an instance method, which pytest 9 deprecates (an error with warnings as errors).
    """
    return pytestconfig.getoption("--base-url", default=None) or None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": DESKTOP_VIEWPORT, "locale": BROWSER_LOCALE}


@pytest.fixture(scope="session")
def ipad_context_args(playwright) -> dict:
    """The iPad Pro 11 profile, for Chromium (the descriptor names WebKit as its browser)."""
    device = dict(playwright.devices["iPad Pro 11"])
    device.pop("default_browser_type", None)
    return {**device, "locale": BROWSER_LOCALE}


@pytest.fixture
def ipad_page(browser, ipad_context_args):
    """A page in a second, iPad-sized context with its own cookies."""
    context = browser.new_context(**ipad_context_args)
    yield context.new_page()
    context.close()


# The last authenticator step used per server and account: a code is accepted once, so a
# second login within 30 seconds types the next step's code (one step of drift is allowed).
_USED_STEPS: dict[tuple[str, str], int] = {}


def demo_code(base_url: str, email: str) -> str:
    """A code of the demo authenticator that this server has not yet accepted for `email`."""
    now = DEMO_TOTP.timecode(datetime.now(UTC))
    step = max(now, _USED_STEPS.get((base_url, email), now - 1) + 1)
    _USED_STEPS[base_url, email] = step
    return DEMO_TOTP.generate_otp(step)


def login(page: Page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form (and, for the sales team, the demo authenticator's code) and
    wait for the start page."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(re.compile(r"/(login/verify)?$"))
    if page.url.endswith("/login/verify"):
        page.get_by_label("Code", exact=True).fill(demo_code(base_url, email))
        page.get_by_role("button", name="Continue", exact=True).click()
    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Welcome, "))).to_be_visible()


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot to e2e/screenshots/<name>.png for a human to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # Settle the page first: a capture straight after a navigation once came out at the
    # previous page's height.
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=path, full_page=True, animations="disabled")
    return path


def set_reload_marker(page: Page) -> None:
    """Mark the window; the mark survives htmx swaps and is lost on a full page load."""
    page.evaluate("window.__e2eNoReload = true")


def expect_no_reload(page: Page) -> None:
    assert page.evaluate("window.__e2eNoReload === true"), "the page was reloaded"


def wait_until_wired(page: Page) -> None:
    """Wait for the page's load event after following a link: htmx wires the page up when
    its document has loaded, and a field changed before that sends no request. (goto waits
    for the load event itself; a click waits only for the new page to start.)"""
    page.wait_for_load_state("load")


def page_does_not_scroll_sideways(page: Page) -> bool:
    """Whether the page fits its viewport's width. Measured once the document and its
    stylesheets have loaded: after a form posts or a link is followed, the new page's text
    is there before its styles are, and the unstyled page may be wider."""
    page.wait_for_load_state("load")
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def wait_for_htmx(page: Page) -> None:
    """Wait until no htmx request, swap or settle is under way.

    htmx wires up swapped-in content when it settles, shortly after the swap: input typed
    into a new field before that fires no request.
    """
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
