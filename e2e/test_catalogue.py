"""The catalogue: a buyer searches, filters and opens a programme; an administrator edits
and imports programmes."""

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

IMPORT_CSV = (
    "title,programme_type,genres,year,episodes,runtime_minutes,synopsis,screener_url\n"
    "Harbour Lights,Series,Crime; Drama,2025,8,58,\"A detective, a harbour, a secret.\","
    "https://screeners.example.com/harbour-lights\n"
    "Glacier Song,Documentary,Natural History,1850,,90,A year on the ice.,\n"
    "Night Ferry,Film,Thriller,2024,,104,,\n"
)


def cards(page: Page):
    return page.locator("#programme-results .programme-card")


def test_buyer_searches_filters_and_opens_a_programme(page: Page, live_server):
    login(page, live_server, "ben@demo.test")
    page.get_by_role("banner").get_by_role("link", name="Catalogue", exact=True).click()
    expect(page).to_have_url(f"{live_server}/catalogue")
    expect(page.get_by_role("heading", level=1, name="Catalogue")).to_be_visible()
    expect(cards(page)).to_have_count(24)
    expect(page.locator("#programme-results")).to_contain_text("Page 1 of")
    screenshot(page, "catalogue-list")
    set_reload_marker(page)

    page.get_by_role("searchbox", name="Search").press_sequentially("fjord", delay=30)

    expect(page).to_have_url(re.compile(r"/catalogue\?(.*&)?q=fjord(&|$)"))
    expect(cards(page)).to_have_count(1)
    expect(cards(page).first).to_contain_text("The Fjord Murders")
    expect_no_reload(page)

    page.get_by_role("searchbox", name="Search").fill("")
    page.get_by_label("Genre", exact=True).select_option(label="Crime")

    expect(page).to_have_url(re.compile(r"[?&]genre=\d+"))
    expect(page.locator("#programme-results")).not_to_contain_text("Wild Atlantic")
    for card in cards(page).all():
        expect(card.locator(".tag", has_text=re.compile("^Crime$"))).to_have_count(1)
    expect_no_reload(page)
    screenshot(page, "catalogue-genre-crime")

    page.get_by_role("link", name="The Fjord Murders").click()

    expect(page.get_by_role("heading", level=1, name="The Fjord Murders")).to_be_visible()
    expect(page.get_by_role("heading", name="Seasons")).to_be_visible()
    expect(page.locator("details.season")).to_have_count(3)
    expect(page.locator("details.season").first.locator("tbody tr")).to_have_count(8)
    watch = page.get_by_role("button", name=re.compile("^Watch screener"))  # a link, Pico-styled
    expect(watch).to_have_attribute("target", "_blank")
    expect(watch).to_have_attribute("rel", "noopener noreferrer")
    href = watch.get_attribute("href")
    assert re.fullmatch(r"/catalogue/screeners/programme/\d+", href)
    played = page.request.get(f"{live_server}{href}", max_redirects=0)
    assert played.status == 302
    assert played.headers["location"] == "https://screeners.example.com/the-fjord-murders"
    assert page_does_not_scroll_sideways(page)
    screenshot(page, "catalogue-programme")


def test_the_catalogue_fits_an_ipad(ipad_page: Page, live_server):
    login(ipad_page, live_server, "ben@demo.test")
    ipad_page.goto(f"{live_server}/catalogue")
    expect(cards(ipad_page)).to_have_count(24)
    assert page_does_not_scroll_sideways(ipad_page)
    screenshot(ipad_page, "ipad-catalogue-list")

    ipad_page.get_by_role("searchbox", name="Search").fill("fjord")
    expect(cards(ipad_page)).to_have_count(1)
    ipad_page.get_by_role("link", name="The Fjord Murders").click()
    expect(ipad_page.get_by_role("heading", level=1, name="The Fjord Murders")).to_be_visible()
    assert page_does_not_scroll_sideways(ipad_page)
    screenshot(ipad_page, "ipad-catalogue-programme")


def open_admin_catalogue(page: Page, base_url: str) -> None:
    page.get_by_role("banner").get_by_text("Admin", exact=True).click()
    page.locator("details.dropdown").get_by_role("link", name="Catalogue", exact=True).click()
    expect(page).to_have_url(f"{base_url}/admin/catalogue")
    expect(page.get_by_role("heading", level=1, name="Catalogue")).to_be_visible()
    wait_until_wired(page)


def test_admin_edits_a_programme(page: Page, live_server):
    login(page, live_server, "admin@demo.test")
    open_admin_catalogue(page, live_server)
    expect(page.locator("#admin-programme-results tbody tr")).to_have_count(25)
    screenshot(page, "admin-catalogue-list")

    page.get_by_role("searchbox", name="Search").press_sequentially("fjord", delay=30)
    expect(page.locator("#admin-programme-results tbody tr")).to_have_count(1)
    page.locator("#admin-programme-results").get_by_role(
        "link", name="The Fjord Murders").first.click()
    expect(page.get_by_role("heading", level=1, name="Edit The Fjord Murders")).to_be_visible()
    expect(page.locator("article.season-admin")).to_have_count(3)
    screenshot(page, "admin-catalogue-edit")

    page.get_by_label("Year").fill("1850")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#year-error")).to_have_text(re.compile("Year must be between 1900"))
    page.get_by_label("Year").fill("2023")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("“The Fjord Murders” saved.")).to_be_visible()
    expect(page.get_by_label("Year")).to_have_value("2023")


def test_admin_imports_a_csv_with_one_bad_row(page: Page, live_server):
    login(page, live_server, "admin@demo.test")
    open_admin_catalogue(page, live_server)
    page.get_by_role("button", name="Import from CSV").click()  # a link styled as a button
    expect(page.get_by_role("heading", level=1, name="Import programmes")).to_be_visible()

    page.get_by_label("CSV file").set_input_files(files=[{
        "name": "autumn-slate.csv", "mimeType": "text/csv",
        "buffer": IMPORT_CSV.encode()}])
    page.get_by_role("button", name="Import").click()

    report = page.locator("#import-report")
    expect(report.get_by_role("heading")).to_have_text("2 imported, 1 row with errors")
    rows = report.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("3")
    expect(rows.first).to_contain_text("Glacier Song")
    expect(rows.first).to_contain_text("Year must be between 1900")
    screenshot(page, "admin-catalogue-import-report")

    page.goto(f"{live_server}/catalogue?q=harbour+lights")
    expect(cards(page)).to_have_count(1)
    expect(cards(page).first).to_contain_text("Crime")
    page.goto(f"{live_server}/catalogue?q=glacier")
    expect(page.get_by_text("No programme matches these filters.")).to_be_visible()


def test_admin_catalogue_fits_an_ipad(ipad_page: Page, live_server):
    login(ipad_page, live_server, "admin@demo.test")
    ipad_page.goto(f"{live_server}/admin/catalogue")
    expect(ipad_page.locator("#admin-programme-results tbody tr")).to_have_count(25)
    assert page_does_not_scroll_sideways(ipad_page)
    assert ipad_page.locator("#admin-programme-results .table-wrap").evaluate(
        "wrap => wrap.scrollWidth <= wrap.clientWidth"), "the table scrolls sideways"
    screenshot(ipad_page, "ipad-admin-catalogue-list")

    ipad_page.get_by_role("searchbox", name="Search").fill("fjord")
    expect(ipad_page.locator("#admin-programme-results tbody tr")).to_have_count(1)
    ipad_page.locator("#admin-programme-results").get_by_role(
        "link", name="The Fjord Murders").first.click()
    expect(ipad_page.get_by_role("heading", level=1,
                                 name="Edit The Fjord Murders")).to_be_visible()
    assert page_does_not_scroll_sideways(ipad_page)
    screenshot(ipad_page, "ipad-admin-catalogue-edit")

    ipad_page.goto(f"{live_server}/admin/catalogue/import")
    ipad_page.get_by_label("CSV file").set_input_files(files=[{
        "name": "autumn-slate.csv", "mimeType": "text/csv", "buffer": IMPORT_CSV.encode()}])
    ipad_page.get_by_role("button", name="Import").click()
    expect(ipad_page.locator("#import-report")).to_contain_text("1 row with errors")
    assert page_does_not_scroll_sideways(ipad_page)
    screenshot(ipad_page, "ipad-admin-catalogue-import-report")


def test_admin_deletes_a_programme_after_confirming(page: Page, live_server):
    login(page, live_server, "admin@demo.test")
    page.goto(f"{live_server}/admin/catalogue?q=fjord")
    row = page.locator("#admin-programme-results tbody tr")
    expect(row).to_have_count(1)

    page.once("dialog", lambda dialog: dialog.dismiss())
    row.get_by_role("button", name="Delete").click()
    expect(row).to_have_count(1)  # nothing happened

    questions = []

    def accept(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    row.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("“The Fjord Murders” deleted.")).to_be_visible()
    assert questions and questions[0].startswith("Delete “The Fjord Murders” with its seasons")
    page.goto(f"{live_server}/catalogue?q=fjord")
    expect(page.get_by_text("No programme matches these filters.")).to_be_visible()
