"""The in-meeting view's outbox sends changes in batches: applied in order, each once per
key, each with its own answer; one change failing loses none of the others."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories as f
from tests.catalogue_factories import programme
from tests.test_ipad import make_meeting
from webapp.extensions import db
from webapp.models import ActivityEvent, AppliedChange, EventKind, ListItem, Meeting
from webapp.services.lists import add_item
from webapp.services.meeting_change_batch import MAX_CHANGES

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def people():
    dach = f.territory("DACH")
    return {"bob": f.account_manager(first_name="Bob", territories=[dach]),
            "carol": f.account_manager(first_name="Carol"),
            "tess": f.sales_coordinator(first_name="Tess", territories=[dach]),
            "dora": f.buyer(first_name="Dora", territories=[dach]),
            "hans": f.buyer(first_name="Hans", territories=[dach])}


@pytest.fixture
def meeting(people):
    return make_meeting(people, datetime.now(UTC) + timedelta(hours=1))


def item_of(meeting):
    return db.session.scalar(select(ListItem).where(ListItem.list_id == meeting.list_id))


def send(client, *changes):
    return client.post("/ipad/changes", json={"changes": list(changes)})


def interest_marks():
    return db.session.scalar(select(func.count()).select_from(ActivityEvent).where(
        ActivityEvent.kind == EventKind.INTEREST_MARKED))


def backlog(meeting, item):
    return [
        {"key": "start-0001", "kind": "start", "meeting": meeting.id},
        {"key": "interest-0001", "kind": "interest", "meeting": meeting.id, "item_id": item.id,
         "value": "up"},
        {"key": "note-0001", "kind": "note", "meeting": meeting.id, "item_id": item.id,
         "value": "Wants the dub", "version": item.note_version},
        {"key": "notes-0001", "kind": "meeting_notes", "meeting": meeting.id,
         "value": "Follow up in March", "version": meeting.meeting_notes_version},
    ]


def test_a_batch_is_applied_in_order_with_one_answer_per_change(client, login, people, meeting):
    item = item_of(meeting)
    login(people["bob"])
    response = send(client, *backlog(meeting, item))
    assert response.status_code == 200
    answers = response.get_json()["answers"]
    assert [(a["key"], a["status"]) for a in answers] == [
        ("start-0001", 200), ("interest-0001", 200), ("note-0001", 200), ("notes-0001", 200)]
    assert all(a["answer"]["key"] == a["key"] for a in answers)
    assert answers[2]["answer"]["text"] == "Wants the dub"
    db.session.expire_all()
    assert item_of(meeting).interest == 1 and item_of(meeting).note == "Wants the dub"
    assert db.session.get(Meeting, meeting.id).meeting_notes == "Follow up in March"
    assert db.session.get(Meeting, meeting.id).started_at is not None


def test_a_batch_sent_again_is_answered_the_same_and_applied_once(client, login, people, meeting):
    item = item_of(meeting)
    login(people["bob"])
    changes = backlog(meeting, item)
    first = send(client, *changes).get_json()["answers"]
    # The answer was lost mid-way: the device sends the batch again, or only its second half.
    assert send(client, *changes).get_json()["answers"] == first
    assert send(client, *changes[2:]).get_json()["answers"] == first[2:]
    assert interest_marks() == 2  # Dora and Hans, once each
    assert db.session.scalar(select(func.count()).select_from(AppliedChange)) == 4
    db.session.expire_all()
    assert item_of(meeting).note_version == first[2]["answer"]["version"]


def test_a_reused_key_refuses_that_change_only(client, login, people, meeting):
    item = item_of(meeting)
    login(people["bob"])
    send(client, {"key": "note-0001", "kind": "note", "meeting": meeting.id, "item_id": item.id,
                  "value": "Wants the dub", "version": item.note_version})
    answers = send(
        client,
        {"key": "note-0001", "kind": "note", "meeting": meeting.id, "item_id": item.id,
         "value": "Something else", "version": item.note_version},
        {"key": "interest-0001", "kind": "interest", "meeting": meeting.id, "item_id": item.id,
         "value": "down"},
    ).get_json()["answers"]
    assert (answers[0]["status"], answers[0]["answer"]["reason"]) == (422, "key_reused")
    assert answers[1]["status"] == 200
    db.session.expire_all()
    assert item_of(meeting).note == "Wants the dub" and item_of(meeting).interest == -1


def test_a_failing_change_loses_none_of_the_others(client, login, people, meeting):
    item = item_of(meeting)
    other = make_meeting(people, datetime.now(UTC) + timedelta(hours=3), title="Carol's")
    other.host = people["carol"]
    db.session.commit()
    login(people["bob"])
    answers = send(
        client,
        {"key": "gone-0001", "kind": "interest", "meeting": meeting.id, "item_id": 999999,
         "value": "up"},
        {"key": "conflict-01", "kind": "note", "meeting": meeting.id, "item_id": item.id,
         "value": "Mine", "version": item.note_version + 5},
        {"key": "not-mine-01", "kind": "start", "meeting": other.id},
        {"key": "bad-value-1", "kind": "note", "meeting": meeting.id, "value": ["not text"]},
        {"kind": "start", "meeting": meeting.id},
        {"key": "screener-01", "kind": "screener", "meeting": meeting.id, "item_id": item.id,
         "value": "on"},
    ).get_json()["answers"]
    assert [a["status"] for a in answers] == [422, 409, 404, 400, 400, 200]
    assert answers[1]["answer"]["text"] == "Before the meeting."
    db.session.expire_all()
    assert item_of(meeting).include_screener is True
    assert item_of(meeting).note == "Before the meeting."
    assert db.session.get(Meeting, other.id).started_at is None


@pytest.mark.parametrize("body", [None, {}, {"changes": "start"}, {"changes": []},
                                  {"changes": [{"kind": "start"}] * (MAX_CHANGES + 1)}])
def test_a_malformed_batch_is_refused_with_a_reason(client, login, people, meeting, body):
    login(people["bob"])
    response = client.post("/ipad/changes", json=body)
    assert response.status_code == 400
    assert "1 to 50 changes" in response.get_json()["error"]


def test_someone_elses_batch_changes_nothing(client, login, people, meeting):
    login(people["tess"])  # she set the meeting up, but does not host it
    answers = send(client, *backlog(meeting, item_of(meeting))).get_json()["answers"]
    assert {a["status"] for a in answers} == {404}
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).started_at is None


def test_an_order_dragged_on_the_ipad_is_saved_once_and_replayed_the_same(
        client, login, people, meeting):
    first = item_of(meeting)
    programme_list = meeting.programme_list
    second = add_item(programme_list, programme("Harbour Lights"))
    db.session.commit()
    login(people["bob"])
    order = {"key": "order-0001", "kind": "reorder", "meeting": meeting.id,
             "value": f"{second.id},{first.id}"}
    answers = send(client, order, order).get_json()["answers"]
    assert [a["status"] for a in answers] == [200, 200]
    assert answers[0]["answer"]["order"] == answers[1]["answer"]["order"] == \
        f"{second.id},{first.id}"
    db.session.expire_all()
    assert [i.id for i in db.session.get(Meeting, meeting.id).programme_list.items] == [
        second.id, first.id]
    refused = send(client, {**order, "key": "order-0002", "value": "x"}).get_json()["answers"]
    assert refused[0]["status"] == 422
