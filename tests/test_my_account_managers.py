"""My Account Managers: a Sales Coordinator's AMs, how each is theirs, and all their buyers."""

import re
from datetime import UTC, datetime

import pytest

from tests import factories as f
from webapp.extensions import db
from webapp.models import EventKind, RoleKind
from webapp.services import activity

pytestmark = pytest.mark.usefixtures("ctx")
HTMX = {"HX-Request": "true"}
URL = "/my-account-managers"


@pytest.fixture
def people():
    """Sam coordinates for Alice (directly), Bob (by territory: DACH) and Carol (both).
    Ben is Alice's by territory, Cleo hers directly and by territory, Dora Bob's through her
    company, Erik Alice's directly and Bob's by territory. Ola is Dave's, Nina nobody's."""
    dach, uk, nordics = f.territory("DACH"), f.territory("UK & Ireland"), f.territory("Nordics")
    alice = f.account_manager(first_name="Alice", territories=[uk])
    bob = f.account_manager(first_name="Bob", territories=[dach])
    carol = f.account_manager(first_name="Carol", territories=[nordics])
    dave = f.account_manager(first_name="Dave", territories=[f.territory("Iberia")])
    alpen = f.company("Alpenblick Fernsehen", territories=[dach])
    return {
        "alice": alice, "bob": bob, "carol": carol, "dave": dave,
        "sam": f.sales_coordinator(alice, carol, first_name="Sam", territories=[dach, nordics]),
        "ben": f.buyer(first_name="Ben", territories=[uk]),
        "cleo": f.buyer(first_name="Cleo", territories=[uk], account_manager=alice),
        "dora": f.buyer(first_name="Dora", company=alpen),
        "erik": f.buyer(first_name="Erik", territories=[dach], account_manager=alice),
        "ola": f.buyer(first_name="Ola", account_manager=dave),
        "nina": f.buyer(first_name="Nina"),
    }


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def account_manager_row(page: str, person) -> str:
    """The Account Manager's row on the page."""
    return page.split(f'id="account-manager-{person.id}"', 1)[1].split("</tr>", 1)[0]


def buyer_names(page: str) -> list[str]:
    """The buyers in the table, in order."""
    return re.findall(r'<tr id="buyer-\d+">\s*<td class="person-cell">(?:<a [^>]*>)?([^<]+)<',
                      page)


def row(page: str, person) -> str:
    return page.split(f'<tr id="buyer-{person.id}">', 1)[1].split("</tr>", 1)[0]


def test_coordinator_sees_each_account_manager_once_marked_by_how_they_are_linked(
        client, login, people):
    page = text(login(people["sam"]).get(URL))
    assert [m for m in re.findall(r'id="account-manager-(\d+)"', page)] == [
        str(people[n].id) for n in ("alice", "bob", "carol")]
    alice, bob, carol = (account_manager_row(page, people[n]) for n in ("alice", "bob", "carol"))
    assert "direct" in alice and "by territory" not in alice
    assert "by territory" in bob and ">direct<" not in bob
    assert ">direct<" in carol and "by territory" in carol
    assert "Dave" not in page


def test_buyers_of_every_account_manager_are_listed_once_with_theirs_and_how(
        client, login, people):
    page = text(login(people["sam"]).get(URL))
    assert buyer_names(page) == ["Ben Tester", "Cleo Tester", "Dora Tester", "Erik Tester"]
    assert "Alpenblick Fernsehen" in row(page, people["dora"])
    erik = row(page, people["erik"])
    assert re.search(r"Alice Tester\s*<span class=\"tag tag-direct\">direct</span>\s*</div>",
                     erik)
    assert re.search(r"Bob Tester\s*<span class=\"tag tag-territory\">by territory</span>", erik)
    cleo = row(page, people["cleo"])
    assert "direct" in cleo and "by territory" in cleo and "Bob" not in cleo
    assert "Ola" not in page and "Nina" not in page


def test_each_buyer_shows_their_last_activity(client, login, people):
    activity.record(people["ben"], EventKind.VISIT, at=datetime(2026, 3, 4, 9, 15, tzinfo=UTC))
    db.session.commit()
    page = text(login(people["sam"]).get(URL))
    assert "2026-03-04 09:15" in row(page, people["ben"])
    assert "None yet" in row(page, people["dora"])


def test_each_account_manager_links_to_a_meeting_for_them_and_their_reporting(
        client, login, people):
    page = text(login(people["sam"]).get(URL))
    alice = account_manager_row(page, people["alice"])
    assert f'href="/meetings/new?host={people["alice"].id}"' in alice
    assert f'href="/reporting?am={people["alice"].id}"' in alice


def test_the_meeting_form_opens_with_the_account_manager_as_host(client, login, people):
    login(people["sam"])
    page = text(client.get("/meetings/new", query_string={"host": people["alice"].id}))
    assert re.search(rf'<option selected value="{people["alice"].id}">|'
                     rf'<option value="{people["alice"].id}" selected>', page)
    assert "Ben Tester" in page and "Dora Tester" not in page


def test_the_meeting_form_opens_nobodys_buyers_for_a_host_not_theirs(client, login, people):
    login(people["sam"])
    page = text(client.get("/meetings/new", query_string={"host": people["dave"].id}))
    assert "Ola Tester" not in page and "Choose the host to see their buyers." in page


@pytest.mark.parametrize("search, expected", [
    ("dora", ["Dora Tester"]),
    ("alpenblick", ["Dora Tester"]),
    ("bob", ["Dora Tester", "Erik Tester"]),  # an Account Manager: their buyers
    ("  CLEO ", ["Cleo Tester"]),
])
def test_search_finds_buyers_by_name_company_or_account_manager(
        client, login, people, search, expected):
    page = text(login(people["sam"]).get(URL, query_string={"q": search}))
    assert buyer_names(page) == expected


def test_search_never_reaches_beyond_the_coordinators_buyers(client, login, people):
    page = text(login(people["sam"]).get(URL, query_string={"q": "ola"}))
    assert buyer_names(page) == []
    assert "No buyer of your Account Managers matches “ola”." in page
    assert text(client.get(URL, query_string={"q": "dave"})).count('<tr id="buyer-') == 0


def test_htmx_search_answers_with_the_table_alone(client, login, people):
    response = login(people["sam"]).get(URL, query_string={"q": "erik"}, headers=HTMX)
    page = text(response)
    assert page.lstrip().startswith('<div id="buyers"') and "<html" not in page
    assert buyer_names(page) == ["Erik Tester"]
    assert "HX-Request" in response.headers["Vary"]


def test_buyers_are_paginated_and_pages_keep_the_search(app, client, login, people,
                                                        monkeypatch):
    monkeypatch.setitem(app.config, "USERS_PER_PAGE", 2)
    login(people["sam"])
    first = text(client.get(URL))
    assert buyer_names(first) == ["Ben Tester", "Cleo Tester"]
    assert "Page 1 of 2 · 4 in all" in first
    assert buyer_names(text(client.get(URL, query_string={"page": 2}))) == [
        "Dora Tester", "Erik Tester"]
    searched = text(client.get(URL, query_string={"q": "tester", "page": 2}, headers=HTMX))
    assert re.search(r'href="/my-account-managers\?(q=tester&amp;page=1|page=1&amp;q=tester)"',
                     searched)
    beyond = text(client.get(URL, query_string={"page": 9}))
    assert buyer_names(beyond) == [] and "no buyers yet" not in beyond


def test_coordinator_without_account_managers_is_told_so(client, login, people):
    page = text(login(f.sales_coordinator(first_name="Una")).get(URL))
    assert "You are not linked to any Account Manager yet" in page
    assert "No buyers to show" in page and 'id="q"' not in page


def test_account_managers_without_buyers_are_said_to_have_none(client, login, people):
    lone = f.account_manager(first_name="Lone", territories=[f.territory("Antarctica")])
    page = text(login(f.sales_coordinator(lone, first_name="Una")).get(URL))
    assert f'id="account-manager-{lone.id}"' in page
    assert "Your Account Managers have no buyers yet" in page


@pytest.mark.parametrize("who", ["alice", "ola"])
def test_only_sales_coordinators_may_open_it(client, login, people, who):
    assert login(people[who]).get(URL).status_code == 403


def test_an_administrator_who_is_not_a_coordinator_may_not_open_it(client, login, people):
    assert login(f.admin()).get(URL).status_code == 403


def test_an_administrator_who_is_also_a_coordinator_sees_their_own(client, login, people):
    both = f.sales_coordinator(people["bob"], first_name="Ada")
    both.roles.append(f.role(RoleKind.ADMINISTRATOR))
    db.session.commit()
    assert buyer_names(text(login(both).get(URL))) == ["Dora Tester", "Erik Tester"]


def test_anonymous_visitors_are_sent_to_log_in(client, people):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_navigation_offers_it_to_coordinators_only(client, login, people):
    assert 'href="/my-account-managers"' in text(login(people["sam"]).get("/"))
    assert 'href="/my-account-managers"' not in text(login(people["alice"]).get("/"))
