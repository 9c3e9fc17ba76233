"""Calendar invites: a stable UID, SEQUENCE raised by changes, METHOD:CANCEL on cancelling."""

from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests import factories as f
from tests.smtp import SmtpServer, mail_settings
from webapp.extensions import db
from webapp.mail import service as mail
from webapp.models import Meeting, OutboxMessage

pytestmark = pytest.mark.usefixtures("ctx")
NEXT_WEEK = date.today() + timedelta(days=7)


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_config(smtp):
    return mail_settings(smtp)


@pytest.fixture
def people():
    dach = f.territory("DACH")
    bob = f.account_manager(first_name="Bob", territories=[dach])
    return {"bob": bob, "dora": f.buyer(first_name="Dora", territories=[dach]),
            "hans": f.buyer(first_name="Hans", territories=[dach]),
            "ben": f.buyer(first_name="Ben"),
            "tess": f.sales_coordinator(first_name="Tess", territories=[dach])}


def form(people, attendees, **fields):
    return {"host": people["bob"].id, "title": "Alpenblick × Bob",
            "day": NEXT_WEEK.isoformat(), "start": "10:00", "timezone": "Europe/Berlin",
            "duration": "30", "market": "MIPCOM 2026", "stand": "R7.C12",
            "attendees": [people[a].id for a in attendees], "action": "schedule", **fields}


def invites(to=None):
    """(recipient, METHOD, UID, SEQUENCE, DTSTART) of each queued calendar email."""
    found = []
    for message in db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.calendar.is_not(None)).order_by(OutboxMessage.id)):
        calendar = Calendar.from_ical(message.calendar)
        event = calendar.walk("VEVENT")[0]
        found.append((message.recipients, str(calendar["METHOD"]), str(event["UID"]),
                      int(event["SEQUENCE"]), event.decoded("DTSTART")))
    return [i for i in found if to is None or i[0] == to]


def test_scheduling_invites_each_attendee_with_the_meeting_in_utc(client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora", "hans"]))
    meeting = db.session.scalar(select(Meeting))
    sent = invites()
    assert [(to, method, seq) for to, method, _uid, seq, _start in sent] == [
        (people["dora"].email, "REQUEST", 0), (people["hans"].email, "REQUEST", 0)]
    assert {uid for _to, _m, uid, _s, _start in sent} == {meeting.uid}
    assert sent[0][4].utcoffset() == timedelta(0)
    assert sent[0][4].astimezone(meeting.local_start.tzinfo).strftime("%H:%M") == "10:00"


def test_a_draft_sends_nothing(client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora"], action="draft"))
    assert invites() == []


def test_a_changed_time_keeps_the_uid_and_raises_the_sequence(client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora"]))
    meeting = db.session.scalar(select(Meeting))
    client.post(f"/meetings/{meeting.id}/edit", data=form(people, ["dora"], start="11:00",
                                                           action="save"))
    [first, second] = invites(people["dora"].email)
    assert first[2] == second[2] == meeting.uid
    assert (first[3], second[3]) == (0, 1)
    assert second[4] - first[4] == timedelta(hours=1)


def test_notes_alone_send_no_new_invite(client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora"]))
    meeting = db.session.scalar(select(Meeting))
    client.post(f"/meetings/{meeting.id}/edit", data=form(
        people, ["dora"], pre_meeting_notes="Internal only", action="save"))
    assert len(invites()) == 1


def test_an_added_buyer_is_invited_and_a_removed_one_gets_the_cancellation(
        client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora"]))
    meeting = db.session.scalar(select(Meeting))
    client.post(f"/meetings/{meeting.id}/edit", data=form(people, ["hans"], action="save"))
    assert [(m, s) for _to, m, _u, s, _d in invites(people["hans"].email)] == [("REQUEST", 0)]
    assert [m for _to, m, _u, _s, _d in invites(people["dora"].email)] == [
        "REQUEST", "CANCEL"]


def test_cancelling_sends_method_cancel_with_a_higher_sequence(client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora"]))
    meeting = db.session.scalar(select(Meeting))
    client.post(f"/meetings/{meeting.id}/cancel")
    [invite, cancel] = invites(people["dora"].email)
    assert (cancel[1], cancel[2], cancel[3]) == ("CANCEL", invite[2], 1)
    download = client.get(f"/meetings/{meeting.id}/invite.ics")
    assert "METHOD:CANCEL" in download.get_data(as_text=True)


def test_the_invite_email_carries_the_calendar_for_mail_programs(client, login, people, smtp):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora"]))
    mail.send_due()
    [received] = smtp.messages
    types = [part.get_content_type() for part in received.walk()]
    assert "text/calendar" in types
    assert received["Subject"] == "Invitation: Alpenblick × Bob"
    calendar_part = next(p for p in received.walk() if p.get_content_type() == "text/calendar")
    assert "BEGIN:VCALENDAR" in calendar_part.get_content()


@pytest.mark.parametrize("viewer, status", [("dora", 200), ("bob", 200), ("tess", 200),
                                            ("ben", 404)])
def test_the_ics_download_is_for_the_attendees_and_those_who_see_the_meeting(
        client, login, people, viewer, status):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora"]))
    meeting = db.session.scalar(select(Meeting))
    login(people[viewer])
    response = client.get(f"/meetings/{meeting.id}/invite.ics")
    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "text/calendar"
        body = response.get_data(as_text=True)
        assert f"UID:{meeting.uid}" in body and "METHOD:REQUEST" in body
