"""Acting on an Account Manager's behalf, in the open: a meeting, a summary and a list share
made by an SC record both people, show "Sam Patel for Alice Morgan", and the emails to
buyers carry the AM's name and reply to them."""

import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests import catalogue_factories as c
from tests import factories as f
from webapp.extensions import db
from webapp.models import (
    ListItem,
    ListKind,
    ListShare,
    Meeting,
    MeetingSummarySend,
    OutboxMessage,
    ProgrammeList,
)

pytestmark = pytest.mark.usefixtures("ctx")
NEXT_WEEK = date.today() + timedelta(days=7)


@pytest.fixture
def people():
    uk = f.territory("UK & Ireland")
    alice = f.account_manager(first_name="Alice", last_name="Morgan", territories=[uk],
                              email="alice@meridian.example")
    return {"alice": alice,
            "sam": f.sales_coordinator(alice, first_name="Sam", last_name="Patel"),
            "ben": f.buyer(first_name="Ben", territories=[uk])}


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger="webapp.security")
    return lambda event: [r for r in caplog.records if r.name == "webapp.security"
                          and getattr(r, "security_event", None) == event]


def schedule(client, people):
    client.post("/meetings/new", data={
        "host": people["alice"].id, "title": "Northlight × Alice", "day": NEXT_WEEK.isoformat(),
        "start": "10:00", "timezone": "Europe/London", "duration": "30",
        "attendees": [people["ben"].id], "action": "schedule"})
    return db.session.scalar(select(Meeting))


def to(address) -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipients == address)
                              .order_by(OutboxMessage.id)).all()


def test_a_meeting_an_sc_sets_up_shows_both_and_its_invitations_speak_for_the_host(
        client, login, people, security_log):
    login(people["sam"])
    meeting = schedule(client, people)
    assert (meeting.created_by, meeting.host) == (people["sam"], people["alice"])
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Sam Patel for Alice Morgan" in page
    [invitation] = to(people["ben"].email)
    assert invitation.sent_by_text == "Sam Patel for Alice Morgan"
    assert invitation.sender == "Alice Morgan via Sales CMS <no-reply@localhost>"
    assert invitation.reply_to == "alice@meridian.example"
    [record] = security_log("meeting.created")
    assert (record.user_id, record.acting_for, record.meeting) == (
        people["sam"].id, people["alice"].id, meeting.id)


def test_a_meeting_an_am_sets_up_for_themselves_names_them_alone(client, login, people):
    login(people["alice"])
    meeting = schedule(client, people)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Set up by" not in page
    [invitation] = to(people["ben"].email)
    assert invitation.sent_by_text == "Alice Morgan"
    assert invitation.reply_to == "alice@meridian.example"


def test_a_summary_an_sc_sends_records_both_and_replies_go_to_the_host(
        client, login, people, security_log):
    login(people["sam"])
    meeting = schedule(client, people)
    client.post(f"/meetings/{meeting.id}/summary", data={"before_start": "y"})
    send = db.session.scalar(select(MeetingSummarySend))
    assert (send.sent_by, send.acting_for) == (people["sam"], people["alice"])
    summary = to(people["ben"].email)[-1]
    assert summary.kind == "meeting_summary"
    assert (summary.sent_by_text, summary.reply_to) == (
        "Sam Patel for Alice Morgan", "alice@meridian.example")
    assert security_log("summary.sent")[0].acting_for == people["alice"].id


def test_a_list_an_sc_shares_is_sent_for_the_buyers_account_manager(
        client, login, people, security_log):
    programme_list = ProgrammeList(name="Sam's picks", kind=ListKind.MY, owner=people["sam"])
    programme_list.items.append(ListItem(programme=c.programme(), position=1))
    db.session.add(programme_list)
    db.session.commit()
    login(people["sam"])
    response = client.post(f"/lists/{programme_list.id}/share",
                           data={"buyers": people["ben"].id, "days": 14})
    assert response.status_code == 303
    share = db.session.scalar(select(ListShare))
    assert (share.shared_by, share.acting_for) == (people["sam"], people["alice"])
    page = client.get(f"/lists/{programme_list.id}").get_data(as_text=True)
    assert "by Sam Patel for Alice Morgan" in page
    assert security_log("list.shared")[0].acting_for == people["alice"].id
