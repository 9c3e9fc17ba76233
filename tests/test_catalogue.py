"""The website catalogue: search, filters, pages, programme pages and screeners."""

import random
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy import text as text_clause
from sqlalchemy.orm import Session

from tests import catalogue_factories as c
from tests import factories as f
from webapp.demo.catalogue import load_demo_catalogue
from webapp.extensions import db
from webapp.models import PROGRAMME_TYPES, Programme
from webapp.services.catalogue import programme_search

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads")}


@pytest.fixture
def buyer_client(login):
    return login(f.buyer())


def text(response):
    return response.get_data(as_text=True)


def titles_in(body: str) -> list[str]:
    return re.findall(r'class="programme-card-title">([^<]+)<', body)


def test_buyers_browse_the_catalogue_by_title(buyer_client):
    for title in ("Wild Atlantic", "Bitter Harvest", "The Fjord Murders"):
        c.programme(title)
    response = buyer_client.get("/catalogue")
    assert response.status_code == 200
    assert titles_in(text(response)) == ["Bitter Harvest", "The Fjord Murders", "Wild Atlantic"]
    assert "3 programmes" in text(response)


def test_search_matches_part_of_the_title_in_any_case(buyer_client):
    c.programme("The Fjord Murders")
    c.programme("Fjordland")
    c.programme("Wild Atlantic")
    body = text(buyer_client.get("/catalogue?q=FJORD"))
    assert titles_in(body) == ["Fjordland", "The Fjord Murders"]
    assert 'value="FJORD"' in body


def test_search_takes_like_wildcards_literally(buyer_client):
    c.programme("100% Wild")
    c.programme("1000 Wild Days")
    c.programme("Under_score")
    c.programme("Underscore")
    assert titles_in(text(buyer_client.get("/catalogue?q=100%25"))) == ["100% Wild"]
    assert titles_in(text(buyer_client.get("/catalogue?q=under_"))) == ["Under_score"]


def test_filters_by_genre_and_type(buyer_client):
    crime, nature = c.genre("Crime"), c.genre("Natural History")
    c.programme("The Fjord Murders", genres=[crime])
    c.programme("Harbour Verdict", "Film", genres=[crime])
    c.programme("Wild Atlantic", "Documentary", genres=[nature])
    assert titles_in(text(buyer_client.get(f"/catalogue?genre={crime.id}"))) == [
        "Harbour Verdict", "The Fjord Murders"]
    assert titles_in(text(buyer_client.get(f"/catalogue?genre={crime.id}&type=Film"))) == [
        "Harbour Verdict"]
    assert titles_in(text(buyer_client.get("/catalogue?type=Documentary"))) == ["Wild Atlantic"]


def test_the_genre_filter_offers_only_genres_in_use(buyer_client):
    c.programme("Wild Atlantic", genres=[c.genre("Natural History")])
    c.genre("Opera")
    body = text(buyer_client.get("/catalogue"))
    assert ">Natural History</option>" in body and "Opera" not in body


def test_invalid_filters_are_ignored(buyer_client):
    c.programme("Wild Atlantic")
    response = buyer_client.get("/catalogue?genre=lots&type=Opera&page=-3")
    assert response.status_code == 200
    assert titles_in(text(response)) == ["Wild Atlantic"]


def test_htmx_search_answers_with_the_results_block_only(buyer_client):
    c.programme("The Fjord Murders")
    c.programme("Wild Atlantic")
    response = buyer_client.get("/catalogue?q=fjord", headers={"HX-Request": "true"})
    body = text(response)
    assert body.lstrip().startswith('<div id="programme-results"')
    assert "<html" not in body and titles_in(body) == ["The Fjord Murders"]
    assert "HX-Request" in response.headers["Vary"]


def test_the_catalogue_is_paginated(app, buyer_client):
    for n in range(30):
        c.programme(f"Programme {n:02d}")
    first = text(buyer_client.get("/catalogue"))
    assert len(titles_in(first)) == 24 and "Page 1 of 2" in first
    assert "?page=2" in first
    second = text(buyer_client.get("/catalogue?page=2"))
    assert titles_in(second) == [f"Programme {n:02d}" for n in range(24, 30)]
    assert "Page 2 of 2" in second
    assert titles_in(text(buyer_client.get("/catalogue?page=9"))) == []


def test_empty_states_say_what_happened(buyer_client):
    assert "The catalogue has no programmes yet." in text(buyer_client.get("/catalogue"))
    c.programme("Wild Atlantic")
    body = text(buyer_client.get("/catalogue?q=zebra"))
    assert "No programme matches these filters." in body
    assert 'href="/catalogue">Show the whole catalogue' in body


def test_cards_without_an_image_show_the_title_initials(buyer_client):
    item = c.programme("The Fjord Murders")
    body = text(buyer_client.get("/catalogue"))
    assert f"programme-placeholder tone-{item.id % 6}" in body
    assert 'aria-hidden="true">FM</span>' in body


def test_the_programme_page_shows_details_seasons_episodes_and_screeners(buyer_client):
    crime = c.genre("Crime")
    item = c.programme("The Fjord Murders", genres=[crime, c.genre("Drama")], year=2022,
                       episode_count=16, runtime_minutes=58,
                       synopsis="A detective returns home.\nThe harbour hides a body.",
                       screener_url="https://screeners.example.com/fjord")
    first = c.season(item, 1, year=2022, screener_url="https://screeners.example.com/s1")
    c.episode(first, 1, title="Homecoming", runtime_minutes=58,
              screener_url="https://screeners.example.com/s1e1")
    c.episode(first, 2, title="Low Tide")
    c.season(item, 2, title="The Return")
    body = text(buyer_client.get(f"/catalogue/{item.id}"))
    assert "<h1>The Fjord Murders</h1>" in body
    for fact in ("Series · 2022", '<span class="tag">Crime</span><span class="tag">Drama</span>',
                 "<dd>16</dd>", "58 minutes",
                 "A detective returns home.\nThe harbour hides a body."):
        assert fact in body
    assert "Season 1" in body and "Season 2: The Return" in body
    assert "Homecoming" in body and "Low Tide" in body
    watch = re.search(r'<a href="/catalogue/screeners/programme/\d+"[^>]*>Watch screener', body)
    assert watch and 'target="_blank" rel="noopener noreferrer"' in watch.group(0)
    assert f'href="/catalogue/screeners/season/{first.id}"' in body
    assert f'href="/catalogue/screeners/episode/{first.episodes[0].id}"' in body
    assert "screeners.example.com" not in body  # links go through the screener route
    assert "Edit in Admin" not in body


def test_a_programme_without_screener_or_seasons_shows_neither(buyer_client):
    item = c.programme("Wild Atlantic", "Documentary")
    body = text(buyer_client.get(f"/catalogue/{item.id}"))
    assert "Watch screener" not in body and "Seasons" not in body
    assert "No synopsis yet." in body


def test_administrators_get_an_edit_link_on_the_programme_page(login):
    item = c.programme("Wild Atlantic")
    body = text(login(f.admin()).get(f"/catalogue/{item.id}"))
    assert f'href="/admin/catalogue/{item.id}/edit">Edit in Admin' in body


def test_unknown_programme_is_404(buyer_client):
    assert buyer_client.get("/catalogue/999").status_code == 404


@pytest.mark.parametrize("kind", ["programme", "season", "episode"])
def test_the_screener_route_redirects_to_the_stored_link(buyer_client, kind):
    item = c.programme("Fjord", screener_url="https://screeners.example.com/p")
    season = c.season(item, screener_url="https://screeners.example.com/s")
    episode = c.episode(season, screener_url="https://screeners.example.com/e")
    ids = {"programme": item.id, "season": season.id, "episode": episode.id}
    response = buyer_client.get(f"/catalogue/screeners/{kind}/{ids[kind]}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"https://screeners.example.com/{kind[0]}"


def test_the_screener_route_is_404_without_a_screener(buyer_client):
    item = c.programme("Fjord")
    season = c.season(item)
    episode = c.episode(season)
    for kind, item_id in (("programme", item.id), ("season", season.id),
                          ("episode", episode.id), ("programme", 999)):
        assert buyer_client.get(f"/catalogue/screeners/{kind}/{item_id}").status_code == 404
    assert buyer_client.get(f"/catalogue/screeners/trailer/{item.id}").status_code == 404


def test_the_screener_route_never_sends_viewers_to_a_non_web_link(buyer_client):
    item = c.programme("Fjord", screener_url="javascript:alert(1)")
    assert buyer_client.get(f"/catalogue/screeners/programme/{item.id}").status_code == 404


def test_visitors_must_log_in(client):
    item = c.programme("Wild Atlantic", screener_url="https://screeners.example.com/w")
    for url in ("/catalogue", f"/catalogue/{item.id}", f"/catalogue/screeners/programme/{item.id}",
                "/media/programmes/x.png"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_every_signed_in_user_sees_the_catalogue_in_the_navigation(login):
    for person in (f.buyer(), f.account_manager(), f.admin()):
        header = text(login(person).get("/")).split("</header>")[0]
        assert re.search(r'<a href="/catalogue"\s*>Catalogue</a>', header)


def test_uploaded_images_are_served_to_signed_in_users(app, buyer_client):
    folder = Path(app.config["UPLOAD_FOLDER"]) / "programmes"
    folder.mkdir(parents=True)
    (folder / "abc.png").write_bytes(c.PNG)
    item = c.programme("Wild Atlantic", image_path="programmes/abc.png")
    body = text(buyer_client.get(f"/catalogue/{item.id}"))
    assert 'src="/media/programmes/abc.png"' in body and "programme-placeholder" not in body
    with buyer_client.get("/media/programmes/abc.png") as response:
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.data == c.PNG
    assert buyer_client.get("/media/programmes/missing.png").status_code == 404
    assert buyer_client.get("/media/../secret_key").status_code == 404


def test_programme_search_is_a_select_with_genres_loaded(ctx):
    drama = c.genre("Drama")
    c.programme("Bitter Harvest", genres=[drama])
    c.programme("Wild Atlantic", "Documentary")
    query = programme_search("harv", genre_id=drama.id, programme_type="Series")
    with Session(db.engine) as session:
        [found] = session.scalars(query).all()
        session.expunge(found)
    assert isinstance(found, Programme) and [g.name for g in found.genres] == ["Drama"]
    assert [p.title for p in db.session.scalars(programme_search())] == [
        "Bitter Harvest", "Wild Atlantic"]


def _demo_titles(seed: int) -> list[str]:
    load_demo_catalogue(random.Random(seed))
    db.session.commit()
    return list(db.session.scalars(select(Programme.title).order_by(Programme.id)))


def test_the_demo_catalogue_is_believable_and_the_same_every_time(ctx):
    titles = _demo_titles(2026)
    programmes = db.session.scalars(select(Programme)).all()
    assert len(programmes) >= 120 and len(set(titles)) == len(titles)
    assert {p.programme_type for p in programmes} == set(PROGRAMME_TYPES)
    assert len({g.name for p in programmes for g in p.genres}) >= 10
    with_seasons = [p for p in programmes if p.seasons]
    assert len(with_seasons) >= 10
    assert all(2 <= len(p.seasons) <= 4 and all(s.episodes for s in p.seasons)
               for p in with_seasons if p.title != "Orbit Station Nine")
    seasons = [s for p in with_seasons for s in p.seasons]
    episodes = [e for s in seasons for e in s.episodes]
    for items in (programmes, seasons, episodes):
        with_screener = [i for i in items if i.screener_url]
        assert 0 < len(with_screener) < len(items)
        assert all(i.screener_url.startswith("https://screeners.example.com/")
                   for i in with_screener)
    for table in ("episodes", "seasons", "programme_genres", "programmes", "genres"):
        db.session.execute(text_clause(f"DELETE FROM {table}"))
    db.session.commit()
    assert _demo_titles(2026) == titles


def test_a_search_with_a_nul_character_is_a_bad_request_not_an_error(buyer_client):
    c.programme("Wild Atlantic")
    assert buyer_client.get("/catalogue?q=Wild%00").status_code == 400
