"""The in-meeting view: the host's day, the host only, and changes applied exactly once."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests import factories as f
from tests.catalogue_factories import programme
from webapp.extensions import db
from webapp.models import (
    ActivityEvent,
    AppliedChange,
    EventKind,
    ListItem,
    ListKind,
    Meeting,
    MeetingStatus,
    MeetingSummarySend,
    OutboxMessage,
    ProgrammeList,
)

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def people():
    dach = f.territory("DACH")
    bob = f.account_manager(first_name="Bob", territories=[dach])
    return {"bob": bob, "carol": f.account_manager(first_name="Carol"),
            "tess": f.sales_coordinator(first_name="Tess", territories=[dach]),
            "dora": f.buyer(first_name="Dora", territories=[dach]),
            "hans": f.buyer(first_name="Hans", territories=[dach]), "admin": f.admin()}


def make_meeting(people, starts_at, title="Alpenblick × Bob", zone="Europe/Berlin", **fields):
    meeting = Meeting(title=title, host=people["bob"], created_by=people["tess"],
                      status=MeetingStatus.SCHEDULED, starts_at=starts_at, timezone=zone,
                      attendees=[people["dora"], people["hans"]], **fields)
    meeting.programme_list = ProgrammeList(name=title, kind=ListKind.MEETING, owner=people["bob"])
    meeting.programme_list.items.append(ListItem(
        programme=programme(f"Wild Atlantic {title}", screener_url="https://screeners.example/w"),
        position=1, note="Before the meeting."))
    db.session.add(meeting)
    db.session.commit()
    return meeting


@pytest.fixture
def meeting(people):
    return make_meeting(people, datetime.now(UTC) + timedelta(hours=1))


def change(client, meeting, key, kind, **fields):
    return client.post(f"/ipad/meetings/{meeting.id}/changes",
                       data={"key": key, "kind": kind, **fields})


def events(kind):
    return db.session.scalar(select(func.count()).select_from(ActivityEvent).where(
        ActivityEvent.kind == kind))


def test_the_day_picker_offers_only_days_with_meetings_defaulting_to_the_next(
        client, login, people):
    in_two_days = datetime.now(UTC).replace(hour=10, minute=0) + timedelta(days=2)
    make_meeting(people, in_two_days, title="Soon")
    make_meeting(people, in_two_days + timedelta(days=5), title="Later")
    make_meeting(people, in_two_days - timedelta(days=30), title="Past")
    cancelled = make_meeting(people, in_two_days + timedelta(days=9), title="Called off")
    cancelled.status = MeetingStatus.CANCELLED
    db.session.commit()
    login(people["bob"])
    page = client.get("/ipad/").get_data(as_text=True)
    assert "Soon" in page and "Later" not in page
    assert page.count('class="day-chip') == 3  # past, soon, later; not the cancelled one
    later = (in_two_days + timedelta(days=5)).date().isoformat()
    assert "Later" in client.get(f"/ipad/?day={later}").get_data(as_text=True)
    assert "Soon" in client.get("/ipad/?day=not-a-date").get_data(as_text=True)
    login(people["carol"])
    assert "You host no meetings yet" in client.get("/ipad/").get_data(as_text=True)


def test_a_meeting_is_shown_on_its_own_local_day(client, login, people):
    # 23:30 in Los Angeles is the next day in UTC: the meeting belongs to its local day.
    local_day = date.today() + timedelta(days=3)
    starts = datetime(local_day.year, local_day.month, local_day.day, 23, 30,
                      tzinfo=ZoneInfo("America/Los_Angeles"))
    assert starts.astimezone(UTC).date() != local_day
    make_meeting(people, starts.astimezone(UTC), title="Late call", zone="America/Los_Angeles")
    login(people["bob"])
    page = client.get(f"/ipad/?day={local_day.isoformat()}").get_data(as_text=True)
    assert "Late call" in page and "23:30" in page


@pytest.mark.parametrize("viewer", ["tess", "carol", "admin", "dora"])
def test_only_the_host_may_open_or_change_the_meeting(client, login, people, meeting, viewer):
    login(people[viewer])
    assert client.get(f"/ipad/meetings/{meeting.id}").status_code == 404
    assert change(client, meeting, "k" * 16, "start").status_code == 404
    assert db.session.get(Meeting, meeting.id).started_at is None


def test_opening_the_page_changes_nothing_and_the_start_is_recorded_once(
        client, login, people, meeting):
    login(people["bob"])
    assert client.get(f"/ipad/meetings/{meeting.id}").status_code == 200
    db.session.refresh(meeting)
    assert meeting.started_at is None
    assert change(client, meeting, "start-1-abcdef", "start").status_code == 200
    db.session.refresh(meeting)
    first = meeting.started_at
    assert change(client, meeting, "start-2-abcdef", "start").status_code == 200
    db.session.refresh(meeting)
    assert meeting.started_at == first
    assert events(EventKind.MEETING_ATTENDED) == 2  # Dora and Hans, once each


def test_a_replayed_change_is_applied_once_and_answered_the_same(client, login, people, meeting):
    login(people["bob"])
    item = meeting.programme_list.items[0]
    first = change(client, meeting, "tap-000001", "interest", item_id=item.id, value="up")
    again = change(client, meeting, "tap-000001", "interest", item_id=item.id, value="up")
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json() == {"interest": "up"}
    assert events(EventKind.INTEREST_MARKED) == 2  # one per attendee, not per delivery
    db.session.refresh(item)
    assert item.interest == 1
    assert len(first.get_data()) < 2048


def test_screener_toggle_and_interest_cleared(client, login, people, meeting):
    login(people["bob"])
    item = meeting.programme_list.items[0]
    change(client, meeting, "tap-000002", "screener", item_id=item.id, value="on")
    change(client, meeting, "tap-000003", "interest", item_id=item.id, value="down")
    change(client, meeting, "tap-000004", "interest", item_id=item.id, value="none")
    db.session.refresh(item)
    assert item.include_screener is True and item.interest is None


def test_a_note_is_one_record_shared_with_the_website(client, login, people, meeting):
    login(people["bob"])
    item = meeting.programme_list.items[0]
    saved = change(client, meeting, "note-000001", "note", item_id=item.id,
                   value="Loved it", version=item.note_version)
    assert saved.status_code == 200 and saved.get_json() == {"version": 2, "text": "Loved it"}
    assert "Loved it" in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)


def test_a_note_changed_on_the_website_meanwhile_is_a_conflict_with_both_texts(
        client, login, people, meeting):
    item = meeting.programme_list.items[0]
    login(people["tess"])
    client.post(f"/lists/{meeting.list_id}/items/{item.id}/note",
                data={"note": "Tess: send the dub", "version": 1})
    login(people["bob"])
    stale = change(client, meeting, "note-000002", "note", item_id=item.id,
                   value="Bob: loved it", version=1)
    assert stale.status_code == 409
    assert stale.get_json()["text"] == "Tess: send the dub"
    assert stale.get_json()["version"] == 2
    db.session.refresh(item)
    assert item.note == "Tess: send the dub"
    both = change(client, meeting, "note-000003", "note", item_id=item.id,
                  value="Tess: send the dub\n\nBob: loved it", version=2)
    assert both.status_code == 200


def test_meeting_notes_conflict_like_item_notes(client, login, people, meeting):
    login(people["bob"])
    assert change(client, meeting, "mn-0000001", "meeting_notes", value="One",
                  version=1).status_code == 200
    stale = change(client, meeting, "mn-0000002", "meeting_notes", value="Two", version=1)
    assert stale.status_code == 409 and stale.get_json()["text"] == "One"


def test_a_programme_added_from_the_catalogue_is_added_once(client, login, people, meeting):
    extra = programme("Kitchen Kings")
    login(people["bob"])
    assert change(client, meeting, "add-0000001", "add_item", item_id=extra.id).status_code == 200
    change(client, meeting, "add-0000001", "add_item", item_id=extra.id)
    db.session.expire_all()
    assert [i.programme.title for i in meeting.programme_list.items][-1] == "Kitchen Kings"
    assert len(meeting.programme_list.items) == 2
    results = client.get(f"/ipad/meetings/{meeting.id}/catalogue?q=kitchen").get_data(
        as_text=True)
    assert "On the list" in results
    assert "Kitchen Kings" in client.get(f"/ipad/meetings/{meeting.id}/items").get_data(
        as_text=True)


def test_send_from_the_ipad_goes_once_and_is_recorded_like_the_website(
        client, login, people, meeting):
    login(people["bob"])
    assert change(client, meeting, "send-000001", "send_summary").get_json() == {"sent_to": 2}
    change(client, meeting, "send-000001", "send_summary")
    sends = db.session.scalars(select(MeetingSummarySend)).all()
    assert len(sends) == 1 and sends[0].sent_by == people["bob"]
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "meeting_summary")) == 2
    summary = client.get(f"/ipad/meetings/{meeting.id}/summary")
    assert "Wild Atlantic" in summary.get_data(as_text=True)
    assert "sandbox" in summary.headers["Content-Security-Policy"]


def test_a_cancelled_meeting_takes_no_changes(client, login, people, meeting):
    meeting.status = MeetingStatus.CANCELLED
    db.session.commit()
    login(people["bob"])
    response = change(client, meeting, "late-000001", "start")
    assert response.status_code == 422 and "cancelled" in response.get_json()["error"]


@pytest.mark.parametrize("fields", [
    {"key": "short", "kind": "start"},
    {"key": "k" * 65, "kind": "start"},
    {"key": "k" * 16, "kind": "delete_everything"},
    {"key": "k" * 16, "kind": "note", "item_id": "abc"},
    {"key": "k" * 16, "kind": "note", "item_id": "1", "version": "<script>"},
])
def test_malformed_changes_are_refused_with_a_reason(client, login, people, meeting, fields):
    login(people["bob"])
    response = client.post(f"/ipad/meetings/{meeting.id}/changes", data=fields)
    assert response.status_code == 400 and response.get_json()["error"]
    assert db.session.scalar(select(func.count()).select_from(AppliedChange)) == 0


def test_an_unknown_item_is_a_clear_error_not_a_crash(client, login, people, meeting):
    login(people["bob"])
    response = change(client, meeting, "gone-000001", "note", item_id=999999, value="x")
    assert response.status_code == 422
    assert "no longer on the meeting" in response.get_json()["error"]
