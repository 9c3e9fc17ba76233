"""A Sales Coordinator hosting a meeting themselves: its buyers are those of all their AMs."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from webapp import access
from webapp.extensions import db
from webapp.models import Meeting, MeetingStatus, RoleKind

pytestmark = pytest.mark.usefixtures("ctx")
HTMX = {"HX-Request": "true"}
NEXT_WEEK = date.today() + timedelta(days=7)


@pytest.fixture
def people():
    """Sam coordinates for Alice (directly) and Bob (by territory, DACH). Ben is Alice's by
    territory, Cleo hers directly and by territory, Dora Bob's through her company, Erik
    both Alice's (directly) and Bob's (by territory). Ola is Carol's, Nina nobody's."""
    dach, uk = f.territory("DACH"), f.territory("UK & Ireland")
    alice = f.account_manager(first_name="Alice", territories=[uk])
    bob = f.account_manager(first_name="Bob", territories=[dach])
    carol = f.account_manager(first_name="Carol", territories=[f.territory("Nordics")])
    alpen = f.company("Alpenblick Fernsehen", territories=[dach])
    return {
        "alice": alice, "bob": bob, "carol": carol,
        "sam": f.sales_coordinator(alice, first_name="Sam", territories=[dach]),
        "ben": f.buyer(first_name="Ben", territories=[uk]),
        "cleo": f.buyer(first_name="Cleo", territories=[uk], account_manager=alice),
        "dora": f.buyer(first_name="Dora", company=alpen),
        "erik": f.buyer(first_name="Erik", territories=[dach], account_manager=alice),
        "ola": f.buyer(first_name="Ola", account_manager=carol),
        "nina": f.buyer(first_name="Nina"),
        "admin": f.admin(),
    }


THEIRS = ["ben", "cleo", "dora", "erik"]
OUTSIDE = ["ola", "nina", "alice", "bob", "carol", "sam"]


def form(host, attendees=(), **fields):
    data = {"host": host.id, "title": "Sam's DACH round", "day": NEXT_WEEK.isoformat(),
            "start": "10:00", "timezone": "Europe/Berlin", "duration": "30",
            "action": "draft", "attendees": [b.id for b in attendees]}
    data.update(fields)
    return data


def offered(page: str) -> list[str]:
    """The names the picker offers to add, in order."""
    options = page.split('id="buyer-options"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"<strong>([^<]+)</strong>", options)


def test_buyers_of_a_coordinators_account_managers_are_each_of_theirs_once(people):
    sam = people["sam"]
    united = {b.id for am in db.session.scalars(access.account_managers_of(sam))
              for b in db.session.scalars(access.buyers_of(am))}
    found = db.session.scalars(access.buyers_of_account_managers_of(sam)).all()
    assert sorted(b.id for b in found) == sorted(united)
    assert sorted(b.first_name for b in found) == ["Ben", "Cleo", "Dora", "Erik"]


def test_only_a_coordinator_has_buyers_of_account_managers(people):
    assert db.session.scalars(access.buyers_of_account_managers_of(people["alice"])).all() == []


def test_someone_both_coordinator_and_account_manager_hosts_both_sets_of_buyers(people):
    sam = people["sam"]
    sam.roles.append(f.role(RoleKind.ACCOUNT_MANAGER))
    own = f.buyer(first_name="Olive", account_manager=sam)
    names = [b.first_name for b in db.session.scalars(access.buyers_of_host(sam))]
    assert sorted(names) == ["Ben", "Cleo", "Dora", "Erik", "Olive"]
    assert own.id in {b.id for b in db.session.scalars(access.buyers_of_host(sam))}


def test_picker_for_a_coordinator_hosting_offers_exactly_their_account_managers_buyers(
        client, login, people):
    login(people["sam"])
    page = client.get("/meetings/buyers", query_string={"host": people["sam"].id},
                      headers=HTMX).get_data(as_text=True)
    assert sorted(offered(page)) == [f"{people[n].first_name} Tester" for n in THEIRS]
    assert "is already chosen" not in page


def test_picker_for_a_coordinator_hosting_searches_and_leaves_out_the_chosen(
        client, login, people):
    login(people["sam"])
    sam, dora = people["sam"], people["dora"]
    searched = client.get("/meetings/buyers", query_string={
        "host": sam.id, "buyer_q": "alpenblick"}, headers=HTMX).get_data(as_text=True)
    assert offered(searched) == ["Dora Tester"]
    chosen = client.get("/meetings/buyers", query_string={
        "host": sam.id, "attendees": [dora.id]}, headers=HTMX).get_data(as_text=True)
    assert "Dora Tester" not in offered(chosen)
    assert f'name="attendees" value="{dora.id}"' in chosen
    assert "Not one of" not in chosen


def test_coordinator_hosting_saves_a_meeting_with_their_account_managers_buyers(
        client, login, people):
    login(people["sam"])
    response = client.post("/meetings/new", data=form(people["sam"],
                                                      [people["dora"], people["cleo"]]))
    assert response.status_code == 303, response.get_data(as_text=True)
    meeting = db.session.scalar(select(Meeting).where(Meeting.title == "Sam's DACH round"))
    assert meeting.host == people["sam"] and meeting.status == MeetingStatus.DRAFT
    assert sorted(b.first_name for b in meeting.attendees) == ["Cleo", "Dora"]


@pytest.mark.parametrize("outsider", ["ola", "nina"])
def test_coordinator_hosting_cannot_save_a_buyer_outside_their_account_managers(
        client, login, people, outsider):
    login(people["sam"])
    response = client.post("/meetings/new", data=form(people["sam"],
                                                      [people["ben"], people[outsider]]))
    assert response.status_code == 422
    assert db.session.scalar(select(Meeting)) is None


def test_editing_a_coordinators_meeting_refuses_buyers_not_of_their_account_managers(
        client, login, people):
    """An administrator may add any buyer to a meeting, but not one outside its host's."""
    meeting = Meeting(title="Sam's DACH round", host=people["sam"], created_by=people["sam"],
                      status=MeetingStatus.DRAFT, starts_at=db.func.now(),
                      attendees=[people["ben"]])
    db.session.add(meeting)
    db.session.commit()
    login(people["admin"])
    refused = client.post(f"/meetings/{meeting.id}/edit",
                          data=form(people["sam"], [people["ben"], people["ola"]]))
    assert refused.status_code == 422
    assert "Not among Sam Tester&#39;s buyers: Ola Tester." in refused.get_data(as_text=True)
    saved = client.post(f"/meetings/{meeting.id}/edit",
                        data=form(people["sam"], [people["ben"], people["erik"]]))
    assert saved.status_code == 303
    db.session.expire_all()
    assert sorted(b.first_name for b in db.session.get(Meeting, meeting.id).attendees) == [
        "Ben", "Erik"]


def test_outsiders_are_never_offered(client, login, people):
    login(people["sam"])
    page = client.get("/meetings/buyers", query_string={"host": people["sam"].id},
                      headers=HTMX).get_data(as_text=True)
    for name in OUTSIDE:
        assert f"{people[name].first_name} Tester" not in offered(page)
