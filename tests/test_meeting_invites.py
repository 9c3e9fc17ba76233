"""Calendar invitations (RFC 5545/5546): the host as ORGANIZER, attendees asked to answer,
times in the meeting's zone with its VTIMEZONE, a stable UID, SEQUENCE raised by changes,
METHOD:CANCEL on cancelling and to a removed buyer; the buyer's own meeting page."""

from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests import factories as f
from tests.smtp import mail_settings
from webapp.extensions import db
from webapp.mail import service as mail
from webapp.models import Meeting, MeetingSummarySend, OutboxMessage

pytestmark = pytest.mark.usefixtures("ctx")
NEXT_WEEK = date.today() + timedelta(days=7)


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


def calendars(to):
    """The parsed calendars queued for `to`, oldest first."""
    return [Calendar.from_ical(m.calendar) for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.calendar.is_not(None),
                                    OutboxMessage.recipients == to).order_by(OutboxMessage.id))]


def attendees_of(calendar) -> dict[str, dict]:
    """Each ATTENDEE's address (without mailto:) and its parameters."""
    event = calendar.walk("VEVENT")[0]
    found = event.get("ATTENDEE", [])
    found = found if isinstance(found, list) else [found]
    return {str(a).removeprefix("mailto:"): dict(a.params) for a in found}


def test_scheduling_invites_the_buyers_the_host_and_the_coordinator_who_set_it_up(
        client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora", "hans"]))
    meeting = db.session.scalar(select(Meeting))
    sent = invites()
    assert sorted((to, method, seq) for to, method, _uid, seq, _start in sent) == sorted(
        (people[p].email, "REQUEST", 0) for p in ("bob", "tess", "dora", "hans"))
    assert {uid for _to, _m, uid, _s, _start in sent} == {meeting.uid}


def test_the_invitation_names_the_host_as_organiser_and_asks_attendees_to_answer(
        client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora", "hans"]))
    [calendar] = calendars(people["dora"].email)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    organizer = event["ORGANIZER"]
    assert str(organizer) == f"mailto:{people['bob'].email}"
    assert organizer.params["CN"] == people["bob"].full_name
    attendees = attendees_of(calendar)
    assert set(attendees) == {people[p].email for p in ("bob", "tess", "dora", "hans")}
    for buyer in ("dora", "hans"):
        params = attendees[people[buyer].email]
        assert (params["RSVP"], params["PARTSTAT"], params["ROLE"]) == (
            "TRUE", "NEEDS-ACTION", "REQ-PARTICIPANT")
        assert params["CN"] == people[buyer].full_name
    assert attendees[people["bob"].email]["ROLE"] == "CHAIR"
    assert attendees[people["tess"].email]["RSVP"] == "TRUE"


def test_the_invitation_keeps_the_meetings_time_zone_with_its_vtimezone(
        client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora"]))
    [calendar] = calendars(people["dora"].email)
    event = calendar.walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event["DTEND"].params["TZID"] == "Europe/Berlin"
    start = event.decoded("DTSTART")
    assert (start.date(), start.strftime("%H:%M")) == (NEXT_WEEK, "10:00")
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert calendar.get_missing_tzids() == set()


def test_the_invitations_link_opens_the_buyers_own_meeting_page(client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora"]))
    meeting = db.session.scalar(select(Meeting))
    [calendar] = calendars(people["dora"].email)
    link = str(calendar.walk("VEVENT")[0]["URL"])
    path = "/" + link.split("/", 3)[3]
    login(people["dora"])
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert response.request.path == f"/my-meetings/{meeting.id}"
    assert "Alpenblick" in page
    assert "MIPCOM 2026, stand R7.C12" in page and people["bob"].full_name in page
    assert "Internal only" not in page


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
    assert [s for _to, _m, _u, s, _d in invites(people["bob"].email)] == [0, 1]
    client.post(f"/meetings/{meeting.id}/edit", data=form(people, ["dora"], start="12:00",
                                                           action="save"))
    assert [s for _to, _m, _u, s, _d in invites(people["dora"].email)] == [0, 1, 2]


def test_notes_alone_send_no_new_invite(client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora"]))
    meeting = db.session.scalar(select(Meeting))
    client.post(f"/meetings/{meeting.id}/edit", data=form(
        people, ["dora"], pre_meeting_notes="Internal only", action="save"))
    assert len(invites(people["dora"].email)) == 1


def test_an_added_buyer_is_invited_and_a_removed_one_gets_the_cancellation(
        client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora"]))
    meeting = db.session.scalar(select(Meeting))
    client.post(f"/meetings/{meeting.id}/edit", data=form(people, ["hans"], action="save"))
    assert [(m, s) for _to, m, _u, s, _d in invites(people["hans"].email)] == [("REQUEST", 0)]
    assert [m for _to, m, _u, _s, _d in invites(people["dora"].email)] == [
        "REQUEST", "CANCEL"]


def test_the_cancel_sent_to_a_removed_buyer_names_that_buyer_as_attendee(
        client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora", "hans"]))
    meeting = db.session.scalar(select(Meeting))
    client.post(f"/meetings/{meeting.id}/edit", data=form(people, ["hans"], action="save"))
    cancel = calendars(people["dora"].email)[-1]
    assert str(cancel["METHOD"]) == "CANCEL"
    assert str(cancel.walk("VEVENT")[0]["UID"]) == meeting.uid
    assert list(attendees_of(cancel)) == [people["dora"].email]
    # The meeting goes on for the others.
    assert str(cancel.walk("VEVENT")[0]["STATUS"]) == "CONFIRMED"


def test_cancelling_sends_method_cancel_with_a_higher_sequence(client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora"]))
    meeting = db.session.scalar(select(Meeting))
    client.post(f"/meetings/{meeting.id}/cancel")
    [invite, cancel] = invites(people["dora"].email)
    assert (cancel[1], cancel[2], cancel[3]) == ("CANCEL", invite[2], 1)
    assert [m for _to, m, _u, _s, _d in invites(people["bob"].email)] == ["REQUEST", "CANCEL"]
    [_request, cancelled] = calendars(people["dora"].email)
    assert str(cancelled.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    assert people["dora"].email in attendees_of(cancelled)
    download = client.get(f"/meetings/{meeting.id}/invite.ics")
    assert "METHOD:CANCEL" in download.get_data(as_text=True)


def test_the_meeting_page_shows_each_persons_invitation_state(client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora", "hans"]))
    meeting = db.session.scalar(select(Meeting))
    client.post(f"/meetings/{meeting.id}/edit", data=form(people, ["hans"], start="11:00",
                                                           action="save"))
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    section = page.split('id="invitations"')[1].split("</section>")[0]

    def state(name):
        row = next(r for r in section.split("<tr>") if people[name].full_name in r)
        return row.split('class="badge badge-invitation-')[1].split('"')[0]

    assert (state("dora"), state("hans"), state("bob"), state("tess")) == (
        "cancelled", "updated", "updated", "updated")
    assert "answers go to their email" in section


def test_the_invite_email_carries_the_calendar_for_mail_programs(client, login, people, smtp):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora"]))
    mail.send_due()
    received = next(m for m in smtp.messages if people["dora"].email in m["To"])
    types = [part.get_content_type() for part in received.walk()]
    assert "text/calendar" in types
    assert received["Subject"] == "Invitation: Alpenblick × Bob"
    calendar_part = next(p for p in received.walk() if p.get_content_type() == "text/calendar")
    assert "BEGIN:VCALENDAR" in calendar_part.get_content()
    assert calendar_part.get_param("method") == "REQUEST"


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


def test_a_buyer_sees_their_own_meeting_and_not_anothers(client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora"]))
    client.post("/meetings/new", data=form(people, ["hans"], title="Hans only", start="15:00"))
    doras, hans = db.session.scalars(select(Meeting).order_by(Meeting.id)).all()
    login(people["dora"])
    assert client.get(f"/my-meetings/{doras.id}").status_code == 200
    assert client.get(f"/my-meetings/{hans.id}").status_code == 404
    # The staff page of the meeting sends the buyer to their own; another's is not found.
    response = client.get(f"/meetings/{doras.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/my-meetings/{doras.id}")
    assert client.get(f"/meetings/{hans.id}", follow_redirects=True).status_code == 404
    # Staff are not attendees: their page is the meeting's own.
    login(people["bob"])
    assert client.get(f"/my-meetings/{doras.id}").status_code == 404


def test_a_removed_buyer_no_longer_sees_the_meeting(client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora", "hans"]))
    meeting = db.session.scalar(select(Meeting))
    client.post(f"/meetings/{meeting.id}/edit", data=form(people, ["hans"], action="save"))
    login(people["dora"])
    assert client.get(f"/my-meetings/{meeting.id}").status_code == 404


def test_the_buyers_page_shows_the_summary_once_sent(client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people, ["dora"]))
    meeting = db.session.scalar(select(Meeting))
    meeting.meeting_notes = "Season two in spring."
    db.session.commit()
    login(people["dora"])
    before = client.get(f"/my-meetings/{meeting.id}").get_data(as_text=True)
    assert "Season two in spring." not in before and "will send you a summary" in before
    db.session.add(MeetingSummarySend(meeting=meeting, sent_by=people["bob"],
                                      recipients=people["dora"].email))
    db.session.commit()
    after = client.get(f"/my-meetings/{meeting.id}").get_data(as_text=True)
    assert "Season two in spring." in after
