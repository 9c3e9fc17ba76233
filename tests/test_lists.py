"""Lists: who sees which, and building, ordering, annotating, exporting and sharing them."""

import csv
import io
import re

import pytest
from sqlalchemy import event, select

from tests import catalogue_factories as c
from tests import factories as f
from tests.catalogue_factories import programme
from webapp import access
from webapp.extensions import db
from webapp.models import (
    Genre,
    ListItem,
    ListKind,
    ListShare,
    OutboxMessage,
    ProgrammeList,
)
from webapp.permissions import Permission
from webapp.services import lists as service

pytestmark = pytest.mark.usefixtures("ctx")
HTMX = {"HX-Request": "true"}


def text(response):
    return response.get_data(as_text=True)


def make_list(owner, name, kind=ListKind.MY, titles=(), buyer=None):
    programme_list = ProgrammeList(name=name, kind=kind, owner=owner, buyer=buyer)
    db.session.add(programme_list)
    for position, title in enumerate(titles, start=1):
        db.session.add(ListItem(list=programme_list, programme=programme(title),
                                position=position))
    db.session.commit()
    return programme_list


@pytest.fixture
def people():
    uk = f.territory("UK & Ireland")
    alice = f.account_manager(first_name="Alice", territories=[uk])
    return {
        "alice": alice,
        "bob": f.account_manager(first_name="Bob"),
        "sam": f.sales_coordinator(alice, first_name="Sam"),
        "ben": f.buyer(first_name="Ben", email="ben@example.com", territories=[uk]),
        "dora": f.buyer(first_name="Dora", email="dora@example.com"),
        "admin": f.admin(),
    }


@pytest.fixture
def lists(people):
    return {
        "sam_own": make_list(people["sam"], "Sam's picks", titles=["Fjord"]),
        "alice_own": make_list(people["alice"], "Alice's notes"),
        "alice_buyer": make_list(people["alice"], "For Ben", ListKind.BUYER, ["Harbour"],
                                 buyer=people["ben"]),
        "bob_buyer": make_list(people["bob"], "For Dora", ListKind.BUYER,
                               buyer=people["dora"]),
        "global": make_list(people["admin"], "MIPCOM highlights", ListKind.GLOBAL, ["Aurora"]),
    }


def visible(user):
    return sorted(pl.name for pl in db.session.scalars(access.lists_visible_to(user)))


def test_each_role_sees_exactly_what_the_rules_allow(people, lists):
    assert visible(people["sam"]) == ["MIPCOM highlights", "Sam's picks"]
    assert visible(people["alice"]) == ["Alice's notes", "For Ben", "MIPCOM highlights"]
    assert visible(people["bob"]) == ["For Dora", "MIPCOM highlights"]
    assert visible(people["ben"]) == ["MIPCOM highlights"]
    assert visible(people["admin"]) == sorted(pl.name for pl in lists.values())
    db.session.add(ListShare(list=lists["alice_buyer"], buyer=people["ben"],
                             shared_by=people["alice"]))
    db.session.commit()
    assert visible(people["ben"]) == ["For Ben", "MIPCOM highlights"]
    assert visible(people["dora"]) == ["MIPCOM highlights"]


def test_sales_coordinator_gets_404_for_an_account_managers_buyer_list(login, people, lists):
    client = login(people["sam"])
    body = text(client.get("/lists"))
    assert "Sam&#39;s picks" in body and "MIPCOM highlights" in body
    assert "For Ben" not in body
    for url in (f"/lists/{lists['alice_buyer'].id}",
                f"/lists/{lists['alice_buyer'].id}/export.csv"):
        assert client.get(url).status_code == 404
    assert client.post(f"/lists/{lists['alice_buyer'].id}/delete").status_code == 404


def test_global_lists_are_read_only_without_the_permission(login, people, lists):
    client = login(people["sam"])
    page = text(client.get(f"/lists/{lists['global'].id}"))
    assert "read-only" in page and "Add from the catalogue" not in page
    assert client.post(f"/lists/{lists['global'].id}/rename",
                       data={"name": "Mine now"}).status_code == 403
    role = f.custom_role(name="List keeper", permissions=[Permission.MANAGE_GLOBAL_LISTS])
    people["sam"].roles.append(role)
    db.session.commit()
    assert client.post(f"/lists/{lists['global'].id}/rename",
                       data={"name": "Renamed"}).status_code == 303


def test_buyer_sees_a_shared_list_read_only_with_screeners(login, people, lists):
    lists["alice_buyer"].items[0].programme.screener_url = "https://screeners.example.com/h"
    db.session.add(ListShare(list=lists["alice_buyer"], buyer=people["ben"],
                             shared_by=people["alice"]))
    db.session.commit()
    client = login(people["ben"])
    page = text(client.get(f"/lists/{lists['alice_buyer'].id}"))
    assert "Harbour" in page and "Watch screener" in page and "Remove" not in page
    assert client.post("/lists", data={"name": "Mine", "kind": "my"}).status_code == 403


def test_create_my_list_and_buyer_list(login, people):
    client = login(people["alice"])
    response = client.post("/lists", data={"name": "  Market  picks ", "kind": "my"})
    assert response.status_code == 303
    created = db.session.scalar(select(ProgrammeList).where(ProgrammeList.name == "Market picks"))
    assert created.kind == ListKind.MY and created.owner == people["alice"]
    response = client.post("/lists", data={"name": "For Ben", "kind": "buyer",
                                           "buyer": people["ben"].id})
    assert response.status_code == 303
    refused = client.post("/lists", data={"name": "For Dora", "kind": "buyer",
                                          "buyer": people["dora"].id})
    assert refused.status_code == 422 and "Not a valid choice" in text(refused)
    refused = client.post("/lists", data={"name": "Everyone's", "kind": "global"})
    assert refused.status_code == 422


def test_sales_coordinator_cannot_create_buyer_lists(login, people):
    response = login(people["sam"]).post("/lists", data={
        "name": "For Ben", "kind": "buyer", "buyer": people["ben"].id})
    assert response.status_code == 422


def test_adding_items_from_the_catalogue_search(login, people, lists):
    aurora = programme("Aurora Borealis")
    season = c.season(aurora, 1)
    episode = c.episode(season, 3, title="Night")
    client = login(people["sam"])
    list_id = lists["sam_own"].id
    results = text(client.get(f"/lists/{list_id}/catalogue?q=boreal", headers=HTMX))
    assert results.lstrip().startswith('<div id="catalogue-results"')
    assert "Aurora Borealis" in results and "Season 1" in results and "Ep. 3: Night" in results
    response = client.post(f"/lists/{list_id}/items", data={"programme_id": aurora.id},
                           headers=HTMX)
    assert response.status_code == 200 and 'id="list-items"' in text(response)
    client.post(f"/lists/{list_id}/items", data={
        "programme_id": aurora.id, "season_id": season.id, "episode_id": episode.id})
    db.session.expire_all()
    labels = [i.label for i in lists["sam_own"].items]
    assert labels == ["Fjord", "Aurora Borealis", "Aurora Borealis · Season 1 · Ep. 3: Night"]
    assert [i.position for i in lists["sam_own"].items] == [1, 2, 3]


def test_an_episode_of_another_programme_is_refused(login, people, lists):
    season = c.season(programme("Other"), 1)
    response = login(people["sam"]).post(f"/lists/{lists['sam_own'].id}/items", data={
        "programme_id": lists["sam_own"].items[0].programme_id, "season_id": season.id})
    assert response.status_code == 400


def test_reordering_moves_items_and_keeps_positions_contiguous(login, people):
    owned = make_list(people["sam"], "Order", titles=["A", "B", "C", "D"])
    client = login(people["sam"])
    ids = [i.id for i in owned.items]
    response = client.post(f"/lists/{owned.id}/items/{ids[3]}/move",
                           data={"direction": "up"}, headers=HTMX)
    assert f'id="move-up-{ids[3]}"' in text(response) and "autofocus" in text(response)
    client.post(f"/lists/{owned.id}/items/{ids[0]}/move", data={"direction": "down"})
    client.post(f"/lists/{owned.id}/items/{ids[0]}/move", data={"direction": "up"})
    client.post(f"/lists/{owned.id}/items/{ids[1]}/move", data={"direction": "top"})
    db.session.expire_all()
    assert [i.programme.title for i in owned.items] == ["B", "A", "D", "C"]
    assert [i.position for i in owned.items] == [1, 2, 3, 4]
    assert client.post(f"/lists/{owned.id}/items/{ids[1]}/move",
                       data={"direction": "sideways"}).status_code == 400


def test_a_dragged_order_is_saved_once_however_often_it_is_sent(login, people):
    owned = make_list(people["sam"], "Order", titles=["A", "B", "C", "D"])
    client = login(people["sam"])
    a, b, c, d = (i.id for i in owned.items)
    response = client.post(f"/lists/{owned.id}/order", data={"order": f"{c},{a},{b},{d}"},
                           headers=HTMX)
    assert response.status_code == 200 and 'id="list-items"' in text(response)
    assert client.post(f"/lists/{owned.id}/order",
                       data={"order": f"{c},{a},{b},{d}"}).status_code == 303  # a plain post
    db.session.expire_all()
    assert [(i.programme.title, i.position) for i in owned.items] == [
        ("C", 1), ("A", 2), ("B", 3), ("D", 4)]


def test_an_order_sent_before_the_list_changed_keeps_what_changed(login, people):
    owned = make_list(people["sam"], "Order", titles=["A", "B", "C", "D"])
    client = login(people["sam"])
    a, b, c, d = (i.id for i in owned.items)
    # D was added after the page was loaded, and 999999 removed meanwhile: D keeps its place.
    client.post(f"/lists/{owned.id}/order", data={"order": f"{b},999999,{a},{c}"})
    db.session.expire_all()
    assert [i.programme.title for i in owned.items] == ["B", "A", "C", "D"]
    client.post(f"/lists/{owned.id}/order", data={"order": f"{d},{c}"})  # between themselves
    db.session.expire_all()
    assert [i.programme.title for i in owned.items] == ["B", "A", "D", "C"]


@pytest.mark.parametrize("order", ["", "1,x", "5,5", " , ", "-1", "\u0661"])
def test_a_malformed_order_is_refused_and_changes_nothing(login, people, order):
    owned = make_list(people["sam"], "Order", titles=["A", "B"])
    response = login(people["sam"]).post(f"/lists/{owned.id}/order", data={"order": order})
    assert response.status_code == 400
    db.session.expire_all()
    assert [i.programme.title for i in owned.items] == ["A", "B"]


def test_the_list_page_wires_dragging_only_for_those_who_may_edit(login, people, lists):
    page = text(login(people["sam"]).get(f"/lists/{lists['sam_own'].id}"))
    assert 'data-order-form="list-order"' in page and "vendor/Sortable.min.js" in page
    page = text(login(people["sam"]).get(f"/lists/{lists['global'].id}"))
    assert "data-order-form" not in page and "Sortable" not in page


def test_removing_an_item_renumbers_the_rest(login, people):
    owned = make_list(people["sam"], "Order", titles=["A", "B", "C"])
    ids = [i.id for i in owned.items]
    login(people["sam"]).post(f"/lists/{owned.id}/items/{ids[0]}/remove")
    db.session.expire_all()
    assert [(i.programme.title, i.position) for i in owned.items] == [("B", 1), ("C", 2)]


def test_inline_note_edit_saves_and_raises_the_version(login, people, lists):
    client = login(people["sam"])
    item = lists["sam_own"].items[0]
    url = f"/lists/{lists['sam_own'].id}/items/{item.id}/note"
    form = text(client.get(url, headers=HTMX))
    assert "<textarea" in form and 'name="version" value="1"' in form
    response = client.post(url, data={"note": "Ask about <b>rights</b>", "version": 1},
                           headers=HTMX)
    assert response.status_code == 200
    assert "Ask about &lt;b&gt;rights&lt;/b&gt;" in text(response)
    db.session.refresh(item)
    assert item.note == "Ask about <b>rights</b>" and item.note_version == 2


def test_one_items_note_reads_that_item_alone_however_long_the_list(app, login, people):
    long_list = make_list(people["sam"], "Long", titles=[f"Title {n}" for n in range(20)])
    item = long_list.items[7]
    url = f"/lists/{long_list.id}/items/{item.id}"
    client = login(people["sam"])
    loaded = []

    def record(target, context):
        loaded.append(target.id)

    event.listen(ListItem, "load", record)
    try:
        answers = [client.get(url, headers=HTMX), client.get(f"{url}/note", headers=HTMX),
                   client.post(f"{url}/note", data={"note": "Rights?", "version": 1},
                               headers=HTMX)]
    finally:
        event.remove(ListItem, "load", record)
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert "Rights?" in text(answers[-1]) and set(loaded) == {item.id}
    # Not the last of the 20: its "Move down" is live, counted without loading the others.
    move_down = re.search(rf'id="move-down-{item.id}"[^>]*>', text(answers[0]))
    assert move_down and "disabled" not in move_down.group()


def test_a_stale_note_is_a_conflict_and_both_texts_are_kept(login, people, lists):
    client = login(people["sam"])
    item = lists["sam_own"].items[0]
    url = f"/lists/{lists['sam_own'].id}/items/{item.id}/note"
    client.post(url, data={"note": "First edit", "version": 1})
    response = client.post(url, data={"note": "Second edit from an old page", "version": 1},
                           headers=HTMX)
    body = text(response)
    assert response.status_code == 409
    assert "First edit" in body and "Second edit from an old page" in body
    assert "Keep mine" in body and "Keep both" in body and "Keep theirs" in body
    db.session.refresh(item)
    assert item.note == "First edit"
    client.post(url, data={"note": "First edit\n\nSecond edit from an old page", "version": 2})
    db.session.refresh(item)
    assert item.note == "First edit\n\nSecond edit from an old page" and item.note_version == 3


def test_a_note_saved_without_the_version_it_was_read_at_is_refused(login, people, lists):
    client = login(people["sam"])
    item = lists["sam_own"].items[0]
    url = f"/lists/{lists['sam_own'].id}/items/{item.id}/note"
    client.post(url, data={"note": "First edit", "version": 1})
    response = client.post(url, data={"note": "Blind overwrite"}, headers=HTMX)
    assert response.status_code == 422
    assert "version is missing" in text(response)
    db.session.refresh(item)
    assert item.note == "First edit"


def test_duplicate_copies_items_and_notes_into_my_lists(login, people, lists):
    lists["global"].items[0].note = "Strong in the Nordics"
    db.session.commit()
    response = login(people["sam"]).post(f"/lists/{lists['global'].id}/duplicate")
    assert response.status_code == 303
    copy = db.session.scalar(select(ProgrammeList).where(
        ProgrammeList.name == "Copy of MIPCOM highlights"))
    assert copy.kind == ListKind.MY and copy.owner == people["sam"]
    assert [(i.programme.title, i.note) for i in copy.items] == [
        ("Aurora", "Strong in the Nordics")]


def test_export_csv_lists_items_in_order_and_neutralises_formulas(login, people):
    owned = make_list(people["sam"], "Export me", titles=["=HYPERLINK(\"x\")", "Plain"])
    owned.items[0].note = "+1 to this"
    owned.items[1].programme.genres.append(Genre(name="Drama"))
    owned.items[1].programme.year = 2025
    db.session.commit()
    response = login(people["sam"]).get(f"/lists/{owned.id}/export.csv")
    assert response.mimetype == "text/csv"
    assert 'filename="Export-me.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(text(response))))
    assert rows[0] == service.CSV_COLUMNS
    assert rows[1][:2] == ["1", "'=HYPERLINK(\"x\")"] and rows[1][7] == "'+1 to this"
    assert rows[2][1] == "Plain" and rows[2][5] == "2025" and rows[2][6] == "Drama"
    assert rows[2][9].startswith("http://127.0.0.1:5000/catalogue/")


def test_sharing_emails_the_buyer_the_items_with_links(login, people, lists):
    client = login(people["sam"])
    programme_list = lists["sam_own"]
    programme_list.items[0].note = "Season 2 <in production>"
    db.session.commit()
    page = text(client.get(f"/lists/{programme_list.id}/share"))
    assert "Ben Tester" in page and "Dora" not in page  # only the buyers of Sam's AMs
    response = client.post(f"/lists/{programme_list.id}/share", data={
        "buyers": people["ben"].id, "message": "As discussed", "days": 14})
    assert response.status_code == 303
    [email] = db.session.scalars(select(OutboxMessage)).all()
    # Sam shares for Alice, Ben's Account Manager: the email is in her name, replies to her.
    assert email.recipients == "ben@example.com" and "Alice Tester shared" in email.subject
    assert email.sent_by_text == "Sam Tester for Alice Tester"
    assert email.reply_to == people["alice"].email
    assert email.sender.startswith("Alice Tester via ")
    assert "Fjord" in email.text_body and "As discussed" in email.text_body
    # Each item's link counts the buyer's click for reporting, then leads to the programme;
    # the list has the buyer's personal link.
    links = re.findall(r"http://127\.0\.0\.1:5000(/r/[\w.\-]+)", email.text_body)
    targets = [client.get(link).headers["Location"] for link in links]
    assert all(target.startswith("/catalogue/") for target in targets) and targets
    assert re.search(r"http://127\.0\.0\.1:5000/s/[\w\-]+", email.text_body)
    assert all(link in email.html_body for link in links)
    assert "Season 2 &lt;in production&gt;" in email.html_body
    assert visible(people["ben"]) == ["MIPCOM highlights",
                                      "Sam's picks"]


def test_sharing_with_a_buyer_outside_ones_scope_is_refused(login, people, lists):
    response = login(people["sam"]).post(f"/lists/{lists['sam_own'].id}/share", data={
        "buyers": people["dora"].id, "days": 14})
    assert response.status_code == 422
    assert db.session.scalar(select(ListShare)) is None


def test_an_empty_list_cannot_be_shared(login, people, lists):
    response = login(people["alice"]).post(f"/lists/{lists['alice_own'].id}/share", data={
        "buyers": people["ben"].id, "days": 14})
    assert response.status_code == 422
    assert "Add at least one programme" in text(response)


def test_deleting_a_list_removes_its_items(login, people, lists):
    list_id = lists["sam_own"].id
    assert login(people["sam"]).post(f"/lists/{list_id}/delete").status_code == 303
    assert db.session.scalar(select(ListItem).where(ListItem.list_id == list_id)) is None


def test_lists_section_has_tabs_search_and_empty_states(login, people, lists):
    client = login(people["alice"])
    mine = text(client.get("/lists?tab=buyer", headers=HTMX))
    assert "For Ben" in mine and "Alice&#39;s notes" not in mine
    assert "No list matches" in text(client.get("/lists?q=zzz"))
    assert client.get("/lists?tab=nonsense").status_code == 200


def test_a_list_named_in_any_script_exports_under_its_name(login, people):
    """A header value outside Latin-1 fails in the WSGI server (a 500 under gunicorn): the
    name goes in filename*= (RFC 6266), with an ASCII name beside it."""
    owned = make_list(people["sam"], "Ölfilme 日本 Ø", titles=["Plain"])
    response = login(people["sam"]).get(f"/lists/{owned.id}/export.csv")
    header = response.headers["Content-Disposition"]
    header.encode("latin-1")  # what a WSGI server can send
    assert header.startswith('attachment; filename="Olfilme-')
    assert "filename*=UTF-8''%C3%96lfilme-%E6%97%A5%E6%9C%AC-%C3%98.csv" in header
