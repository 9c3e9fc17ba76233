"""Sharing a list with several recipients at once, each by a personal link: expiry, view cap,
revocation, what a link shows and reaches, what is recorded, and who may be a recipient."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.catalogue_factories import programme
from tests.test_double_submit import count, emails, hidden_fields, twice
from webapp.extensions import db
from webapp.models import (
    ActivityEvent,
    EventKind,
    LinkEventKind,
    ListItem,
    ListKind,
    ListShare,
    OutboxMessage,
    ProgrammeList,
    ShareLinkEvent,
)

pytestmark = pytest.mark.usefixtures("ctx")
LINK = re.compile(r"http://127\.0\.0\.1:5000(/s/[\w\-]+)")


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def people():
    uk = f.territory("UK & Ireland")
    alice = f.account_manager(first_name="Alice", last_name="Morgan", territories=[uk])
    bob = f.account_manager(first_name="Bob", territories=[f.territory("DACH")])
    return {
        "alice": alice, "bob": bob,
        "sam": f.sales_coordinator(alice, first_name="Sam", last_name="Patel"),
        "ben": f.buyer(first_name="Ben", last_name="Hughes", email="ben@example.com",
                       territories=[uk]),
        "bea": f.buyer(first_name="Bea", last_name="Hart", email="bea@example.com",
                       territories=[uk]),
        "dora": f.buyer(first_name="Dora", email="dora@example.com", account_manager=bob),
    }


@pytest.fixture
def picks(people):
    """Sam's list: one programme with a screener, one without."""
    programme_list = ProgrammeList(name="Nordic noir", kind=ListKind.MY, owner=people["sam"])
    programme_list.items = [
        ListItem(programme=programme("The Fjord Murders", synopsis="A detective returns home.",
                                     screener_url="https://screeners.example.com/fjord"),
                 position=1, note="Ask about season 2"),
        ListItem(programme=programme("Kitchen Kings"), position=2)]
    db.session.add(programme_list)
    db.session.commit()
    return programme_list


@pytest.fixture
def other_list(people):
    other = ProgrammeList(name="Secret slate", kind=ListKind.MY, owner=people["alice"])
    other.items = [ListItem(programme=programme("Hidden Gem"), position=1)]
    db.session.add(other)
    db.session.commit()
    return other


def share(client, programme_list, **data):
    form = {"days": 14, **data}
    return client.post(f"/lists/{programme_list.id}/share", data=form)


def links_by_recipient() -> dict[str, str]:
    """Each outbox email's personal link, by its recipient."""
    found = {}
    for message in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
        [path] = LINK.findall(message.text_body)
        found[message.recipients] = path
    return found


def signed_out(client):
    with client.session_transaction() as session:
        session.clear()
    return client


def share_of(email: str) -> ListShare:
    return db.session.scalars(select(ListShare).where(ListShare.email == email)).one()


def test_one_share_sends_each_recipient_their_own_link(login, people, picks):
    client = login(people["sam"])
    response = share(client, picks, buyers=[people["ben"].id, people["bea"].id],
                     emails="guest@example.com, Other.Guest@Example.com\nguest@example.com",
                     message="From MIPCOM")
    assert response.status_code == 303
    links = links_by_recipient()
    assert sorted(links) == ["bea@example.com", "ben@example.com", "guest@example.com",
                             "other.guest@example.com"]
    assert len(set(links.values())) == 4
    # Only a digest of each token is stored: the table alone opens nothing.
    stored = set(db.session.scalars(select(ListShare.token_digest)))
    assert not any(path.removeprefix("/s/") in stored for path in links.values())
    guest = share_of("guest@example.com")
    assert guest.buyer is None and guest.shared_by == people["sam"]
    assert abs(guest.expires_at.replace(tzinfo=UTC) - datetime.now(UTC)
               - timedelta(days=14)) < timedelta(minutes=1)


def test_an_anonymous_link_shows_the_list_and_plays_its_screener(client, login, people, picks):
    share(login(people["sam"]), picks, emails="guest@example.com")
    path = links_by_recipient()["guest@example.com"]
    page = signed_out(client).get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    body = text(page)
    assert "Nordic noir" in body and "The Fjord Murders" in body and "Kitchen Kings" in body
    assert "A detective returns home." in body and "Ask about season 2" in body
    # Nothing of the rest of the site: no navigation, no link into it.
    assert 'aria-label="Main"' not in body and "/lists" not in body and "/catalogue" not in body
    [play] = re.findall(r'href="(/s/[\w\-]+/play/\d+)"', body)
    played = client.get(play)
    assert played.status_code == 302
    assert played.headers["Location"] == "https://screeners.example.com/fjord"


def test_a_link_shows_only_its_own_list(client, login, people, picks, other_list):
    share(login(people["sam"]), picks, emails="guest@example.com")
    path = links_by_recipient()["guest@example.com"]
    signed_out(client)
    assert "Secret slate" not in text(client.get(path))
    other_item = other_list.items[0].id
    assert client.get(f"{path}/play/{other_item}").status_code == 404
    assert client.get(f"{path}/play/{picks.items[1].id}").status_code == 404  # no screener


@pytest.mark.parametrize("url", ["/lists", "/lists/{list}", "/lists/{list}/export.csv",
                                 "/lists/{list}/export.pdf",
                                 "/catalogue", "/meetings",
                                 "/reporting", "/"])
def test_a_link_reaches_no_other_page(client, login, people, picks, url):
    share(login(people["sam"]), picks, emails="guest@example.com")
    path = links_by_recipient()["guest@example.com"]
    signed_out(client)
    assert client.get(path).status_code == 200
    response = client.get(url.format(list=picks.id))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_an_expired_link_answers_410_with_a_clear_page(client, login, people, picks):
    share(login(people["sam"]), picks, emails="guest@example.com", days=3)
    path = links_by_recipient()["guest@example.com"]
    guest = share_of("guest@example.com")
    guest.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    signed_out(client)
    for url in (path, f"{path}/play/{picks.items[0].id}"):
        response = client.get(url)
        assert response.status_code == 410
        assert "This link no longer works" in text(response) and "expired" in text(response)
        assert "The Fjord Murders" not in text(response)


def test_a_link_stops_at_its_view_cap(client, login, people, picks):
    share(login(people["sam"]), picks, emails="guest@example.com", max_views=2)
    path = links_by_recipient()["guest@example.com"]
    signed_out(client)
    assert [client.get(path).status_code for _ in range(3)] == [200, 200, 410]
    assert "opened the 2 times it allowed" in text(client.get(path))
    assert count(ShareLinkEvent, ShareLinkEvent.kind == LinkEventKind.LIST_VIEW) == 2


def test_revoking_a_link_from_the_list_page_stops_it_at_once(client, login, people, picks):
    sam = login(people["sam"])
    share(sam, picks, buyers=[people["ben"].id], emails="guest@example.com")
    links = links_by_recipient()
    guest = share_of("guest@example.com")
    page = text(sam.get(f"/lists/{picks.id}"))
    assert "Shared with" in page and "guest@example.com" in page and "Ben Hughes" in page
    assert f'action="/lists/{picks.id}/shares/{guest.id}/revoke"' in page
    assert 'data-confirm="Revoke the link sent to guest@example.com?' in page
    assert sam.post(f"/lists/{picks.id}/shares/{guest.id}/revoke").status_code == 303
    signed_out(client)
    gone = client.get(links["guest@example.com"])
    assert gone.status_code == 410 and "withdrawn" in text(gone)
    assert client.get(links["ben@example.com"]).status_code == 200  # the others still work


def test_a_revoked_share_no_longer_shows_the_list_to_its_buyer(login, people, picks):
    share(login(people["sam"]), picks, buyers=[people["ben"].id])
    ben_share = share_of("ben@example.com")
    ben = login(people["ben"])
    assert ben.get(f"/lists/{picks.id}").status_code == 200
    login(people["sam"]).post(f"/lists/{picks.id}/shares/{ben_share.id}/revoke")
    assert login(people["ben"]).get(f"/lists/{picks.id}").status_code == 404


def test_only_the_sharer_or_the_lists_editors_may_revoke(login, people, picks):
    share(login(people["sam"]), picks, emails="guest@example.com")
    guest = share_of("guest@example.com")
    url = f"/lists/{picks.id}/shares/{guest.id}/revoke"
    assert login(people["alice"]).post(url).status_code == 404
    assert login(people["ben"]).post(url).status_code == 404
    db.session.refresh(guest)
    assert guest.revoked_at is None


def test_unknown_and_mangled_links_answer_404_not_500(client):
    for path in ("/s/nonsense", "/s/" + "a" * 43, "/s/" + "x" * 500, "/s/%00%ff/play/1",
                 "/s/" + "a" * 43 + "/play/99999"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "This link does not work" in text(response)


def test_every_view_and_play_is_recorded_against_its_recipient(client, login, people, picks):
    share(login(people["sam"]), picks, buyers=[people["ben"].id],
          emails="guest@example.com, second@example.com")
    links = links_by_recipient()
    signed_out(client)
    client.get(links["guest@example.com"])
    client.get(links["guest@example.com"])
    client.get(f"{links['guest@example.com']}/play/{picks.items[0].id}")
    client.get(links["ben@example.com"])
    client.get(f"{links['ben@example.com']}/play/{picks.items[0].id}")
    per_share = {}
    for event in db.session.scalars(select(ShareLinkEvent)):
        per_share.setdefault(event.share.email, []).append(event.kind)
    assert sorted(per_share["guest@example.com"]) == ["list_view", "list_view", "screener_play"]
    assert sorted(per_share["ben@example.com"]) == ["list_view", "screener_play"]
    assert "second@example.com" not in per_share
    # The registered buyer's views and plays are in their activity too, for reporting.
    ben_events = db.session.scalars(select(ActivityEvent).where(
        ActivityEvent.user_id == people["ben"].id)).all()
    assert sorted((e.kind, e.list_id) for e in ben_events) == [
        (EventKind.LIST_VIEW, picks.id), (EventKind.SCREENER_PLAY, picks.id)]
    # The list's page shows each recipient's views and plays.
    page = text(login(people["sam"]).get(f"/lists/{picks.id}"))
    guest_row = page[page.index(f'id="share-{share_of("guest@example.com").id}"'):]
    guest_row = guest_row[:guest_row.index("</tr>")]
    assert re.search(r"<td>2</td>\s*<td>1</td>", guest_row)


def test_anonymous_recipients_appear_by_email_in_reporting(client, login, people, picks):
    share(login(people["sam"]), picks, emails="guest@example.com")
    signed_out(client).get(links_by_recipient()["guest@example.com"])
    page = text(login(people["sam"]).get("/reporting/buyers"))
    assert "Shared links to people without an account" in page
    assert "guest@example.com" in page and "Nordic noir" in page
    # Bob reports on his own buyers only: Sam's share is not his.
    assert "guest@example.com" not in text(login(people["bob"]).get("/reporting/buyers"))


def test_sharing_twice_at_once_sends_each_email_once(app, login, people, picks):
    url = f"/lists/{picks.id}/share"
    data = {**hidden_fields(login(people["sam"]), url, url), "buyers": people["ben"].id,
            "emails": "guest@example.com", "days": 7}
    done, again = twice(app, people["sam"], url, data, "Already saved by Sam Patel")
    assert count(ListShare) == 2
    assert sorted(m.recipients for m in emails("list_shared")) == [
        "ben@example.com", "guest@example.com"]
    assert done.status == again.status == 303


def test_registered_recipients_are_limited_to_the_sharers_buyers(login, people, picks):
    sam = login(people["sam"])
    page = text(sam.get(f"/lists/{picks.id}/share"))
    assert "Ben Hughes" in page and "Bea Hart" in page and "Dora" not in page
    searched = text(sam.get(f"/lists/{picks.id}/share", query_string={"buyer_q": "bea"},
                            headers={"HX-Request": "true"}))
    assert "Bea Hart" in searched and "Ben Hughes" not in searched
    # Dora is Bob's: neither ticked by id nor typed by address does she receive it.
    assert share(sam, picks, buyers=[people["dora"].id]).status_code == 422
    refused = share(sam, picks, emails="dora@example.com")
    assert refused.status_code == 422 and "not one of your buyers" in text(refused)
    assert count(ListShare) == 0 and count(OutboxMessage) == 0
    # A buyer of Sam's typed by address is that buyer, with one link.
    assert share(sam, picks, emails="BEN@example.com").status_code == 303
    assert share_of("ben@example.com").buyer == people["ben"]


@pytest.mark.parametrize("data, message", [
    ({}, "Choose at least one buyer or type an email address."),
    ({"emails": "not-an-address"}, "Not an email address: not-an-address."),
    ({"emails": "guest@example.com", "days": 0}, "Enter a number from 1 to 90."),
    ({"emails": "guest@example.com", "days": 91}, "Enter a number from 1 to 90."),
    ({"emails": "guest@example.com", "max_views": 0}, "Enter a number from 1 to 1,000."),
])
def test_a_share_form_with_a_mistake_says_so_and_keeps_what_was_typed(
        login, people, picks, data, message):
    response = share(login(people["sam"]), picks, message="Keep this text", **data)
    assert response.status_code == 422
    assert message in text(response) and "Keep this text" in text(response)
    assert count(ListShare) == 0
