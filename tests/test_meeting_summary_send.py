"""The summary is meant for after the meeting: sending it before the start is confirmed, and
the meeting's pages say who sent it, when and to how many buyers."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories as f
from tests.catalogue_factories import programme
from webapp.extensions import db
from webapp.models import (
    ListItem,
    ListKind,
    Meeting,
    MeetingStatus,
    MeetingSummarySend,
    OutboxMessage,
    ProgrammeList,
)

pytestmark = pytest.mark.usefixtures("ctx")


def text(response):
    return response.get_data(as_text=True)


def summaries_queued() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "meeting_summary"))


@pytest.fixture
def people():
    dach = f.territory("DACH")
    bob = f.account_manager(first_name="Bob", last_name="Keller", territories=[dach])
    return {"bob": bob,
            "tess": f.sales_coordinator(first_name="Tess", last_name="Becker",
                                        territories=[dach]),
            "dora": f.buyer(first_name="Dora", territories=[dach]),
            "hans": f.buyer(first_name="Hans", territories=[dach])}


def make_meeting(people, starts_at) -> Meeting:
    meeting = Meeting(title="Alpenblick × Bob", host=people["bob"], created_by=people["tess"],
                      status=MeetingStatus.SCHEDULED, timezone="Europe/Berlin",
                      starts_at=starts_at, attendees=[people["dora"], people["hans"]])
    meeting.programme_list = ProgrammeList(name=meeting.title, kind=ListKind.MEETING,
                                           owner=people["bob"])
    meeting.programme_list.items.append(ListItem(programme=programme("Wild Atlantic"),
                                                 position=1, note="Loved it."))
    db.session.add(meeting)
    db.session.commit()
    return meeting


@pytest.fixture
def upcoming(people):
    return make_meeting(people, datetime.now(UTC) + timedelta(hours=2))


@pytest.fixture
def held(people):
    return make_meeting(people, datetime.now(UTC) - timedelta(hours=2))


def test_sending_before_the_start_without_confirming_sends_nothing(
        client, login, people, upcoming):
    login(people["tess"])
    response = client.post(f"/meetings/{upcoming.id}/summary")
    assert response.status_code == 409
    assert "confirm to send the summary before it" in text(response)
    assert summaries_queued() == 0
    assert db.session.scalar(select(MeetingSummarySend)) is None


def test_the_meeting_page_asks_to_confirm_a_send_before_the_start(
        client, login, people, upcoming):
    login(people["tess"])
    page = text(client.get(f"/meetings/{upcoming.id}"))
    assert 'name="before_start"' in page and "The meeting has not started yet" in page


def test_sending_before_the_start_once_confirmed_sends(client, login, people, upcoming):
    login(people["tess"])
    response = client.post(f"/meetings/{upcoming.id}/summary", data={"before_start": "y"})
    assert response.status_code == 303
    assert summaries_queued() == 2


def test_after_the_start_the_summary_sends_without_the_early_confirmation(
        client, login, people, held):
    login(people["bob"])
    page = text(client.get(f"/meetings/{held.id}"))
    assert 'name="before_start"' not in page
    assert client.post(f"/meetings/{held.id}/summary").status_code == 303
    assert summaries_queued() == 2


def test_after_sending_the_meeting_page_says_who_sent_it_when_and_to_how_many(
        client, login, people, held):
    login(people["tess"])
    client.post(f"/meetings/{held.id}/summary")
    send = db.session.scalar(select(MeetingSummarySend))
    at = send.sent_at.replace(tzinfo=UTC).astimezone(held.local_start.tzinfo)
    page = text(client.get(f"/meetings/{held.id}"))
    note = re.search(r'id="summary-sent"><strong>([^<]*)<', page).group(1)
    assert note.startswith("Sent to 2 buyers")
    assert f"at {at:%H:%M} {at:%Z} by Tess Becker" in note
    # The button now re-sends, and asks first.
    assert "Re-send summary to 2 buyers" in page and "data-confirm=" in page
    assert 'name="resend" value="1"' in page


def test_a_resend_without_confirming_sends_nothing_more(client, login, people, held):
    login(people["bob"])
    client.post(f"/meetings/{held.id}/summary")
    again = client.post(f"/meetings/{held.id}/summary")
    assert again.status_code == 409 and "confirm to send it again" in text(again)
    assert summaries_queued() == 2
    confirmed = client.post(f"/meetings/{held.id}/summary", data={"resend": "1"})
    assert confirmed.status_code == 303 and summaries_queued() == 4


def ipad_send(client, meeting, key, **fields):
    return client.post(f"/ipad/meetings/{meeting.id}/changes",
                       data={"key": key, "kind": "send_summary", **fields})


def test_ipad_send_before_the_start_needs_the_confirmation(client, login, people, upcoming):
    login(people["bob"])
    refused = ipad_send(client, upcoming, "send-early-1")
    assert refused.status_code == 422 and "confirm to send" in refused.get_json()["error"]
    assert summaries_queued() == 0
    sent = ipad_send(client, upcoming, "send-early-2", value="before_start")
    assert sent.status_code == 200 and summaries_queued() == 2


def test_ipad_view_shows_the_latest_send_and_offers_a_re_send(client, login, people, held):
    login(people["bob"])
    page = text(client.get(f"/ipad/meetings/{held.id}"))
    assert 'id="summary-sent" hidden' in page and "Send summary" in page
    answer = ipad_send(client, held, "send-after-1").get_json()
    # The day is named when the send's day is not the meeting's (just after midnight, say).
    assert re.match(r"Sent to 2 buyers (on .+ )?at \d\d:\d\d ", answer["note"])
    assert answer["note"].endswith("by Bob Keller")
    page = text(client.get(f"/ipad/meetings/{held.id}"))
    assert answer["note"] in page and "Re-send" in page
    assert "It went out 1 time before." in page
