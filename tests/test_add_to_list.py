"""Adding titles to a list from where people find them: the catalogue's grid and a
programme's page."""

import re

import pytest
from sqlalchemy import select

from tests import catalogue_factories as c
from tests import factories as f
from webapp.extensions import db
from webapp.models import ListItem, ListKind, ProgrammeList

pytestmark = pytest.mark.usefixtures("ctx")


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def people():
    alice = f.account_manager(first_name="Alice")
    return {"alice": alice, "sam": f.sales_coordinator(alice, first_name="Sam"),
            "ben": f.buyer(first_name="Ben")}


@pytest.fixture
def titles():
    fjord = c.programme("The Fjord Murders")
    season = c.season(fjord, 1)
    return {"fjord": fjord, "season": season, "episode": c.episode(season, 3),
            "atlantic": c.programme("Wild Atlantic"), "kitchen": c.programme("Kitchen Kings")}


@pytest.fixture
def sams_list(people):
    programme_list = ProgrammeList(name="Sam's picks", kind=ListKind.MY, owner=people["sam"])
    db.session.add(programme_list)
    db.session.commit()
    return programme_list


def token_of(page: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page)[1]


def entries(programme_list):
    db.session.expire_all()
    return [(i.programme.title, i.season_id, i.episode_id) for i in db.session.scalars(
        select(ListItem).where(ListItem.list_id == programme_list.id)
        .order_by(ListItem.position))]


def test_ticking_titles_in_the_catalogue_adds_them_to_one_of_my_lists(
        client, login, people, titles, sams_list):
    page = text(login(people["sam"]).get("/catalogue?page=1"))
    assert f'value="programme:{titles["atlantic"].id}" form="add-to-list"' in page
    assert "Sam&#39;s picks" in page  # offered among the lists to add to
    response = client.post("/lists/add", data={
        "form_token": token_of(page), "target": sams_list.id, "back": "/catalogue?page=1",
        "items": [f"programme:{titles['atlantic'].id}", f"programme:{titles['kitchen'].id}"]})
    assert response.status_code == 303 and response.headers["Location"] == "/catalogue?page=1"
    assert entries(sams_list) == [("Wild Atlantic", None, None), ("Kitchen Kings", None, None)]
    assert "2 titles added to “Sam’s picks”." in text(client.get("/catalogue?page=1")).replace(
        "&#39;", "’").replace("'", "’")


def test_a_new_list_is_made_when_none_is_chosen(client, login, people, titles):
    page = text(login(people["alice"]).get("/catalogue"))
    response = client.post("/lists/add", data={
        "form_token": token_of(page), "target": 0, "new_name": "  Nordic  crime ",
        "back": "/catalogue", "items": [f"programme:{titles['fjord'].id}"]})
    assert response.status_code == 303
    created = db.session.scalar(select(ProgrammeList).where(ProgrammeList.name == "Nordic crime"))
    assert created.owner == people["alice"] and created.kind == ListKind.MY
    assert entries(created) == [("The Fjord Murders", None, None)]


def test_a_season_or_an_episode_is_added_from_the_programme_page(
        client, login, people, titles, sams_list):
    fjord = titles["fjord"]
    page = text(login(people["sam"]).get(f"/catalogue/{fjord.id}"))
    assert f'value="season:{titles["season"].id}" form="add-to-list"' in page
    assert f'value="episode:{titles["episode"].id}" form="add-to-list"' in page
    response = client.post("/lists/add", data={
        "form_token": token_of(page), "target": sams_list.id, "back": f"/catalogue/{fjord.id}",
        "items": [f"season:{titles['season'].id}", f"episode:{titles['episode'].id}"]})
    assert response.headers["Location"] == f"/catalogue/{fjord.id}"
    assert entries(sams_list) == [("The Fjord Murders", titles["season"].id, None),
                                  ("The Fjord Murders", titles["season"].id,
                                   titles["episode"].id)]


def test_the_same_form_sent_twice_adds_once(client, login, people, titles, sams_list):
    page = text(login(people["sam"]).get("/catalogue"))
    data = {"form_token": token_of(page), "target": sams_list.id, "back": "/catalogue",
            "items": [f"programme:{titles['atlantic'].id}"]}
    assert client.post("/lists/add", data=data).status_code == 303
    again = client.post("/lists/add", data=data)
    assert again.status_code == 303
    assert "Already saved" in text(client.get("/catalogue"))
    changed = client.post("/lists/add", data={**data, "items": [
        f"programme:{titles['kitchen'].id}"]})
    assert changed.status_code == 409 and "differs" in text(changed)
    assert entries(sams_list) == [("Wild Atlantic", None, None)]


def test_a_title_already_on_the_list_is_not_added_again(
        client, login, people, titles, sams_list):
    db.session.add(ListItem(list=sams_list, programme=titles["atlantic"], position=1))
    db.session.commit()
    login(people["sam"])
    response = client.post("/lists/add", data={
        "target": sams_list.id, "back": "/catalogue",
        "items": [f"programme:{titles['atlantic'].id}", f"programme:{titles['kitchen'].id}"]})
    assert response.status_code == 303
    assert entries(sams_list) == [("Wild Atlantic", None, None), ("Kitchen Kings", None, None)]
    assert "1 was on it already" in text(client.get("/catalogue"))


@pytest.mark.parametrize("data, says", [
    ({"target": 0, "new_name": "Typed name"}, "Tick at least one title"),
    ({"target": 0, "new_name": "Typed name", "items": ["programme:x"]}, "Choose titles"),
    ({"target": 0, "new_name": "Typed name", "items": ["programme:999999"]},
     "no longer in the catalogue"),
    ({"target": 0, "new_name": "", "items": ["KEEP"]}, "Name the new list"),
])
def test_bad_input_is_answered_with_the_form_and_nothing_typed_lost(
        client, login, people, titles, data, says):
    data = {**data, "items": [f"programme:{titles['kitchen'].id}" if v == "KEEP" else v
                              for v in data.get("items", [])]}
    response = login(people["sam"]).post("/lists/add", data={**data, "back": "/catalogue"})
    assert response.status_code == 422 and says in text(response)
    if data["new_name"]:
        assert 'value="Typed name"' in text(response)
    if data["items"] and data["items"][0].endswith(str(titles["kitchen"].id)):
        assert "Kitchen Kings" in text(response)  # still ticked, to send again
    assert db.session.scalar(select(ProgrammeList)) is None


def test_someone_elses_list_is_refused(client, login, people, titles, sams_list):
    response = login(people["alice"]).post("/lists/add", data={
        "target": sams_list.id, "back": "/catalogue",
        "items": [f"programme:{titles['kitchen'].id}"]})
    assert response.status_code == 422 and "Choose one of your lists" in text(response)
    gone = client.post("/lists/add", data={"target": 999999, "back": "/catalogue",
                                           "items": [f"programme:{titles['kitchen'].id}"]})
    assert gone.status_code == 422 and "Choose one of your lists" in text(gone)
    assert entries(sams_list) == []


def test_the_way_back_stays_on_this_site(client, login, people, titles, sams_list):
    response = login(people["sam"]).post("/lists/add", data={
        "target": sams_list.id, "back": "//evil.example/",
        "items": [f"programme:{titles['kitchen'].id}"]})
    assert response.headers["Location"] == "/catalogue"


def test_buyers_keep_no_lists_so_are_not_offered_the_form(client, login, people, titles):
    page = text(login(people["ben"]).get("/catalogue"))
    assert 'form="add-to-list"' not in page and 'id="add-to-list"' not in page
    assert 'id="add-to-list"' not in text(client.get(f"/catalogue/{titles['fjord'].id}"))
    response = client.post("/lists/add", data={"items": [f"programme:{titles['fjord'].id}"]})
    assert response.status_code == 403
