"""Recording buyer activity: where it is recorded, for whom, and that it never breaks a page."""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from tests import catalogue_factories as cf
from tests import factories as f
from webapp import access
from webapp.extensions import db
from webapp.models import (
    ActivityDay,
    ActivityEvent,
    ActivityProgrammeDay,
    ActivityTotalDay,
    EmailSource,
    EventKind,
    ListItem,
    ListKind,
    OutboxMessage,
    ProgrammeList,
)
from webapp.services import activity
from webapp.services.list_sharing import share_list
from webapp.web.visits import SESSION_KEY


@pytest.fixture
def people(ctx):
    territory = f.territory("UK & Ireland")
    alice = f.account_manager(first_name="Alice", territories=[territory])
    return {"alice": alice, "ben": f.buyer(first_name="Ben", territories=[territory]),
            "dora": f.buyer(first_name="Dora", territories=[territory])}


def recorded(user=None, kind=None) -> list[ActivityEvent]:
    db.session.expire_all()
    query = select(ActivityEvent).order_by(ActivityEvent.id)
    if user is not None:
        query = query.where(ActivityEvent.user_id == user.id)
    if kind is not None:
        query = query.where(ActivityEvent.kind == kind)
    return db.session.scalars(query).all()


def test_recording_adds_the_event_and_its_day_total(people):
    ben = people["ben"]
    moment = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    for minutes in (0, 5, 50):
        activity.record_now(ben, EventKind.PROGRAMME_VIEW, at=moment + timedelta(minutes=minutes))
    activity.record(ben, EventKind.VISIT, at=moment)
    db.session.commit()
    day = db.session.get(ActivityDay, (ben.id, moment.date()))
    assert (day.programme_views, day.visits, day.logins) == (3, 1, 0)
    assert day.last_at.replace(tzinfo=UTC) == moment + timedelta(minutes=50)
    assert len(recorded(ben)) == 4


def test_rebuilding_the_day_totals_gives_what_recording_kept(people):
    ben, dora = people["ben"], people["dora"]
    for n in range(6):
        activity.record(ben if n % 2 else dora, list(EventKind)[n],
                        at=datetime(2026, 3, 1 + n % 3, 8 + n, tzinfo=UTC))
    db.session.commit()
    before = db.session.execute(select(ActivityDay.__table__).order_by("user_id", "day")).all()
    activity.rebuild_activity_days()
    db.session.commit()
    after = db.session.execute(select(ActivityDay.__table__).order_by("user_id", "day")).all()
    assert [tuple(r)[:10] for r in before] == [tuple(r)[:10] for r in after]
    assert len(after) == 6


def rollups():
    """Every buyer's days and every programme's days, as plain rows."""
    return [db.session.execute(select(table.__table__).order_by(*table.__table__.primary_key))
            .all() for table in (ActivityTotalDay, ActivityProgrammeDay)]


def test_every_buyer_and_every_programme_totals_follow_the_events(people):
    ben, dora = people["ben"], people["dora"]
    fjord, kings = cf.programme(title="Fjord"), cf.programme(title="Kings")
    day = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    first, second = day.date(), day.date() + timedelta(days=1)
    view, play, mark = EventKind.PROGRAMME_VIEW, EventKind.SCREENER_PLAY, EventKind.INTEREST_MARKED
    for who, kind, programme, interest in [
            (ben, view, fjord, None), (dora, view, fjord, None), (ben, play, fjord, None),
            (dora, EventKind.VISIT, None, None), (ben, mark, kings, 1), (dora, mark, kings, -1)]:
        activity.record(who, kind, programme_id=programme and programme.id, interest=interest,
                        at=day)
    db.session.commit()
    activity.record_now(ben, view, programme_id=kings.id, at=day + timedelta(days=1))
    totals, programmes = rollups()
    assert [(row.day, row.programme_views, row.screener_plays, row.visits, row.interest_marks)
            for row in totals] == [(first, 2, 1, 1, 2), (second, 1, 0, 0, 0)]
    assert {(row.programme_id, row.day): (row.views, row.plays, row.interested)
            for row in programmes} == {(fjord.id, first): (2, 1, 0), (kings.id, first): (0, 0, 1),
                                       (kings.id, second): (1, 0, 0)}
    activity.rebuild_activity_days()
    db.session.commit()
    assert rollups() == [totals, programmes]


def test_an_event_for_each_attendee_is_a_few_statements_and_matches_the_events(people):
    """A thumbs up in a meeting counts for every buyer attending, the internal users among
    them left out, in as many statements for five buyers as for one."""
    kings = cf.programme(title="Kings")
    day = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    crowd = [people["ben"], people["dora"], *(f.buyer() for _ in range(3))]
    db.session.commit()
    crowd_ids = [buyer.id for buyer in [*crowd, people["alice"]]]
    kings_id = kings.id
    statements = []

    def statements_for(user_ids) -> int:
        statements.clear()
        activity.record_for_each(user_ids, EventKind.INTEREST_MARKED, programme_id=kings_id,
                                 interest=1, at=day)
        db.session.flush()
        return len(statements)
    listener = lambda *args: statements.append(1)  # noqa: E731
    access.is_external_buyer()  # the Buyer role's id, looked up once per app, is known
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert statements_for(crowd_ids[:2]) == statements_for(crowd_ids)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    db.session.commit()
    assert sorted(mark.user_id for mark in recorded(kind=EventKind.INTEREST_MARKED)) == sorted(
        crowd_ids[:2] * 2 + crowd_ids[2:5])
    totals, programmes = rollups()
    assert [(row.day, row.interest_marks) for row in totals] == [(day.date(), 7)]
    assert [(row.programme_id, row.interested) for row in programmes] == [(kings_id, 7)]
    assert db.session.scalar(select(ActivityDay.interest_marks).where(
        ActivityDay.user_id == crowd[0].id)) == 2
    activity.rebuild_activity_days()
    db.session.commit()
    assert rollups() == [totals, programmes]


def test_internal_users_are_never_recorded(people):
    alice = people["alice"]
    activity.record(alice, EventKind.LOGIN)
    activity.record_now(alice, EventKind.VISIT)
    db.session.commit()
    assert recorded() == []


def test_an_event_recorded_in_a_rolled_back_transaction_is_dropped(people):
    activity.record(people["ben"], EventKind.MEETING_ATTENDED)
    db.session.rollback()
    assert recorded() == []


def test_a_failure_to_record_never_raises(people, monkeypatch):
    def broken(*args):
        raise OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr(activity, "_write", broken)
    activity.record(people["ben"], EventKind.LOGIN)
    activity.record_now(people["ben"], EventKind.LOGIN)
    assert recorded() == []


def test_a_failure_to_record_does_not_break_the_page(people, login, monkeypatch):
    programme = cf.programme("The Fjord Murders")

    def broken(*args):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(activity, "_write", broken)
    response = login(people["ben"]).get(f"/catalogue/{programme.id}")
    assert response.status_code == 200 and "The Fjord Murders" in response.text
    assert recorded() == []


def test_logging_in_records_a_login_and_a_visit(people, client):
    response = client.post("/login", data={"email": people["ben"].email,
                                           "password": f.PASSWORD})
    assert response.status_code == 303
    client.get("/")
    assert [e.kind for e in recorded(people["ben"])] == [EventKind.LOGIN, EventKind.VISIT]


def test_a_visit_is_counted_after_thirty_minutes_idle(people, login):
    client = login(people["ben"])
    client.get("/")
    client.get("/catalogue")
    assert len(recorded(people["ben"], EventKind.VISIT)) == 1
    with client.session_transaction() as session:
        session[SESSION_KEY] = time.time() - 31 * 60
    client.get("/catalogue")
    assert len(recorded(people["ben"], EventKind.VISIT)) == 2


def test_internal_users_pages_record_nothing(people, login):
    programme = cf.programme("The Fjord Murders")
    client = login(people["alice"])
    client.get("/")
    client.get(f"/catalogue/{programme.id}")
    assert recorded() == []


def test_programme_views_screener_plays_and_list_views_are_recorded(people, login):
    programme = cf.programme("The Fjord Murders", screener_url="https://screeners.example.com/p")
    season = cf.season(programme, screener_url="https://screeners.example.com/s1")
    episode = cf.episode(season, screener_url="https://screeners.example.com/e1")
    shared = ProgrammeList(name="For Ben", kind=ListKind.GLOBAL, owner=people["alice"])
    db.session.add(shared)
    db.session.commit()
    client = login(people["ben"])
    assert client.get(f"/catalogue/{programme.id}").status_code == 200
    for kind, item in (("programme", programme), ("season", season), ("episode", episode)):
        response = client.get(f"/catalogue/screeners/{kind}/{item.id}")
        assert response.status_code == 302
    assert client.get(f"/lists/{shared.id}").status_code == 200
    events = [(e.kind, e.programme_id, e.list_id) for e in recorded(people["ben"])
              if e.kind != EventKind.VISIT]
    assert events == [(EventKind.PROGRAMME_VIEW, programme.id, None),
                      *[(EventKind.SCREENER_PLAY, programme.id, None)] * 3,
                      (EventKind.LIST_VIEW, None, shared.id)]


# --- Tracked links ------------------------------------------------------------------------


@pytest.fixture
def shared_list(people):
    programme = cf.programme("Kitchen Kings")
    programme_list = ProgrammeList(name="Ben's picks", kind=ListKind.MY, owner=people["alice"])
    programme_list.items.append(ListItem(programme=programme, position=1))
    db.session.add(programme_list)
    share_list(programme_list, people["alice"], [people["ben"]])
    db.session.commit()
    email = db.session.scalars(select(OutboxMessage)).one()
    links = re.findall(r"http://127\.0\.0\.1:5000/r/[A-Za-z0-9_.\-]+", email.text_body)
    return {"list": programme_list, "programme": programme, "links": links, "email": email}


def path_of(url: str) -> str:
    return url.replace("http://127.0.0.1:5000", "")


def test_list_share_email_links_are_tracked(shared_list):
    assert len(shared_list["links"]) == 1  # the programme; the list has the personal link
    assert all(link in shared_list["email"].html_body for link in shared_list["links"])
    assert "/catalogue/" not in shared_list["email"].text_body
    assert "http://127.0.0.1:5000/s/" in shared_list["email"].text_body


def test_clicking_a_link_records_the_click_for_its_recipient(client, people, shared_list):
    [programme_link] = shared_list["links"]
    response = client.get(path_of(programme_link))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/catalogue/{shared_list['programme'].id}"
    clicks = recorded(people["ben"], EventKind.EMAIL_CLICK)
    assert [(c.source, c.list_id, c.programme_id) for c in clicks] == [
        (EmailSource.LIST_SHARE, shared_list["list"].id, shared_list["programme"].id)]


def test_a_tampered_link_records_nothing_and_leads_home(client, people, shared_list):
    token = path_of(shared_list["links"][0]).removeprefix("/r/")
    payload, signature = token.rsplit(".", 1)
    for bad in (payload[:-2] + "AA." + signature, payload + "." + signature[::-1], "nonsense",
                "x" * 5000):
        response = client.get(f"/r/{bad}")
        assert response.status_code == 302 and response.headers["Location"] == "/"
    assert recorded() == []


def test_a_forwarded_link_opened_by_another_user_records_nothing(login, people, shared_list):
    response = login(people["dora"]).get(path_of(shared_list["links"][0]))
    assert response.status_code == 302
    assert recorded(kind=EventKind.EMAIL_CLICK) == []


def test_links_lead_only_to_this_site_or_the_programmes_screener(app, people):
    programme = cf.programme("Wild Atlantic", screener_url="https://screeners.example.com/wa")
    with app.test_request_context():
        elsewhere = activity.tracked_link(people["ben"], "https://evil.example.com/",
                                          source=EmailSource.MEETING_SUMMARY)
        assert elsewhere == "https://evil.example.com/"  # not wrapped: no redirect made
        screener = activity.tracked_link(people["ben"], programme.screener_url,
                                         source=EmailSource.MEETING_SUMMARY,
                                         programme_id=programme.id)
        assert "/r/" in screener
        # A screener link with a programme it does not belong to is not wrapped either.
        other = cf.programme("Other")
        assert activity.tracked_link(people["ben"], programme.screener_url,
                                     source=EmailSource.MEETING_SUMMARY,
                                     programme_id=other.id) == programme.screener_url
    response = app.test_client().get(path_of(screener))
    assert response.headers["Location"] == "https://screeners.example.com/wa"
    assert db.session.scalar(select(func.count()).select_from(ActivityEvent)) == 1
