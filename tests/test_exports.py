"""Exports, opened and read back: a list as a PDF one-sheet and as XLSX, reporting's buyers
table and programme ranking as XLSX (and the ranking as CSV), a day's meetings as a PDF
agenda; formula cells neutralised; only for those who may see what they export."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests import factories as f
from tests.catalogue_factories import programme
from webapp.extensions import db
from webapp.models import (
    EventKind,
    Genre,
    ListItem,
    ListKind,
    Meeting,
    MeetingStatus,
    ProgrammeList,
)
from webapp.services import activity

pytestmark = pytest.mark.usefixtures("ctx")
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
       b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads")}


def pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_images(response) -> int:
    reader = PdfReader(io.BytesIO(response.data))
    return sum(len(page.images) for page in reader.pages)


def sheet_rows(response, sheet: int = 0) -> list[tuple]:
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    return [tuple(row) for row in book.worksheets[sheet].iter_rows(values_only=True)]


@pytest.fixture
def people():
    uk = f.territory("UK & Ireland")
    alice = f.account_manager(first_name="Alice", last_name="Morgan", territories=[uk])
    bob = f.account_manager(first_name="Bob", last_name="Stone",
                            territories=[f.territory("DACH")])
    return {"alice": alice, "bob": bob,
            "sam": f.sales_coordinator(alice, first_name="Sam", last_name="Patel"),
            "tess": f.sales_coordinator(bob, first_name="Tess"),
            "ben": f.buyer(first_name="Ben", last_name="Hughes", email="ben@example.com",
                           territories=[uk]),
            "admin": f.admin()}


@pytest.fixture
def picks(people, app_config):
    """Sam's list: a programme with artwork and every fact, one with a formula for a title."""
    from pathlib import Path

    image = Path(app_config["UPLOAD_FOLDER"]) / "programmes" / "fjord.png"
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(PNG)
    drama = Genre(name="Drama")
    programme_list = ProgrammeList(name="Nordic noir", kind=ListKind.MY, owner=people["sam"])
    programme_list.items = [
        ListItem(programme=programme("The Fjord Murders", genres=[drama], year=2024,
                                     episode_count=8, synopsis="A detective returns home.",
                                     image_path="programmes/fjord.png"),
                 position=1, note="Ask about season 2"),
        ListItem(programme=programme('=HYPERLINK("http://evil.example")', year=2020),
                 position=2, note="+1 to this")]
    db.session.add(programme_list)
    db.session.commit()
    return programme_list


def test_a_list_as_a_pdf_one_sheet_has_each_programmes_facts(login, people, picks):
    response = login(people["sam"]).get(f"/lists/{picks.id}/export.pdf")
    assert 'filename="Nordic-noir.pdf"' in response.headers["Content-Disposition"]
    text = pdf_text(response)
    for expected in ("Nordic noir", "2 titles", "prepared by Sam Patel", "The Fjord Murders",
                     "Drama", "2024", "8 episodes", "A detective returns home."):
        assert expected in text
    assert "Ask about season 2" not in text  # notes only when asked for
    assert pdf_images(response) == 1  # the artwork of the one programme with an image


def test_a_list_pdf_carries_the_notes_when_asked(login, people, picks):
    text = pdf_text(login(people["sam"]).get(f"/lists/{picks.id}/export.pdf?notes=1"))
    assert "Note: Ask about season 2" in text and "Note: +1 to this" in text


def test_a_list_as_xlsx_reads_back_with_formulas_neutralised(login, people, picks):
    rows = sheet_rows(login(people["sam"]).get(f"/lists/{picks.id}/export.xlsx"))
    assert rows[0][:4] == ("Position", "Title", "Season", "Episode")
    assert rows[1][1] == "The Fjord Murders" and rows[1][5] == 2024 and rows[1][7] == 8
    assert rows[1][9] == "Ask about season 2"
    assert rows[2][1] == "'=HYPERLINK(\"http://evil.example\")"  # shown, never run
    assert rows[2][9] == "'+1 to this"


@pytest.mark.parametrize("path", ["export.pdf", "export.pdf?notes=1", "export.xlsx"])
def test_only_those_who_may_see_the_list_export_it(login, people, picks, path):
    url = f"/lists/{picks.id}/{path}"
    assert login(people["admin"]).get(url).status_code == 200
    for who in ("alice", "bob", "tess", "ben"):  # not shared with them: not found
        assert login(people[who]).get(url).status_code == 404, who


@pytest.fixture
def activity_world(people):
    drama = programme("Harbour Lights")
    tricky = programme("=1+2")
    for kind, item in ((EventKind.PROGRAMME_VIEW, drama), (EventKind.PROGRAMME_VIEW, drama),
                       (EventKind.SCREENER_PLAY, tricky)):
        activity.record(people["ben"], kind, programme_id=item.id)
    db.session.commit()
    return {"drama": drama, "tricky": tricky}


def test_reporting_buyers_table_as_xlsx(login, people, activity_world):
    response = login(people["sam"]).get("/reporting/export.xlsx")
    rows = sheet_rows(response)
    assert rows[0][:3] == ("Buyer", "Email", "Company")
    [ben] = [row for row in rows[1:] if row[1] == "ben@example.com"]
    assert ben[0] == "Ben Hughes" and ben[7] == 2 and ben[8] == 1  # views, plays as numbers
    assert 'filename="buyers-' in response.headers["Content-Disposition"]


def test_programme_ranking_as_xlsx_and_csv(login, people, activity_world):
    client = login(people["sam"])
    rows = sheet_rows(client.get("/reporting/programmes.xlsx"))
    assert rows[0] == ("Programme", "Type", "Year", "Views", "Screener plays",
                       "Interested buyers")
    assert rows[1][0] == "Harbour Lights" and rows[1][3] == 2
    assert rows[2][0] == "'=1+2" and rows[2][4] == 1
    answer = client.get("/reporting/programmes.csv?sort=plays")
    assert answer.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert lines[1][:1] == ["'=1+2"] and lines[2][:1] == ["Harbour Lights"]


@pytest.mark.parametrize("url", ["/reporting/export.xlsx", "/reporting/programmes.xlsx",
                                 "/reporting/programmes.csv"])
def test_report_exports_are_for_reporters_only(login, people, url):
    assert login(people["ben"]).get(url).status_code == 403
    assert login(people["sam"]).get(url).status_code == 200


def test_a_report_export_with_a_wrong_filter_is_a_422_not_a_500(login, people):
    client = login(people["sam"])
    for url in ("/reporting/export.xlsx", "/reporting/programmes.xlsx"):
        assert client.get(url, query_string={"start": "yesterday"}).status_code == 422


def test_the_buyers_xlsx_lists_link_recipients_by_email(login, people, picks):
    sam = login(people["sam"])
    sam.post(f"/lists/{picks.id}/share", data={"emails": "guest@example.com", "days": 14})
    rows = sheet_rows(sam.get("/reporting/export.xlsx"), sheet=1)
    assert rows[0][0] == "Email" and rows[1][:2] == ("guest@example.com", "Nordic noir")


def meeting(host, creator, title, starts_at, buyer, **fields) -> Meeting:
    item = Meeting(title=title, host=host, created_by=creator, status=MeetingStatus.SCHEDULED,
                   starts_at=starts_at, timezone="Europe/Paris", attendees=[buyer], **fields)
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def market_day(people):
    day = date(2026, 10, 13)
    at = datetime(2026, 10, 13, 8, 0, tzinfo=UTC)  # 10:00 in Cannes
    meeting(people["alice"], people["sam"], "Northlight × Alice", at, people["ben"],
            market="MIPCOM", stand="R7.C12", pre_meeting_notes="Bring the slate.")
    meeting(people["alice"], people["alice"], "Second meeting", at + timedelta(hours=2),
            people["ben"])
    meeting(people["alice"], people["alice"], "The next day", at + timedelta(days=1),
            people["ben"])
    meeting(people["bob"], people["bob"], "Bob's own", at, people["ben"])
    cancelled = meeting(people["alice"], people["alice"], "Called off", at, people["ben"])
    cancelled.status = MeetingStatus.CANCELLED
    db.session.commit()
    return day


def test_an_account_managers_day_as_a_pdf_agenda(login, people, market_day):
    text = pdf_text(login(people["alice"]).get("/meetings/agenda.pdf?day=2026-10-13"))
    assert "Tuesday 13 October 2026" in text and "2 meetings" in text
    assert "Northlight × Alice" in text and "Second meeting" in text
    assert "10:00" in text and "MIPCOM, R7.C12" in text and "Bring the slate." in text
    assert "Ben Hughes" in text
    for absent in ("The next day", "Bob's own", "Called off"):
        assert absent not in text


def test_a_sales_coordinators_agenda_covers_their_account_managers(login, people, market_day):
    sam = login(people["sam"])
    text = pdf_text(sam.get("/meetings/agenda.pdf?day=2026-10-13"))
    assert "Northlight × Alice" in text and "Bob's own" not in text
    one = pdf_text(sam.get(f"/meetings/agenda.pdf?day=2026-10-13&host={people['alice'].id}"))
    assert "Alice Morgan" in one and "Second meeting" in one
    # Bob is not one of Sam's Account Managers.
    assert sam.get(f"/meetings/agenda.pdf?day=2026-10-13&host={people['bob'].id}"
                   ).status_code == 404
    assert login(people["ben"]).get("/meetings/agenda.pdf").status_code == 403


def test_an_agenda_for_a_day_that_is_not_a_date_is_a_422(login, people):
    response = login(people["alice"]).get("/meetings/agenda.pdf?day=13/10/2026")
    assert response.status_code == 422 and "2026-10-13" in response.get_data(as_text=True)
