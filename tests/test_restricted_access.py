"""Who may watch what: restricted programmes, seasons, episodes and screeners, the grants
that open them (by person, company or buyer group), granting while sharing, the Admin
pages and the access report."""

import csv
import html
import io
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests import catalogue_factories as c
from tests import factories as f
from webapp import access
from webapp.extensions import db
from webapp.models import (
    AccessGrant,
    ActivityEvent,
    BuyerGroup,
    EventKind,
    ListItem,
    ListKind,
    ListShare,
    Meeting,
    MeetingStatus,
    OutboxMessage,
    Programme,
    ProgrammeList,
)
from webapp.services.accounts import find_by_email
from webapp.services.activity import follow_link, tracked_link

pytestmark = pytest.mark.usefixtures("ctx")
SECRET = "Secret Harbour"


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads")}


@pytest.fixture
def people():
    uk = f.territory("UK & Ireland")
    northlight = f.company("Northlight Media", territories=[uk])
    alice = f.account_manager(first_name="Alice", territories=[uk])
    return {
        "alice": alice,
        "sam": f.sales_coordinator(alice, first_name="Sam"),
        "ben": f.buyer(first_name="Ben", company=northlight, territories=[uk]),
        "nia": f.buyer(first_name="Nia", company=northlight, territories=[uk]),
        "gus": f.buyer(first_name="Gus", territories=[uk]),
        "admin": f.admin(),
    }


@pytest.fixture
def secret():
    """A restricted programme with an open season (one open, one restricted episode) and a
    restricted season, every part with a screener."""
    programme = c.programme(SECRET, restricted=True, screener_url="https://screeners.example/sh")
    open_season = c.season(programme, 1, screener_url="https://screeners.example/sh1")
    c.episode(open_season, 1, title="Arrival", screener_url="https://screeners.example/e1")
    c.episode(open_season, 2, title="Undercurrent", restricted=True,
              screener_url="https://screeners.example/e2")
    closed = c.season(programme, 2, restricted=True, screener_url="https://screeners.example/sh2")
    c.episode(closed, 1, title="Landfall", screener_url="https://screeners.example/e3")
    return programme


def grant(item, **grantee):
    kind = {"Programme": "programme_id", "Season": "season_id",
            "Episode": "episode_id"}[type(item).__name__]
    row = AccessGrant(**{kind: item.id}, **grantee)
    db.session.add(row)
    db.session.commit()
    return row


def grant_by(how, item, people):
    """Grant `item` to Ben in one of the ways, or not at all."""
    if how == "person":
        grant(item, user_id=people["ben"].id)
    elif how == "company":
        grant(item, company_id=people["ben"].company_id)
    elif how == "group":
        group = BuyerGroup(name="Tier 1 broadcasters", members=[people["ben"]])
        db.session.add(group)
        db.session.commit()
        grant(item, group_id=group.id)


# --- The rule ----------------------------------------------------------------------------


@pytest.mark.parametrize("how, buyer_sees", [
    ("open", True), ("person", True), ("company", True), ("group", True), ("none", False)])
@pytest.mark.parametrize("viewer", ["ben", "sam", "alice"])
def test_a_restricted_programme_is_seen_by_those_granted_it_and_internal_users(
        client, login, people, viewer, how, buyer_sees):
    programme = c.programme(SECRET, restricted=how != "open",
                            screener_url="https://screeners.example/sh")
    grant_by(how, programme, people)
    sees = buyer_sees or viewer != "ben"
    user = people[viewer]
    assert (db.session.scalar(access.programmes_visible_to(user)) is not None) == sees
    login(user)
    assert client.get(f"/catalogue/{programme.id}").status_code == (200 if sees else 404)
    assert (SECRET in text(client.get("/catalogue"))) == sees
    assert (SECRET in text(client.get("/catalogue?q=harbour"))) == sees
    screener = client.get(f"/catalogue/screeners/programme/{programme.id}")
    assert screener.status_code == (302 if sees else 404)


def test_a_grant_to_someone_else_opens_nothing_for_the_buyer(client, login, people):
    programme = c.programme(SECRET, restricted=True)
    grant(programme, user_id=people["gus"].id)
    nia_group = BuyerGroup(name="Kids buyers", members=[people["nia"]])
    db.session.add(nia_group)
    db.session.commit()
    grant(programme, group_id=nia_group.id)
    assert not access.may_see_programme(people["ben"], programme.id)
    assert access.may_see_programme(people["gus"], programme.id)
    assert access.may_see_programme(people["nia"], programme.id)
    assert login(people["ben"]).get(f"/catalogue/{programme.id}").status_code == 404


def test_restricted_seasons_and_episodes_are_hidden_from_a_buyer_granted_the_programme(
        client, login, people, secret):
    grant(secret, user_id=people["ben"].id)
    open_season, closed = secret.seasons
    login(people["ben"])
    page = text(client.get(f"/catalogue/{secret.id}"))
    assert "Arrival" in page
    assert "Undercurrent" not in page and "Landfall" not in page and "Season 2" not in page
    for kind, item_id in [("season", closed.id), ("episode", open_season.episodes[1].id),
                          ("episode", closed.episodes[0].id)]:
        assert client.get(f"/catalogue/screeners/{kind}/{item_id}").status_code == 404
    assert client.get(f"/catalogue/screeners/season/{open_season.id}").status_code == 302
    kinds = {(kind, item_id) for kind, item_id in db.session.execute(
        access.screeners_visible_to(people["ben"]))}
    assert ("season", open_season.id) in kinds and ("season", closed.id) not in kinds
    grant(closed, company_id=people["ben"].company_id)
    page = text(login(people["ben"]).get(f"/catalogue/{secret.id}"))
    assert "Landfall" in page and "Undercurrent" not in page
    login(people["sam"])
    assert "Undercurrent" in text(client.get(f"/catalogue/{secret.id}"))


def test_an_episode_of_a_hidden_programme_is_hidden_however_open_it_is(
        client, login, people, secret):
    episode = secret.seasons[0].episodes[0]
    assert not access.may_see_item(people["ben"], "episode", episode.id)
    login(people["ben"])
    assert client.get(f"/catalogue/screeners/episode/{episode.id}").status_code == 404


def test_the_image_of_a_restricted_programme_is_not_served_to_an_ungranted_buyer(
        client, login, people, app):
    programme = c.programme(SECRET, restricted=True, image_path="programmes/secret.png")
    path = Path(app.config["UPLOAD_FOLDER"]) / programme.image_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert login(people["ben"]).get("/media/programmes/secret.png").status_code == 404
    with login(people["sam"]).get("/media/programmes/secret.png") as response:
        assert response.status_code == 200


# --- Lists, emails, links ----------------------------------------------------------------


def _list(owner, kind, *programmes, buyer=None):
    programme_list = ProgrammeList(name="Autumn slate", kind=kind, owner=owner, buyer=buyer)
    for position, programme in enumerate(programmes, start=1):
        programme_list.items.append(ListItem(programme=programme, position=position,
                                             include_screener=True))
    db.session.add(programme_list)
    db.session.commit()
    return programme_list


def test_list_pages_and_exports_leave_out_what_the_buyer_may_not_see(
        client, login, people, secret):
    shown = c.programme("Open Skies")
    programme_list = _list(people["admin"], ListKind.GLOBAL, shown, secret)
    login(people["ben"])
    page = text(client.get(f"/lists/{programme_list.id}"))
    assert "Open Skies" in page and SECRET not in page
    exported = text(client.get(f"/lists/{programme_list.id}/export.csv"))
    assert "Open Skies" in exported and SECRET not in exported
    hidden_item = programme_list.items[1]
    assert client.get(f"/lists/{programme_list.id}/items/{hidden_item.id}").status_code == 404
    assert SECRET in text(login(people["sam"]).get(f"/lists/{programme_list.id}"))


def test_the_shared_list_email_leaves_out_what_the_buyer_may_not_see(
        client, login, people, secret):
    programme_list = _list(people["sam"], ListKind.MY, c.programme("Open Skies"), secret)
    response = login(people["sam"]).post(f"/lists/{programme_list.id}/share",
                                         data={"buyers": people["ben"].id, "days": 14})
    assert response.status_code == 303
    [email] = db.session.scalars(select(OutboxMessage)).all()
    assert "Open Skies" in email.text_body and SECRET not in email.text_body
    assert SECRET not in email.html_body
    assert db.session.scalar(select(AccessGrant)) is None


def _meeting(people, *programmes):
    meeting = Meeting(title="Northlight × Alice", host=people["alice"],
                      created_by=people["alice"], status=MeetingStatus.SCHEDULED,
                      starts_at=datetime.now(UTC) - timedelta(hours=2),
                      attendees=[people["ben"], people["gus"]])
    meeting.programme_list = _list(people["alice"], ListKind.MEETING, *programmes)
    db.session.add(meeting)
    db.session.commit()
    return meeting


def test_the_meeting_summary_leaves_out_what_each_buyer_may_not_see(
        client, login, people, secret):
    meeting = _meeting(people, c.programme("Open Skies"), secret)
    grant(secret, user_id=people["gus"].id)
    login(people["alice"])
    assert SECRET in text(client.get(f"/meetings/{meeting.id}/summary"))  # the host's preview
    assert client.post(f"/meetings/{meeting.id}/summary").status_code == 303
    bodies = {e.recipients: e.text_body for e in db.session.scalars(select(OutboxMessage))}
    assert SECRET not in bodies[people["ben"].email]
    assert SECRET in bodies[people["gus"].email] and "Open Skies" in bodies[people["ben"].email]


def test_a_tracked_screener_link_leads_nowhere_for_a_buyer_who_may_not_see_it(
        app, people, secret):
    with app.test_request_context():
        link = tracked_link(people["ben"], secret.screener_url, source="list_share",
                            programme_id=secret.id)
        token = link.rsplit("/r/", 1)[1]
        assert follow_link(token, people["ben"]) is None
        grant(secret, user_id=people["ben"].id)
        assert follow_link(token, people["ben"]) == secret.screener_url


# --- Granting while sharing --------------------------------------------------------------


def test_sharing_a_list_can_grant_its_restricted_titles_with_the_permission(
        client, login, people, secret, caplog):
    programme_list = _list(people["alice"], ListKind.MY, secret)
    login(people["alice"])
    assert "Grant the buyers access" in text(client.get(f"/lists/{programme_list.id}/share"))
    with caplog.at_level(logging.INFO, logger="webapp.security"):
        response = client.post(f"/lists/{programme_list.id}/share", data={
            "buyers": people["ben"].id, "days": 14, "grant_access": "y"})
    assert response.status_code == 303
    rows = db.session.scalars(select(AccessGrant)).all()
    # Only the restricted parts the list carries (the programme), not the whole programme's.
    assert [(r.programme_id, r.user_id, r.granted_by_id) for r in rows] == [
        (secret.id, people["ben"].id, people["alice"].id)]
    assert rows[0].reason == "Shared list “Autumn slate”"
    audit = [r for r in caplog.records if getattr(r, "security_event", "") == "access.granted"]
    assert len(audit) == 1 and audit[0].user_id == people["alice"].id
    [email] = db.session.scalars(select(OutboxMessage)).all()
    assert SECRET in email.text_body
    assert login(people["ben"]).get(f"/catalogue/{secret.id}").status_code == 200


def test_sharing_cannot_grant_without_the_permission(client, login, people, secret):
    programme_list = _list(people["sam"], ListKind.MY, secret)
    login(people["sam"])
    assert "Grant the buyers access" not in text(client.get(f"/lists/{programme_list.id}/share"))
    response = client.post(f"/lists/{programme_list.id}/share", data={
        "buyers": people["ben"].id, "days": 14, "grant_access": "y",
        "message": "Typed with care"})
    assert response.status_code == 422
    assert "You may not grant access" in text(response) and "Typed with care" in text(response)
    assert db.session.scalar(select(AccessGrant)) is None
    assert db.session.scalar(select(ListShare)) is None
    assert db.session.scalar(select(OutboxMessage)) is None


def test_sending_a_summary_can_grant_the_attendees_what_they_miss(
        client, login, people, secret, caplog):
    meeting = _meeting(people, secret)
    grant(secret, user_id=people["gus"].id)
    login(people["alice"])
    assert "Grant the buyers access" in text(client.get(f"/meetings/{meeting.id}"))
    with caplog.at_level(logging.INFO, logger="webapp.security"):
        response = client.post(f"/meetings/{meeting.id}/summary", data={"grant_access": "y"})
    assert response.status_code == 303
    made = db.session.scalars(select(AccessGrant).where(
        AccessGrant.reason == "Meeting summary “Northlight × Alice”")).all()
    assert [(r.programme_id, r.user_id) for r in made] == [(secret.id, people["ben"].id)]
    assert [r.security_event for r in caplog.records
            if getattr(r, "security_event", "").startswith("access.")] == ["access.granted"]
    bodies = {e.recipients: e.text_body for e in db.session.scalars(select(OutboxMessage))}
    assert SECRET in bodies[people["ben"].email]


def test_a_summary_sender_without_the_permission_is_not_offered_the_grant(
        client, login, people, secret):
    meeting = _meeting(people, secret)
    meeting.created_by = people["sam"]
    db.session.commit()
    login(people["sam"])
    assert "Grant the buyers access" not in text(client.get(f"/meetings/{meeting.id}"))
    response = client.post(f"/meetings/{meeting.id}/summary", data={"grant_access": "y"})
    assert response.status_code == 422 and "You may not grant access" in text(response)
    assert db.session.scalar(select(AccessGrant)) is None
    assert db.session.scalar(select(OutboxMessage)) is None


# --- Admin: an item's access, buyer groups, the access report ----------------------------


def test_admin_restricts_grants_on_each_tab_and_takes_back(client, login, people, caplog):
    programme = c.programme(SECRET)
    group = BuyerGroup(name="Tier 1 broadcasters")
    db.session.add(group)
    db.session.commit()
    login(people["admin"])
    url = f"/admin/catalogue/access/programme/{programme.id}"
    assert client.post(f"{url}/restriction", data={"restricted": "y"}).status_code == 303
    db.session.refresh(programme)
    assert programme.restricted
    page = text(client.get(f"{url}?tab=individuals&q=Tester"))
    assert "Ben Tester" in page and "Nia Tester" in page
    assert "Sam Tester" not in page and "Alice Tester" not in page  # buyers only
    with caplog.at_level(logging.INFO, logger="webapp.security"):
        for tab, grantee in [("individuals", people["ben"].id),
                             ("companies", people["ben"].company_id), ("groups", group.id)]:
            response = client.post(f"{url}/grants?tab={tab}", data={"grantee_id": grantee})
            assert response.status_code == 303, tab
    assert client.post(f"{url}/grants?tab=individuals",
                       data={"grantee_id": people["ben"].id}).status_code == 303  # once
    rows = db.session.scalars(select(AccessGrant).order_by(AccessGrant.id)).all()
    assert [(r.user_id, r.company_id, r.group_id) for r in rows] == [
        (people["ben"].id, None, None), (None, people["ben"].company_id, None),
        (None, None, group.id)]
    assert all(r.granted_by_id == people["admin"].id and r.reason == "Admin" for r in rows)
    assert sum(getattr(r, "security_event", "") == "access.granted"
               for r in caplog.records) == 3
    assert "Northlight Media" in text(client.get(f"{url}?tab=companies"))
    first = rows[0].id
    assert client.post(f"/admin/catalogue/access/grants/{first}/revoke").status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(AccessGrant.id).where(AccessGrant.id == first)) is None
    refused = client.post(f"{url}/grants?tab=individuals",
                          data={"grantee_id": people["sam"].id})
    assert refused.status_code == 422 and "Only buyers" in text(refused)
    assert client.post(f"{url}/grants?tab=groups", data={"grantee_id": "x"}).status_code == 422
    assert client.post(f"{url}/restriction").status_code == 303
    db.session.refresh(programme)
    assert not programme.restricted


def test_buyer_groups_are_created_renamed_filled_and_deleted(client, login, people):
    login(people["admin"])
    response = client.post("/admin/buyer-groups", data={"name": "Kids buyers"})
    assert response.status_code == 303
    group = db.session.scalar(select(BuyerGroup))
    again = client.post("/admin/buyer-groups", data={"name": "kids BUYERS"})
    assert again.status_code == 422 and "already exists" in text(again)
    assert client.post(f"/admin/buyer-groups/{group.id}",
                       data={"name": "Kids & family"}).status_code == 303
    db.session.refresh(group)
    assert group.name == "Kids & family"
    assert "Ben Tester" in text(client.get(f"/admin/buyer-groups/{group.id}?q=ben"))
    members = f"/admin/buyer-groups/{group.id}/members"
    assert client.post(members, data={"grantee_id": people["ben"].id}).status_code == 303
    assert client.post(members, data={"grantee_id": people["alice"].id}).status_code == 422
    db.session.expire_all()
    assert [m.first_name for m in group.members] == ["Ben"]
    assert client.post(f"{members}/{people['ben'].id}/remove").status_code == 303
    db.session.expire_all()
    assert group.members == []
    page = text(client.get("/admin/buyer-groups"))
    assert "data-confirm=\"Delete the group Kids &amp; family?" in page
    assert client.post(f"/admin/buyer-groups/{group.id}/delete").status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(BuyerGroup)) is None
    assert login(people["alice"]).get("/admin/buyer-groups").status_code == 403


def test_the_access_report_says_who_may_see_and_who_watched_each_restricted_item(
        client, login, people, secret):
    grant(secret, user_id=people["ben"].id)
    group = BuyerGroup(name="Tier 1 broadcasters")
    db.session.add(group)
    db.session.commit()
    grant(secret.seasons[1], group_id=group.id)
    formula = c.programme("=HYPERLINK(\"http://evil.example\")", restricted=True)
    c.programme("Open Skies")
    db.session.add(ActivityEvent(user_id=people["ben"].id, kind=EventKind.SCREENER_PLAY.value,
                                 occurred_at=datetime.now(UTC), programme_id=secret.id))
    db.session.commit()
    login(people["admin"])
    page = text(client.get("/admin/catalogue/access-report"))
    assert SECRET in page and "Open Skies" not in page and "Ben Tester" in page
    assert f"{SECRET} · Season 1 · Episode 2" in page  # the restricted episode
    response = client.get("/admin/catalogue/access-report.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(text(response))))
    assert rows[0] == ["Item", "Kind", "Who can see it", "Watched by"]
    by_item = {row[0]: row for row in rows[1:]}
    assert by_item[SECRET][2].startswith("Ben Tester <") and "Ben Tester" in by_item[SECRET][3]
    assert by_item[f"{SECRET} · Season 2"][2] == "Group: Tier 1 broadcasters"
    assert by_item[f"'{formula.title}"][1:] == ["programme", "", ""]  # shown, never run
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert login(people["sam"]).get("/admin/catalogue/access-report.csv").status_code == 403


# --- Every page a buyer reaches ----------------------------------------------------------

SKIPPED = ("/static/", "/media/", "/logout", "/r/", "/catalogue/screeners/", "/ipad/sw.js")


def crawl(client, limit=300) -> dict[str, str]:
    """The pages reached from the start page by following links on this site (GETs only),
    breadth first, at most `limit`: {path: text}."""
    seen, queue, pages = {"/"}, ["/"], {}
    while queue and len(pages) < limit:
        path = queue.pop(0)
        response = client.get(path)
        if response.status_code != 200 or response.mimetype not in ("text/html", "text/csv"):
            continue
        pages[path] = text(response)
        for link in re.findall(r'href="([^"#]*)', pages[path]):
            link = html.unescape(link)
            if link.startswith("/") and not link.startswith("//") and link not in seen \
                    and not link.startswith(SKIPPED):
                seen.add(link)
                queue.append(link)
    return pages


def restricted_titles(user) -> tuple[set[str], set[str]]:
    """(restricted titles the user may see, those they may not)."""
    restricted = db.session.scalars(select(Programme).where(Programme.restricted)).all()
    seen = {p.title for p in restricted if access.may_see_programme(user, p.id)}
    return seen, {p.title for p in restricted} - seen


@pytest.mark.parametrize("login_name", ["ben", "dora"])
def test_no_page_a_buyer_reaches_names_a_restricted_title_they_were_not_granted(
        demo_data, client, login, login_name):
    buyer = find_by_email(f"{login_name}@demo.test")
    granted, hidden = restricted_titles(buyer)
    assert granted and hidden  # the demo grants each of them some, not all
    login(buyer)
    pages = crawl(client)
    assert len(pages) > 150 and any(p.startswith("/lists/") for p in pages)
    leaks = {(path, title) for path, page in pages.items() for title in hidden
             if html.escape(title) in page or title in page}
    assert leaks == set()
    for title in granted:
        assert any(html.escape(title) in page for page in pages.values()), title
