"""Reporting: each coordinator finds the buyers of their own Account Managers, and the CSV
they download is the table they see."""

import csv
import io

from playwright.sync_api import Page, expect
from sqlalchemy import select

from e2e.conftest import (
    login,
    page_does_not_scroll_sideways,
    screenshot,
    wait_until_wired,
)
from webapp.extensions import db
from webapp.models import EventKind, User
from webapp.services import activity


def open_buyers(page: Page, url: str, email: str) -> None:
    login(page, url, email)
    page.get_by_role("banner").get_by_role("link", name="Reporting", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Reporting")).to_be_visible()
    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Buyers").click()
    expect(page.locator("#buyers-table")).to_be_visible()
    wait_until_wired(page)


def search(page: Page, text: str) -> None:
    box = page.get_by_label("Buyer", exact=True)
    box.fill("")
    box.press_sequentially(text, delay=20)


def rows(page: Page):
    return page.locator("#buyers-table tbody tr")


def test_sam_finds_ben_but_not_dora(page: Page, live_server):
    open_buyers(page, live_server, "sam@demo.test")
    search(page, "Ben Carter")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Northlight Media")
    search(page, "Dora")
    expect(page.locator("#report")).to_contain_text("No buyer matches these filters")
    # Alice's territories only: nobody from DACH at all.
    page.get_by_label("Buyer", exact=True).fill("")
    expect(page.locator("#buyers-table")).not_to_contain_text("Alpenblick")
    page.get_by_role("link", name="Ben Carter").click()
    expect(page.get_by_role("heading", level=1, name="Ben Carter")).to_be_visible()
    expect(page.locator("#timeline li").first).to_be_visible()
    screenshot(page, "reporting-buyer-ben")


def test_tess_finds_dora(page: Page, live_server):
    open_buyers(page, live_server, "tess@demo.test")
    search(page, "Dora")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Alpenblick Fernsehen")
    expect(rows(page).first).to_contain_text("Bob Keller, Carol Nguyen")
    search(page, "Ben Carter")
    expect(page.locator("#report")).to_contain_text("No buyer matches these filters")


def test_rita_finds_everyone_and_the_csv_matches_the_table(page: Page, live_server):
    open_buyers(page, live_server, "rita@demo.test")
    for name in ("Ben Carter", "Dora Weber"):
        search(page, name)
        expect(rows(page)).to_have_count(1)
    page.get_by_label("Buyer", exact=True).fill("")
    expect(page.locator(".result-count")).to_contain_text("162 buyers")
    page.get_by_role("link", name="Programme views").click()
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("Programme views")
    shown = [[cell.inner_text().split("\n")[0].strip() for cell in row.locator("td").all()]
             for row in rows(page).all()]
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    exported = list(csv.reader(io.StringIO(download.value.path().read_text())))
    assert exported[0][:3] == ["Buyer", "Email", "Company"]
    assert len(exported) == 1 + 162
    for table_row, csv_row in zip(shown, exported[1:], strict=False):
        name, _email, company, territories, managers, *counts, last_seen = csv_row
        assert table_row == [name, company or "—", territories.replace("; ", ", ") or "—",
                             managers.replace("; ", ", ") or "—", *counts, last_seen or "—"]


def test_overview_reads_on_desktop_and_ipad(page: Page, ipad_page: Page, live_server):
    for view, name in ((page, "desktop"), (ipad_page, "ipad")):
        login(view, live_server, "sam@demo.test")
        view.goto(f"{live_server}/reporting")
        chart = view.locator("#activity-chart svg.chart-svg")
        expect(chart).to_be_visible()
        expect(view.locator("#activity-chart rect[class^='series-']").first).to_be_attached()
        expect(view.locator("#tile-visits")).not_to_contain_text("0\n")
        assert page_does_not_scroll_sideways(view), "scrolls sideways"
        screenshot(view, f"reporting-overview-{name}")
    page.goto(f"{live_server}/reporting/programmes")
    expect(page.locator("#programmes-chart svg.chart-svg")).to_be_visible()
    screenshot(page, "reporting-programmes-desktop")


def test_sams_overview_counts_a_visit_made_a_moment_ago(page: Page, live_app):
    login(page, live_app.url, "sam@demo.test")
    page.goto(f"{live_app.url}/reporting")
    visits = page.locator("#tile-visits .tile-value")
    before = int(visits.inner_text().replace(",", ""))
    with live_app.app.app_context():  # Ben visits three more times
        ben = db.session.scalar(select(User).where(User.email == "ben@demo.test"))
        for _ in range(3):
            activity.record(ben, EventKind.VISIT)
        db.session.commit()
    page.reload()
    expect(visits).to_have_text(f"{before + 3:,}")
