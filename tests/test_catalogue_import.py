"""The CSV import: good rows are kept, bad rows are reported, nothing is half-imported."""

import io

import pytest
from sqlalchemy import func, select

from tests import catalogue_factories as c
from tests import factories as f
from webapp.extensions import db
from webapp.models import CatalogueImport, Genre, Programme
from webapp.services import DomainError, catalogue_import
from webapp.services.catalogue import create_programme
from webapp.services.catalogue_import import import_programmes, template_csv

pytestmark = pytest.mark.usefixtures("ctx")

HEADER = "title,programme_type,genres,year,episodes,runtime_minutes,synopsis,screener_url\n"


@pytest.fixture
def admin_client(login):
    return login(f.admin())


def text(response):
    return response.get_data(as_text=True)


def titles() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Programme.title).order_by(Programme.title)))


def genre_names() -> list[str]:
    return list(db.session.scalars(select(Genre.name).order_by(Genre.name)))


def run(csv_text: str):
    report = import_programmes(csv_text)
    db.session.commit()
    return report


def test_good_rows_are_kept_and_bad_rows_reported(ctx):
    report = run(HEADER +
                 "The Fjord Murders,Series,Crime; Drama|Thriller,2022,16,58,\"Dark, cold.\","
                 "https://screeners.example.com/fjord\n"
                 "Wild Atlantic,Documentary,Natural History,1850,,90,,\n"
                 ",Film,,2020,,,,\n"
                 "Kitchen Kings,format,Lifestyle,2021,0,45,,ftp://x.example.com\n"
                 "Bitter Harvest,Film,Drama,2019,,104,,\n")
    assert report.imported == 2 and report.rejected == 3
    assert [(e.row, e.title) for e in report.errors] == [
        (3, "Wild Atlantic"), (4, ""), (5, "Kitchen Kings")]
    assert report.errors[0].messages == ["Year must be between 1900 and "
                                         f"{report.errors[0].messages[0][-5:-1]}."]
    assert report.errors[1].messages == ["Enter a title."]
    assert len(report.errors[2].messages) == 2  # episodes and the screener link
    assert titles() == ["Bitter Harvest", "The Fjord Murders"]
    fjord = db.session.scalar(select(Programme).where(Programme.title == "The Fjord Murders"))
    assert [g.name for g in fjord.genres] == ["Crime", "Drama", "Thriller"]
    assert (fjord.year, fjord.episode_count, fjord.runtime_minutes, fjord.synopsis) == (
        2022, 16, 58, "Dark, cold.")
    assert genre_names() == ["Crime", "Drama", "Thriller"]  # nothing left by refused rows


def test_a_refused_row_leaves_no_programme_and_no_new_genre(ctx):
    c.genre("Drama")
    report = run(HEADER + "Quiet Orchard,Series,Drama; Rural Noir,2101,,,,\n"
                          "Golden Shore,Series,drama,2020,,,,\n")
    assert report.imported == 1
    assert report.errors[0].title == "Quiet Orchard"
    assert "Year must be between 1900" in report.errors[0].messages[0]
    assert titles() == ["Golden Shore"] and genre_names() == ["Drama"]


def test_each_row_is_rolled_back_on_its_own_savepoint(ctx, monkeypatch):
    """A row that fails after it has written (its genre, its programme) leaves nothing."""

    def create_then_fail(**fields):
        programme = create_programme(**fields)
        if programme.title == "Fails Late":
            raise DomainError("Refused after writing.")
        return programme

    monkeypatch.setattr(catalogue_import, "create_programme", create_then_fail)
    report = run(HEADER + "Before,Series,Alpha,,,,,\n"
                          "Fails Late,Series,Beta,,,,,\n"
                          "After,Series,Gamma,,,,,\n")
    assert report.imported == 2 and report.errors[0].messages == ["Refused after writing."]
    assert titles() == ["After", "Before"] and genre_names() == ["Alpha", "Gamma"]


def test_programmes_already_in_the_catalogue_are_reported_not_duplicated(ctx):
    c.programme("The Fjord Murders", year=2022)
    report = run(HEADER + "the fjord murders,Series,,2022,,,,\n"
                          "Wild Atlantic,Documentary,,2024,,,,\n"
                          "Wild Atlantic,Documentary,,2024,,,,\n")
    assert report.imported == 1
    assert [e.row for e in report.errors] == [2, 4]
    assert "already has a documentary called “Wild Atlantic” from 2024" in \
        report.errors[1].messages[0]


def test_columns_may_come_in_any_order_and_optional_ones_may_be_left_out(ctx):
    report = run("Programme Type , Title\nFilm,Bitter Harvest\n\n,\nseries,Golden Shore\n")
    assert report.imported == 2 and report.errors == []
    assert db.session.scalar(select(Programme.programme_type).where(
        Programme.title == "Golden Shore")) == "Series"


def test_a_row_with_too_many_values_is_reported_and_a_short_row_is_read(ctx):
    report = run("title,programme_type,synopsis\nBitter Harvest,Film,Dark, cold\n"
                 "Golden Shore,Film\nTitle Only\n")
    assert report.imported == 1 and [e.row for e in report.errors] == [2, 4]
    assert "3 columns" in report.errors[0].messages[0]
    assert report.errors[1].messages == ["Choose a programme type."]


def test_the_template_imports_cleanly(ctx):
    report = run(template_csv())
    assert report.imported == 2 and report.errors == []


@pytest.mark.parametrize("csv_text, message", [
    ("", "The file is empty."),
    ("\n\n", "The file is empty."),
    ("title,year\nFjord,2020\n", "Missing column: programme_type."),
    ("name,type\nFjord,Film\n", "Unknown columns: 'name', 'type'."),
    ("title,programme_type,runtime\nFjord,Film,90\n", "Unknown column: 'runtime'."),
    ("title,programme_type,title\nFjord,Film,Other\n", "Repeated column: title."),
    ("title;programme_type\nFjord;Film\n", "separated by commas, not semicolons"),
    ("title,programme_type,synopsis\nFjord,Film," + "x" * 200_000, "not a readable CSV file"),
])
def test_file_level_problems_import_nothing(ctx, csv_text, message):
    with pytest.raises(DomainError, match=message.replace("(", r"\(")) as error:
        import_programmes(csv_text)
    assert error.value.field == "file"
    assert titles() == []


def test_a_file_over_the_row_limit_imports_nothing(ctx, monkeypatch):
    monkeypatch.setattr(catalogue_import, "MAX_ROWS", 3)
    rows = "".join(f"Programme {n},Film\n" for n in range(4))
    with pytest.raises(DomainError, match="more than 3 programmes"):
        import_programmes("title,programme_type\n" + rows)
    assert titles() == []


# --- The import page ---------------------------------------------------------------------


def upload(admin_client, data: bytes, name="programmes.csv", **fields):
    """Upload a file and follow the answer to the import's page (in tests, the background
    job has run by the time the upload is answered)."""
    return admin_client.post("/admin/catalogue/import", content_type="multipart/form-data",
                             data={"file": (io.BytesIO(data), name), **fields},
                             follow_redirects=True)


def test_a_file_not_named_csv_is_refused(admin_client):
    response = upload(admin_client, (HEADER + "Bitter Harvest,Film,Drama,2019,,104,,\n").encode(),
                      name="programmes.exe")
    assert response.status_code == 422
    assert "Choose a file ending in .csv." in text(response)
    assert db.session.scalar(select(func.count()).select_from(Programme)) == 0


def test_the_import_page_reports_what_was_imported_and_what_was_not(admin_client):
    response = upload(admin_client, (HEADER + "Bitter Harvest,Film,Drama,2019,,104,,\n"
                                     "Wild Atlantic,Opera,,2024,,,,\n").encode())
    body = text(response)
    assert response.status_code == 200
    assert "1 imported, 1 row with errors" in body
    assert '<tr id="import-row-3">' in body and "“Opera” is not a programme type" in body
    assert titles() == ["Bitter Harvest"]


def test_a_file_with_a_byte_order_mark_is_read(admin_client):
    response = upload(admin_client, "\ufeff".encode() + (HEADER + "Čarobna Šuma,Kids,,,,,,\n")
                      .encode())
    assert "1 imported, 0 rows with errors" in text(response)
    assert titles() == ["Čarobna Šuma"]


@pytest.mark.parametrize("data, message", [
    ("title,programme_type\nCaf\xe9,Film\n".encode("latin-1"), "The file is not UTF-8 text."),
    (b"name\nFjord\n", "Unknown column: &#39;name&#39;."),
])
def test_file_level_problems_are_shown_on_the_form(admin_client, data, message):
    response = upload(admin_client, data)
    assert response.status_code == 422
    assert message in text(response) and "imported," not in text(response)
    assert titles() == []


def test_a_file_is_required(admin_client):
    response = admin_client.post("/admin/catalogue/import", data={})
    assert response.status_code == 422
    assert "Choose a CSV file to import." in text(response)


def test_a_file_over_2_mb_is_refused(admin_client, monkeypatch):
    monkeypatch.setattr(catalogue_import, "MAX_BYTES", 100)
    response = upload(admin_client, (HEADER + "x" * 200).encode())
    assert response.status_code == 422
    assert "The file is larger than 2 MB." in text(response)


def test_the_template_can_be_downloaded(admin_client):
    response = admin_client.get("/admin/catalogue/import/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert text(response).startswith(HEADER.strip())
    assert 'href="/admin/catalogue/import/template.csv"' in text(
        admin_client.get("/admin/catalogue/import"))


def test_the_counts_match_the_database(admin_client):
    rows = "".join(f"Programme {n},Film,,,,,,\n" for n in range(30))
    assert "30 imported" in text(upload(admin_client, (HEADER + rows).encode()))
    assert db.session.scalar(select(func.count()).select_from(Programme)) == 30


def test_nul_characters_never_reach_the_database(ctx):
    report = run("title,programme_type,genres,synopsis,screener_url\n"
                 "Wild\x00 Atlantic,Documentary,Nat\x00ure,Sea\x00,\n"
                 "Glacier Song,Documentary,,,https://x.example.com/\x00\n")
    assert report.imported == 1 and titles() == ["Wild Atlantic"]
    assert genre_names() == ["Nature"]
    assert "must be a web address" in report.errors[0].messages[0]


# --- In the background, with progress ------------------------------------------------------


def imports() -> list[CatalogueImport]:
    db.session.expire_all()
    return list(db.session.scalars(select(CatalogueImport).order_by(CatalogueImport.id)))


def test_an_upload_leads_to_its_import_page_which_ends_with_the_report(admin_client):
    response = upload(admin_client, (HEADER + "Bitter Harvest,Film,,,,,,\n").encode())
    [job] = imports()
    assert response.request.path == f"/admin/catalogue/import/{job.id}"
    assert job.status == "done" and job.rows_done == job.total_rows == 1
    assert "hx-trigger" not in text(response)  # a finished import is not polled
    assert "programmes.csv" in text(admin_client.get("/admin/catalogue/import"))  # recent


def test_an_import_under_way_shows_its_progress_and_is_polled(admin_client):
    admin = f.admin()
    job = catalogue_import.start_import(HEADER + "A,Film,,,,,,\nB,Film,,,,,,\n", "two.csv", admin)
    job.status, job.rows_done = "running", 1
    db.session.commit()
    page = text(admin_client.get(f"/admin/catalogue/import/{job.id}"))
    assert "Imported 1 of 2 rows" in page
    assert '<progress value="1" max="2"' in page and 'hx-trigger="every 1s"' in page
    fragment = admin_client.get(f"/admin/catalogue/import/{job.id}", headers={"HX-Request": "true"})
    assert text(fragment).lstrip().startswith('<section class="panel import-report"')


def test_the_same_upload_sent_twice_starts_one_import(admin_client):
    data = (HEADER + "Bitter Harvest,Film,,,,,,\n").encode()
    first = upload(admin_client, data, form_token="t" * 32)
    second = upload(admin_client, data, form_token="t" * 32)
    [job] = imports()
    assert first.request.path == second.request.path == f"/admin/catalogue/import/{job.id}"
    assert titles() == ["Bitter Harvest"]


def test_an_import_run_again_or_twice_imports_each_row_once(ctx):
    rows = "".join(f"Programme {n:02},Film,,,,,,\n" for n in range(60))
    job = catalogue_import.start_import(HEADER + rows, "sixty.csv", f.admin())
    db.session.commit()
    catalogue_import.run_import(job.id)
    catalogue_import.run_import(job.id)
    job = imports()[0]
    assert job.status == "done" and job.imported == 60 and job.rows_done == 60
    assert len(titles()) == 60


def test_an_import_stopped_half_way_goes_on_from_where_it_stopped(ctx, monkeypatch):
    rows = "".join(f"Programme {n:02},Film,,,,,,\n" for n in range(60))
    job = catalogue_import.start_import(HEADER + rows, "sixty.csv", f.admin())
    db.session.commit()
    real, calls = catalogue_import._import_row, []

    def breaks_on_the_30th(*args):
        calls.append(args)
        if len(calls) == 30:
            raise RuntimeError("the worker was stopped")
        return real(*args)

    monkeypatch.setattr(catalogue_import, "_import_row", breaks_on_the_30th)
    with pytest.raises(RuntimeError):
        catalogue_import.run_import(job.id)
    db.session.rollback()
    assert imports()[0].rows_done == catalogue_import.CHUNK  # the first chunk is kept
    monkeypatch.setattr(catalogue_import, "_import_row", real)
    catalogue_import.run_import(job.id)
    assert imports()[0].imported == 60 and len(titles()) == 60


def test_an_import_that_breaks_says_so_and_stops_being_polled(admin_client, monkeypatch):
    def breaks(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(catalogue_import, "_import_row", breaks)
    response = upload(admin_client, (HEADER + "Bitter Harvest,Film,,,,,,\n").encode())
    assert response.status_code == 200
    assert "The import stopped: disk full" in text(response)
    assert "hx-trigger" not in text(response)
    assert imports()[0].status == "failed"


def test_the_refused_rows_download_as_they_were_sent_with_their_problems(admin_client):
    response = upload(admin_client, (HEADER + "Bitter Harvest,Film,,,,,,\n"
                                     "Wild Atlantic,Opera,,2024,,,,\n"
                                     "=HYPERLINK(1),Film,,3000,,,,\n").encode())
    [job] = imports()
    link = f"/admin/catalogue/import/{job.id}/refused.csv"
    assert link in text(response)
    refused = admin_client.get(link)
    assert refused.mimetype == "text/csv" and "attachment" in refused.headers["Content-Disposition"]
    lines = text(refused).splitlines()
    assert lines[0] == HEADER.strip() + ",problems"
    assert lines[1].startswith("Wild Atlantic,Opera,,2024,,,,,") and "Opera" in lines[1]
    assert lines[2].startswith("'=HYPERLINK(1),Film,,3000")  # no formula reaches a spreadsheet
    assert len(lines) == 3


def test_the_in_process_worker_stops_and_lets_go_of_its_queue(app, tmp_path):
    """A server that stops takes its job worker with it: a worker left polling a database
    that is then dropped fills the log with connection errors."""
    from huey import SqliteHuey

    from webapp.jobs import Jobs

    queue = Jobs(app)
    queue.huey = SqliteHuey("webapp", filename=str(tmp_path / "jobs.sqlite3"))
    queue.start_in_process()
    worker = queue._thread
    assert worker.is_alive()
    queue.stop_in_process()
    assert not worker.is_alive()
    assert queue.huey.storage.close() is False  # already closed by the stop
