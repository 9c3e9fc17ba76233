"""Admin > Catalogue: programmes, seasons, episodes and images."""

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests import catalogue_factories as c
from tests import factories as f
from tests.conftest import make_app
from webapp.extensions import db
from webapp.models import Episode, Genre, ListItem, Programme, ProgrammeList, Season

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads")}


@pytest.fixture
def admin_client(login):
    return login(f.admin())


@pytest.fixture
def uploads(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


def text(response):
    return response.get_data(as_text=True)


def input_tag(body: str, field_id: str) -> str:
    return re.search(rf'<input[^>]*id="{field_id}"[^>]*>', body)[0]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def programme_data(**changes) -> dict:
    data = {"title": "The Fjord Murders", "programme_type": "Series", "year": "2022",
            "episode_count": "16", "runtime_minutes": "58", "new_genres": "",
            "synopsis": "A detective returns home.",
            "screener_url": "https://screeners.example.com/fjord"}
    return {**data, **changes}


def only_programme() -> Programme:
    db.session.expire_all()
    return db.session.scalar(select(Programme))


def test_an_administrator_adds_a_programme_with_genres(admin_client):
    crime = c.genre("Crime")
    c.genre("Drama")
    response = admin_client.post("/admin/catalogue/new", data=programme_data(
        genres=[crime.id], new_genres="drama, Nordic Noir;  nordic noir"))
    item = only_programme()
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/catalogue/{item.id}/edit"
    assert (item.title, item.programme_type, item.year, item.episode_count,
            item.runtime_minutes) == ("The Fjord Murders", "Series", 2022, 16, 58)
    assert item.screener_url == "https://screeners.example.com/fjord"
    assert [g.name for g in item.genres] == ["Crime", "Drama", "Nordic Noir"]
    assert count(Genre) == 3  # "drama" found the existing genre
    assert "“The Fjord Murders” saved." in text(admin_client.get(response.headers["Location"]))


def test_the_list_searches_and_links_to_each_programme(admin_client):
    item = c.programme("The Fjord Murders", screener_url="https://screeners.example.com/f")
    c.season(item)
    c.programme("Wild Atlantic", "Documentary")
    page = text(admin_client.get("/admin/catalogue"))
    assert "The Fjord Murders" in page and "Wild Atlantic" in page
    assert f'href="/admin/catalogue/{item.id}/edit"' in page
    body = text(admin_client.get("/admin/catalogue?q=atlan", headers={"HX-Request": "true"}))
    assert body.lstrip().startswith('<div id="admin-programme-results"')
    assert "Wild Atlantic" in body and "Fjord" not in body


@pytest.mark.parametrize("changes, field, message", [
    ({"title": "  "}, "title", "This field is required."),
    ({"year": "1850"}, "year", "Year must be between 1900 and"),
    ({"year": "soon"}, "year", "Not a valid integer value."),
    ({"episode_count": "0"}, "episode_count", "Episodes must be a positive whole number"),
    ({"runtime_minutes": "-5"}, "runtime_minutes", "Runtime must be a positive whole number"),
    ({"screener_url": "javascript:alert(1)"}, "screener_url", "must be a web address"),
    ({"screener_url": "ftp://files.example.com/x"}, "screener_url", "must be a web address"),
    ({"programme_type": "Opera"}, "programme_type", "Not a valid choice"),
    ({"new_genres": "x" * 121}, "new_genres", "A genre name is too long"),
])
def test_bad_input_is_refused_with_a_message_and_kept(admin_client, changes, field, message):
    response = admin_client.post("/admin/catalogue/new", data=programme_data(**changes))
    body = text(response)
    assert response.status_code == 422
    assert message in re.search(rf'<small class="error" id="{field}-error">([^<]*)', body)[1]
    assert "nothing has been saved yet" in body
    assert 'value="A detective returns home.' not in body  # a textarea keeps its text inside
    assert "A detective returns home." in body
    assert count(Programme) == 0 and count(Genre) == 0


def test_every_problem_is_reported_at_once(admin_client):
    response = admin_client.post("/admin/catalogue/new", data=programme_data(
        year="1800", episode_count="0", screener_url="not a link"))
    body = text(response)
    assert response.status_code == 422
    for field in ("year", "episode_count", "screener_url"):
        assert f'id="{field}-error"' in body


def test_the_same_title_type_and_year_cannot_be_added_twice(admin_client):
    c.programme("The Fjord Murders", year=2022)
    response = admin_client.post("/admin/catalogue/new", data=programme_data(
        title="the fjord murders"))
    assert response.status_code == 422
    assert "already has a series called “the fjord murders” from 2022" in text(response)
    assert admin_client.post("/admin/catalogue/new", data=programme_data(
        title="The Fjord Murders", year="2024")).status_code == 303


def test_an_administrator_edits_a_programme(admin_client):
    drama, crime = c.genre("Drama"), c.genre("Crime")
    item = c.programme("Fjord", genres=[drama], year=2020)
    page = text(admin_client.get(f"/admin/catalogue/{item.id}/edit"))
    assert 'value="Fjord"' in input_tag(page, "title")
    crime_box, drama_box = input_tag(page, "genres-0"), input_tag(page, "genres-1")
    assert f'value="{drama.id}"' in drama_box and "checked" in drama_box
    assert "checked" not in crime_box
    response = admin_client.post(f"/admin/catalogue/{item.id}/edit", data=programme_data(
        title="The Fjord Murders", genres=[crime.id], year="", screener_url=""))
    assert response.status_code == 303
    item = only_programme()
    assert item.title == "The Fjord Murders" and item.year is None
    assert item.screener_url is None and [g.name for g in item.genres] == ["Crime"]


def test_editing_to_a_bad_value_changes_nothing(admin_client):
    item = c.programme("Fjord", year=2020)
    response = admin_client.post(f"/admin/catalogue/{item.id}/edit",
                                 data=programme_data(title="Renamed", year="3000"))
    assert response.status_code == 422 and 'value="Renamed"' in text(response)
    assert only_programme().title == "Fjord" and only_programme().year == 2020


def test_unknown_items_are_404(admin_client):
    for url in ("/admin/catalogue/9/edit", "/admin/catalogue/9/seasons/new",
                "/admin/catalogue/seasons/9/edit", "/admin/catalogue/seasons/9/episodes/new",
                "/admin/catalogue/episodes/9/edit"):
        assert admin_client.get(url).status_code == 404, url
    for url in ("/admin/catalogue/9/delete", "/admin/catalogue/seasons/9/delete",
                "/admin/catalogue/episodes/9/delete"):
        assert admin_client.post(url).status_code == 404, url


# --- Deleting ----------------------------------------------------------------------------


def test_deleting_asks_first_then_removes_seasons_and_episodes(admin_client):
    item = c.programme("The Fjord Murders")
    c.episode(c.season(item))
    page = text(admin_client.get(f"/admin/catalogue/{item.id}/edit"))
    form = re.search(rf'<form method="post" action="/admin/catalogue/{item.id}/delete"[^>]*>',
                     page)[0]
    assert 'data-confirm="Delete “The Fjord Murders” with its seasons and episodes?' in form
    response = admin_client.post(f"/admin/catalogue/{item.id}/delete")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/catalogue"
    assert "“The Fjord Murders” deleted." in text(admin_client.get("/admin/catalogue"))
    assert (count(Programme), count(Season), count(Episode)) == (0, 0, 0)


def test_deleting_a_programme_takes_it_out_of_lists(admin_client):
    item = c.programme("The Fjord Murders")
    keep = c.programme("Wild Atlantic")
    owner = f.account_manager()
    shortlist = ProgrammeList(name="Shortlist", owner=owner, items=[
        ListItem(programme=item, position=1), ListItem(programme=keep, position=2)])
    db.session.add(shortlist)
    db.session.commit()
    assert admin_client.post(f"/admin/catalogue/{item.id}/delete").status_code == 303
    db.session.expire_all()
    assert [i.programme.title for i in shortlist.items] == ["Wild Atlantic"]


def test_a_delete_without_the_form_token_deletes_nothing(database_url, login):
    item = c.programme("The Fjord Murders")
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f.admin().get_id()
    response = client.post(f"/admin/catalogue/{item.id}/delete")
    with app.app_context():
        db.engine.dispose()
    assert response.status_code == 400
    assert only_programme() is not None


# --- Seasons and episodes ----------------------------------------------------------------


def test_seasons_are_added_edited_and_deleted_under_the_programme(admin_client):
    item = c.programme("The Fjord Murders")
    c.season(item, 1)
    form = text(admin_client.get(f"/admin/catalogue/{item.id}/seasons/new"))
    assert 'value="2"' in input_tag(form, "number")
    response = admin_client.post(f"/admin/catalogue/{item.id}/seasons/new", data={
        "number": "2", "title": "The Return", "year": "2024",
        "screener_url": "https://screeners.example.com/s2"})
    season = db.session.scalar(select(Season).where(Season.number == 2))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/catalogue/{item.id}/edit#season-{season.id}"
    assert (season.title, season.year) == ("The Return", 2024)
    assert "Season 2: The Return" in text(admin_client.get(f"/admin/catalogue/{item.id}/edit"))

    assert admin_client.post(f"/admin/catalogue/seasons/{season.id}/edit", data={
        "number": "3", "title": "", "year": "", "screener_url": ""}).status_code == 303
    db.session.expire_all()
    assert (season.number, season.title, season.screener_url) == (3, "", None)
    assert admin_client.post(f"/admin/catalogue/seasons/{season.id}/delete").status_code == 303
    assert [s.number for s in db.session.scalars(select(Season))] == [1]


def test_season_numbers_are_unique_within_a_programme(admin_client):
    item = c.programme("The Fjord Murders")
    c.season(item, 1)
    c.season(c.programme("Other"), 2)
    response = admin_client.post(f"/admin/catalogue/{item.id}/seasons/new",
                                 data={"number": "1", "year": "1700"})
    assert response.status_code == 422
    assert "Year must be between 1900" in text(response)
    response = admin_client.post(f"/admin/catalogue/{item.id}/seasons/new", data={"number": "1"})
    assert response.status_code == 422
    assert "The Fjord Murders already has a season 1." in text(response)
    assert admin_client.post(f"/admin/catalogue/{item.id}/seasons/new",
                             data={"number": "2"}).status_code == 303
    response = admin_client.post(f"/admin/catalogue/{item.id}/seasons/new", data={"number": ""})
    assert response.status_code == 422 and "Enter the season number." in text(response)


def test_episodes_are_added_edited_and_deleted_under_their_season(admin_client):
    item = c.programme("The Fjord Murders")
    season = c.season(item, 1)
    c.episode(season, 1)
    assert 'value="2"' in input_tag(text(admin_client.get(
        f"/admin/catalogue/seasons/{season.id}/episodes/new")), "number")
    response = admin_client.post(f"/admin/catalogue/seasons/{season.id}/episodes/new", data={
        "number": "2", "title": "Low Tide", "runtime_minutes": "58", "synopsis": "Rain.",
        "screener_url": "https://screeners.example.com/e2"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/edit#season-{season.id}")
    episode = db.session.scalar(select(Episode).where(Episode.number == 2))
    assert (episode.title, episode.runtime_minutes, episode.synopsis) == ("Low Tide", 58, "Rain.")

    response = admin_client.post(f"/admin/catalogue/episodes/{episode.id}/edit", data={
        "number": "1", "title": "Low Tide"})
    assert response.status_code == 422
    assert "Season 1 already has an episode 1." in text(response)
    response = admin_client.post(f"/admin/catalogue/episodes/{episode.id}/edit", data={
        "number": "2", "screener_url": "javascript:void(0)"})
    assert response.status_code == 422 and "must be a web address" in text(response)
    assert admin_client.post(f"/admin/catalogue/episodes/{episode.id}/delete").status_code == 303
    assert [e.number for e in db.session.scalars(select(Episode))] == [1]


def test_deleting_a_season_deletes_its_episodes(admin_client):
    season = c.season(c.programme("Fjord"))
    c.episode(season, 1)
    c.episode(season, 2)
    assert admin_client.post(f"/admin/catalogue/seasons/{season.id}/delete").status_code == 303
    assert count(Season) == 0 and count(Episode) == 0


# --- Images ------------------------------------------------------------------------------


def upload(data: bytes, name: str):
    return (io.BytesIO(data), name)


@pytest.mark.parametrize("content, extension, name", [(c.PNG, "png", "poster.jpg"),
                                                      (c.JPEG, "jpg", "poster.webp"),
                                                      (c.WEBP, "webp", "poster.PNG")])
def test_an_image_is_stored_by_its_real_type(admin_client, uploads, content, extension, name):
    response = admin_client.post("/admin/catalogue/new", content_type="multipart/form-data",
                                 data=programme_data(image=upload(content, name)))
    assert response.status_code == 303
    path = only_programme().image_path
    assert re.fullmatch(rf"programmes/[0-9a-f]{{32}}\.{extension}", path)
    assert (uploads / path).read_bytes() == content
    with admin_client.get(f"/media/{path}") as served:
        assert served.status_code == 200 and served.data == content


def test_a_file_that_only_claims_to_be_an_image_is_refused(admin_client, uploads):
    response = admin_client.post("/admin/catalogue/new", content_type="multipart/form-data",
                                 data=programme_data(image=upload(b"<svg onload=x>", "a.png")))
    assert response.status_code == 422
    assert "The image must be a PNG, JPEG or WebP file." in text(response)
    assert "Choose the image again too." in text(response)
    assert count(Programme) == 0 and not list(uploads.rglob("*.*"))


def test_an_image_whose_name_is_not_an_image_is_refused(admin_client, uploads):
    response = admin_client.post("/admin/catalogue/new", content_type="multipart/form-data",
                                 data=programme_data(image=upload(c.PNG, "poster.html")))
    assert response.status_code == 422
    assert "The image must be a PNG, JPEG or WebP file." in text(response)
    assert count(Programme) == 0 and not list(uploads.rglob("*.*"))


def test_an_image_over_2_mb_is_refused(admin_client, uploads):
    big = c.PNG + b"\x00" * (2 * 1024 * 1024)
    # Encoded in memory: the test client's own encoder leaves a temporary file open for
    # bodies over 500 kB.
    boundary, body = encode_multipart(programme_data(image=FileStorage(
        io.BytesIO(big), filename="big.png", content_type="image/png")))
    response = admin_client.post("/admin/catalogue/new", data=body,
                                 content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 422
    assert "The image is larger than 2 MB." in text(response)
    assert count(Programme) == 0 and not list(uploads.rglob("*.*"))


def test_replacing_and_removing_an_image_discards_the_old_file(admin_client, uploads):
    admin_client.post("/admin/catalogue/new", content_type="multipart/form-data",
                      data=programme_data(image=upload(c.PNG, "a.png")))
    item = only_programme()
    first = item.image_path
    admin_client.post(f"/admin/catalogue/{item.id}/edit", content_type="multipart/form-data",
                      data=programme_data(image=upload(c.JPEG, "b.jpg")))
    second = only_programme().image_path
    assert second.endswith(".jpg") and not (uploads / first).exists()
    assert "Remove the current image" in text(admin_client.get(f"/admin/catalogue/{item.id}/edit"))
    admin_client.post(f"/admin/catalogue/{item.id}/edit", data=programme_data(remove_image="y"))
    assert only_programme().image_path is None and not (uploads / second).exists()


def test_an_image_is_kept_when_the_details_are_wrong(admin_client, uploads):
    admin_client.post("/admin/catalogue/new", content_type="multipart/form-data",
                      data=programme_data(image=upload(c.PNG, "a.png")))
    item = only_programme()
    path = item.image_path
    response = admin_client.post(f"/admin/catalogue/{item.id}/edit",
                                 content_type="multipart/form-data",
                                 data=programme_data(year="1200", image=upload(c.JPEG, "b.jpg")))
    assert response.status_code == 422
    assert only_programme().image_path == path and (uploads / path).exists()
    assert [p.name for p in uploads.rglob("*.*")] == [Path(path).name]


def test_deleting_a_programme_discards_its_image(admin_client, uploads):
    admin_client.post("/admin/catalogue/new", content_type="multipart/form-data",
                      data=programme_data(image=upload(c.PNG, "a.png")))
    item = only_programme()
    path = item.image_path
    admin_client.post(f"/admin/catalogue/{item.id}/delete")
    assert not (uploads / path).exists()


def test_the_admin_menu_links_to_the_catalogue(admin_client, login):
    assert 'href="/admin/catalogue"' in text(admin_client.get("/"))
    assert 'href="/admin/catalogue"' not in text(login(f.account_manager()).get("/"))
