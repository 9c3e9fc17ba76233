"""Meetings on the website: the form and its rules, the index, the meeting page, invites."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

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
from webapp.permissions import Permission
from webapp.times import as_utc

pytestmark = pytest.mark.usefixtures("ctx")
HTMX = {"HX-Request": "true"}
NEXT_WEEK = date.today() + timedelta(days=7)


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def people():
    """Tess coordinates for Bob (by territory); Sam for Alice (directly). Dora is Bob's buyer
    by territory and Carol's directly; Ben is Alice's; Nina is nobody's."""
    dach, uk = f.territory("DACH"), f.territory("UK & Ireland")
    alice = f.account_manager(first_name="Alice", territories=[uk])
    bob = f.account_manager(first_name="Bob", territories=[dach])
    carol = f.account_manager(first_name="Carol")
    alpen = f.company("Alpenblick Fernsehen", territories=[dach])
    return {
        "alice": alice, "bob": bob, "carol": carol,
        "sam": f.sales_coordinator(alice, first_name="Sam"),
        "tess": f.sales_coordinator(first_name="Tess", territories=[dach]),
        "dora": f.buyer(first_name="Dora", company=alpen, account_manager=carol),
        "hans": f.buyer(first_name="Hans", company=alpen),
        "ben": f.buyer(first_name="Ben", territories=[uk]),
        "nina": f.buyer(first_name="Nina"),
        "admin": f.admin(),
    }


def form(host, attendees=(), **fields):
    data = {"host": host.id, "title": "Alpenblick × Bob", "day": NEXT_WEEK.isoformat(),
            "start": "14:30", "timezone": "Europe/Paris", "duration": "45",
            "market": "MIPCOM 2026", "stand": "R7.C12", "room": "3",
            "pre_meeting_notes": "Ask about their Sunday slot.", "action": "draft",
            "attendees": [b.id for b in attendees]}
    data.update(fields)
    return data


def meeting_titled(title):
    return db.session.scalar(select(Meeting).where(Meeting.title == title))


def test_coordinator_sets_up_a_meeting_for_an_account_manager_of_theirs(client, login, people):
    login(people["tess"])
    response = client.post("/meetings/new", data=form(people["bob"],
                                                      [people["dora"], people["hans"]]))
    assert response.status_code == 303
    meeting = meeting_titled("Alpenblick × Bob")
    assert meeting.host == people["bob"] and meeting.created_by == people["tess"]
    assert {b.first_name for b in meeting.attendees} == {"Dora", "Hans"}
    assert meeting.status == MeetingStatus.DRAFT
    # 14:30 in Paris is stored in UTC and shown in Paris time.
    assert meeting.local_start.strftime("%H:%M") == "14:30"
    expected = datetime(NEXT_WEEK.year, NEXT_WEEK.month, NEXT_WEEK.day, 14, 30).replace(
        tzinfo=meeting.local_start.tzinfo).astimezone(UTC)
    assert meeting.ends_at - timedelta(minutes=45) == expected
    assert meeting.programme_list.kind == ListKind.MEETING
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert "Ask about their Sunday slot." in page and "14:30" in page


def test_coordinator_cannot_host_for_an_account_manager_not_theirs(client, login, people):
    login(people["sam"])
    response = client.post("/meetings/new", data=form(people["bob"]))
    assert response.status_code == 422
    assert "You cannot set up meetings for this host." in text(response)
    # The form comes back without opening Bob's buyers to Sam.
    assert "Hans Tester" not in text(response) and "Dora Tester" not in text(response)
    assert db.session.scalar(select(Meeting)) is None


def test_coordinator_may_host_themselves(client, login, people):
    login(people["sam"])
    response = client.post("/meetings/new", data=form(people["sam"], title="Sam's catch-up"))
    assert response.status_code == 303
    assert meeting_titled("Sam's catch-up").host == people["sam"]


def test_account_manager_hosts_only_their_own_meetings(client, login, people):
    login(people["bob"])
    assert client.post("/meetings/new", data=form(people["alice"])).status_code == 422
    assert client.post("/meetings/new", data=form(people["bob"])).status_code == 303


def test_managing_meetings_for_others_allows_any_account_manager(client, login, people):
    events = f.custom_role(name="Events", permissions=[Permission.MANAGE_MEETINGS_FOR_OTHERS])
    people["sam"].roles.append(events)
    db.session.commit()
    login(people["sam"])
    assert client.post("/meetings/new", data=form(people["bob"], [people["dora"]])
                       ).status_code == 303


def test_buyers_who_are_not_the_hosts_are_refused_by_name(client, login, people):
    events = f.custom_role(name="Events", permissions=[Permission.MANAGE_MEETINGS_FOR_OTHERS])
    people["sam"].roles.append(events)
    db.session.commit()
    login(people["sam"])
    response = client.post("/meetings/new", data=form(people["alice"],
                                                      [people["ben"], people["dora"]]))
    assert response.status_code == 422
    assert "Not among Alice Tester&#39;s buyers: Dora Tester." in text(response)
    # What was typed stays on the form.
    assert 'value="Alpenblick × Bob"' in text(response)


def test_buyers_beyond_the_users_reach_cannot_be_posted(client, login, people):
    login(people["tess"])
    response = client.post("/meetings/new", data=form(people["bob"],
                                                      [people["dora"], people["nina"]]))
    assert response.status_code == 422
    assert "Some of the chosen buyers cannot be added" in text(response)
    assert "Nina" not in text(response)
    assert db.session.scalar(select(Meeting)) is None


def test_buyer_picker_lists_the_hosts_buyers_once_with_company(client, login, people):
    login(people["tess"])
    response = client.get("/meetings/buyers", query_string={"host": people["bob"].id},
                          headers=HTMX)
    page = text(response)
    assert page.count("Dora Tester") == 1 and "Alpenblick Fernsehen" in page
    assert "Hans Tester" in page and "Ben Tester" not in page
    searched = text(client.get("/meetings/buyers", query_string={
        "host": people["bob"].id, "buyer_q": "hans"}, headers=HTMX))
    assert "Hans Tester" in searched and "Dora Tester" not in searched


def test_buyer_picker_adds_and_removes_without_losing_the_others(client, login, people):
    login(people["tess"])
    bob, dora, hans = people["bob"], people["dora"], people["hans"]
    added = text(client.get("/meetings/buyers", query_string={
        "host": bob.id, "attendees": [dora.id], "add": hans.id}, headers=HTMX))
    assert f'name="attendees" value="{dora.id}"' in added
    assert f'name="attendees" value="{hans.id}"' in added
    removed = text(client.get("/meetings/buyers", query_string={
        "host": bob.id, "attendees": [dora.id, hans.id], "remove": dora.id}, headers=HTMX))
    assert f'name="attendees" value="{dora.id}"' not in removed
    assert f'name="attendees" value="{hans.id}"' in removed


def test_changing_the_host_flags_buyers_who_do_not_belong_instead_of_dropping_them(
        client, login, people):
    events = f.custom_role(name="Events", permissions=[Permission.MANAGE_MEETINGS_FOR_OTHERS])
    people["sam"].roles.append(events)
    db.session.commit()
    login(people["sam"])
    page = text(client.get("/meetings/buyers", query_string={
        "host": people["alice"].id, "attendees": [people["dora"].id]}, headers=HTMX))
    assert f'name="attendees" value="{people["dora"].id}"' in page
    assert "Not one of Alice Tester's buyers" in page


def test_buyer_picker_never_shows_buyers_outside_the_users_reach(client, login, people):
    login(people["sam"])
    page = text(client.get("/meetings/buyers", query_string={
        "host": people["alice"].id, "attendees": [people["nina"].id, people["dora"].id]},
        headers=HTMX))
    assert "Nina" not in page and "Dora" not in page


def test_a_clash_with_the_hosts_other_meeting_is_warned_before_saving(client, login, people):
    login(people["tess"])
    assert client.post("/meetings/new", data=form(people["bob"], title="First")
                       ).status_code == 303
    clash = client.post("/meetings/new", data=form(people["bob"], title="Second",
                                                   start="15:00"))
    assert clash.status_code == 409
    assert "The host already has a meeting then: “First” at 14:30" in text(clash)
    assert meeting_titled("Second") is None
    first = meeting_titled("First")
    assert f'name="allow_clash" value="{first.id}"' in text(clash)
    confirmed = client.post("/meetings/new", data=form(people["bob"], title="Second",
                                                       start="15:00", allow_clash=first.id))
    assert confirmed.status_code == 303 and meeting_titled("Second") is not None
    after = client.post("/meetings/new", data=form(people["bob"], title="Third",
                                                   start="15:45"))
    assert after.status_code == 303  # starts when "Second" ends: no clash


def test_accepting_one_clash_does_not_accept_another(client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people["bob"], title="First"))
    client.post("/meetings/new", data=form(people["bob"], title="Later", start="17:00"))
    first = meeting_titled("First")
    # Warned of "First", the editor moves the meeting onto "Later" before saving anyway.
    moved = client.post("/meetings/new", data=form(people["bob"], title="Second",
                                                   start="17:15", allow_clash=first.id))
    assert moved.status_code == 409 and "“Later” at 17:00" in text(moved)
    assert meeting_titled("Second") is None


def test_a_time_the_clocks_skip_is_refused_with_a_clear_message(client, login, people):
    login(people["tess"])
    response = client.post("/meetings/new", data=form(people["bob"], day="2027-03-28",
                                                      start="02:30"))
    assert response.status_code == 422
    assert "02:30 does not exist on 28 March 2027 in Europe/Paris" in text(response)


@pytest.mark.parametrize("field, value, message", [
    ("title", "  ", "Give the meeting a title."),
    ("day", "31/12/2026", "Give the date, e.g. 2026-10-13."),
    ("start", "25:00", "Give the start time, e.g. 14:30."),
    ("duration", "0", "Give the duration in minutes."),
    ("duration", "900", "A meeting lasts between 5 minutes and 12 hours."),
    ("timezone", "Mars/Olympus", "Choose a time zone from the list."),
])
def test_bad_input_gets_a_message_on_the_form(client, login, people, field, value, message):
    login(people["tess"])
    response = client.post("/meetings/new", data=form(people["bob"], **{field: value}))
    assert response.status_code == 422
    assert message in text(response)


def test_the_meeting_list_starts_as_a_copy_of_a_list_the_creator_sees(client, login, people):
    source = ProgrammeList(name="MIPCOM highlights", kind=ListKind.GLOBAL,
                           owner=people["admin"])
    source.items.append(ListItem(programme=programme("The Fjord Murders"), position=1,
                                 note="Strong in Norway."))
    db.session.add(source)
    db.session.commit()
    login(people["tess"])
    client.post("/meetings/new", data=form(people["bob"], source_list=source.id))
    meeting = meeting_titled("Alpenblick × Bob")
    assert [(i.programme.title, i.note) for i in meeting.programme_list.items] == [
        ("The Fjord Murders", "Strong in Norway.")]
    source.items[0].note = "Changed later"
    db.session.commit()
    db.session.expire_all()
    assert meeting_titled("Alpenblick × Bob").programme_list.items[0].note == "Strong in Norway."


def test_a_list_the_creator_cannot_see_is_refused(client, login, people):
    private = ProgrammeList(name="Alice's own", kind=ListKind.MY, owner=people["alice"])
    db.session.add(private)
    db.session.commit()
    login(people["tess"])
    response = client.post("/meetings/new", data=form(people["bob"], source_list=private.id))
    assert response.status_code == 422
    assert meeting_titled("Alpenblick × Bob") is None


@pytest.fixture
def meeting(people):
    """Bob's scheduled meeting with Dora, set up by Tess, with one programme on its list."""
    item = Meeting(title="Alpenblick × Bob", host=people["bob"], created_by=people["tess"],
                   status=MeetingStatus.SCHEDULED, timezone="Europe/Berlin",
                   starts_at=datetime.now(UTC) + timedelta(days=3), attendees=[people["dora"]],
                   pre_meeting_notes="INTERNAL: they overpaid last year.")
    item.programme_list = ProgrammeList(name=item.title, kind=ListKind.MEETING,
                                        owner=people["bob"])
    item.programme_list.items.append(ListItem(
        programme=programme("Wild Atlantic", screener_url="https://screeners.example/wa"),
        position=1, note="Loved the first episode.", interest=1, include_screener=True))
    db.session.add(item)
    db.session.commit()
    return item


@pytest.mark.parametrize("viewer, status", [
    ("bob", 200), ("tess", 200), ("admin", 200), ("sam", 404), ("alice", 404), ("carol", 404)])
def test_a_meeting_is_seen_by_host_creator_their_coordinators_and_admins(
        client, login, people, meeting, viewer, status):
    login(people[viewer])
    assert client.get(f"/meetings/{meeting.id}").status_code == status
    assert client.get(f"/meetings/{meeting.id}/edit").status_code == (
        200 if status == 200 else 404)
    list_url = f"/lists/{meeting.list_id}/items/{meeting.programme_list.items[0].id}/note"
    assert client.get(list_url).status_code == status


def test_index_shows_the_meetings_in_scope_with_tabs_filters_and_search(
        client, login, people, meeting):
    past = Meeting(title="Last year's catch-up", host=people["bob"], created_by=people["bob"],
                   status=MeetingStatus.SCHEDULED, starts_at=datetime.now(UTC) - timedelta(
                       days=30), attendees=[people["hans"]])
    alices = Meeting(title="Northlight × Alice", host=people["alice"],
                     created_by=people["alice"], starts_at=datetime.now(UTC) + timedelta(days=2),
                     attendees=[people["ben"]])
    db.session.add_all([past, alices])
    db.session.commit()
    login(people["tess"])
    upcoming = text(client.get("/meetings"))
    assert "Alpenblick × Bob" in upcoming and "Last year" not in upcoming
    assert "Northlight" not in upcoming
    assert "Last year&#39;s catch-up" in text(client.get("/meetings?tab=past"))
    assert "Alpenblick × Bob" in text(client.get("/meetings?q=dora", headers=HTMX))
    assert "Alpenblick × Bob" in text(client.get("/meetings?q=alpenblick+fern"))
    assert "No upcoming meeting matches" in text(client.get("/meetings?q=nobody"))
    assert "Alpenblick" not in text(client.get(f"/meetings?host={people['tess'].id}"))
    later = (date.today() + timedelta(days=10)).isoformat()
    assert "Alpenblick" not in text(client.get(f"/meetings?from={later}"))
    bad = client.get("/meetings?from=yesterday")
    assert bad.status_code == 400 and "is not a date" in text(bad)
    login(people["sam"])
    assert "Alpenblick" not in text(client.get("/meetings"))
    login(people["admin"])
    page = text(client.get("/meetings"))
    assert "Alpenblick × Bob" in page and "Northlight × Alice" in page


def test_a_buyer_cannot_use_the_meetings_pages(client, login, people, meeting):
    login(people["dora"])
    assert client.get("/meetings").status_code == 403
    assert client.get(f"/meetings/{meeting.id}/edit").status_code == 403
    # The meeting's own page (the invitation's link) sends a buyer on to theirs.
    shown = client.get(f"/meetings/{meeting.id}")
    assert shown.status_code == 302
    assert shown.headers["Location"].endswith(f"/my-meetings/{meeting.id}")


def test_meeting_notes_conflict_keeps_both_texts(client, login, people, meeting):
    login(people["tess"])
    url = f"/meetings/{meeting.id}/notes"
    assert client.post(url, data={"notes": "Bob's text", "version": 1},
                       headers=HTMX).status_code == 200
    conflict = client.post(url, data={"notes": "Tess's text", "version": 1}, headers=HTMX)
    assert conflict.status_code == 409
    page = text(conflict)
    assert "Bob&#39;s text" in page and "Tess&#39;s text" in page
    both = client.post(url, data={"notes": "Bob's text\n\nTess's text", "version": 2},
                       headers=HTMX)
    assert both.status_code == 200
    db.session.refresh(meeting)
    assert meeting.meeting_notes == "Bob's text\n\nTess's text"
    assert meeting.meeting_notes_version == 3


def test_item_notes_on_the_meeting_list_are_one_record_with_conflicts(
        client, login, people, meeting):
    item = meeting.programme_list.items[0]
    login(people["tess"])
    url = f"/lists/{meeting.list_id}/items/{item.id}/note"
    assert client.post(url, data={"note": "From the website", "version": 1},
                       headers=HTMX).status_code == 200
    assert client.post(url, data={"note": "Stale", "version": 1},
                       headers=HTMX).status_code == 409
    assert "From the website" in text(client.get(f"/meetings/{meeting.id}"))


def test_the_meeting_list_cannot_be_renamed_deleted_or_shared_as_a_list(
        client, login, people, meeting):
    login(people["admin"])
    for action in ("rename", "delete", "share"):
        assert client.post(f"/lists/{meeting.list_id}/{action}").status_code == 404
    assert client.get(f"/lists/{meeting.list_id}").status_code == 302


def test_items_of_another_list_can_be_added_to_the_meeting(client, login, people, meeting):
    source = ProgrammeList(name="Tess's prep", kind=ListKind.MY, owner=people["tess"])
    source.items.append(ListItem(programme=programme("Kitchen Kings"), position=1))
    db.session.add(source)
    db.session.commit()
    login(people["tess"])
    response = client.post(f"/meetings/{meeting.id}/list", data={"source_list": source.id})
    assert response.status_code == 303
    db.session.expire_all()
    assert [i.programme.title for i in meeting.programme_list.items] == [
        "Wild Atlantic", "Kitchen Kings"]


def test_summary_preview_shows_what_buyers_get_and_never_the_internal_notes(
        client, login, people, meeting):
    login(people["tess"])
    preview = text(client.get(f"/meetings/{meeting.id}/summary"))
    assert "Wild Atlantic" in preview and "Loved the first episode." in preview
    assert "Interested" in preview and "Watch the screener" in preview
    assert "overpaid" not in preview


def test_summary_is_sent_through_the_outbox_and_a_resend_needs_confirming(
        client, login, people, meeting):
    login(people["tess"])
    url = f"/meetings/{meeting.id}/summary"
    early = {"before_start": "y"}  # the meeting is in three days
    assert client.post(url, data=early).status_code == 303
    emails = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "meeting_summary")).all()
    assert [e.recipients for e in emails] == [people["dora"].email]
    assert "Wild Atlantic" in emails[0].text_body and "overpaid" not in emails[0].html_body
    assert "/r/" in emails[0].text_body  # links signed for Dora, so her clicks count
    again = client.post(url, data=early)
    assert again.status_code == 409 and "confirm to send it again" in text(again)
    meeting.programme_list.items[0].note = "Updated after the meeting"
    db.session.commit()
    assert client.post(url, data={"resend": "1", **early}).status_code == 303
    emails = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "meeting_summary").order_by(OutboxMessage.id)).all()
    assert len(emails) == 2 and "Updated after the meeting" in emails[1].text_body
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert page.count(people["dora"].email) >= 2  # each send listed with its recipients


def test_a_draft_summary_cannot_be_sent(client, login, people, meeting):
    meeting.status = MeetingStatus.DRAFT
    db.session.commit()
    login(people["tess"])
    response = client.post(f"/meetings/{meeting.id}/summary")
    assert response.status_code == 422
    assert "Schedule the meeting before sending its summary." in text(response)


def test_only_a_draft_is_deleted_and_a_scheduled_meeting_is_cancelled(
        client, login, people, meeting):
    login(people["tess"])
    client.post(f"/meetings/{meeting.id}/delete")
    assert db.session.get(Meeting, meeting.id) is not None
    client.post(f"/meetings/{meeting.id}/cancel")
    db.session.refresh(meeting)
    assert meeting.status == MeetingStatus.CANCELLED
    assert client.get(f"/meetings/{meeting.id}/edit").status_code == 403
    draft = Meeting(title="Draft", host=people["bob"], created_by=people["tess"],
                    starts_at=datetime.now(UTC))
    db.session.add(draft)
    db.session.commit()
    draft_id = draft.id
    client.post(f"/meetings/{draft_id}/delete")
    db.session.expire_all()
    assert db.session.get(Meeting, draft_id) is None


def test_a_meeting_already_held_is_not_cancelled(client, login, people, meeting):
    meeting.started_at = datetime.now(UTC)
    db.session.commit()
    login(people["tess"])
    assert "Cancel meeting" not in text(client.get(f"/meetings/{meeting.id}"))
    answer = client.post(f"/meetings/{meeting.id}/cancel", follow_redirects=True)
    assert "already been held" in text(answer)
    db.session.refresh(meeting)
    assert meeting.status == MeetingStatus.SCHEDULED


def test_notes_saved_without_the_version_they_were_read_at_are_refused(
        client, login, people, meeting):
    meeting.meeting_notes = "Written on the iPad."
    db.session.commit()
    login(people["tess"])
    answer = client.post(f"/meetings/{meeting.id}/notes", data={"notes": "Overwritten?"})
    assert answer.status_code == 422
    assert "version is missing" in text(answer)
    db.session.refresh(meeting)
    assert meeting.meeting_notes == "Written on the iPad."


def test_the_edit_form_is_filled_in_with_the_meeting(client, login, people, meeting):
    login(people["tess"])
    page = text(client.get(f"/meetings/{meeting.id}/edit"))
    assert f'<option selected value="{people["bob"].id}">' in page
    assert 'value="Alpenblick × Bob"' in page
    assert f'name="attendees" value="{people["dora"].id}"' in page
    assert "INTERNAL: they overpaid last year." in page
    assert '<option selected value="Europe/Berlin">' in page


def test_the_edit_page_edits_the_meeting_list_in_place(client, login, people, meeting):
    extra = programme("Kitchen Kings")
    login(people["tess"])
    page = text(client.get(f"/meetings/{meeting.id}/edit"))
    assert "Wild Atlantic" in page and "Loved the first episode." in page
    search = f"/lists/{meeting.list_id}/catalogue"
    assert f'hx-get="{search}"' in page
    assert "Kitchen Kings" in text(client.get(f"{search}?q=Kitchen", headers=HTMX))
    client.post(f"/lists/{meeting.list_id}/items", data={"programme_id": extra.id},
                headers=HTMX)
    page = text(client.get(f"/meetings/{meeting.id}/edit"))
    assert page.index("Wild Atlantic") < page.index("Kitchen Kings")


def test_a_new_meeting_says_where_its_list_is_built(client, login, people):
    login(people["tess"])
    page = text(client.get("/meetings/new"))
    assert "Once the meeting is saved, add programmes from the catalogue" in page
    assert 'id="meeting-list"' not in page


def test_a_coordinator_cannot_move_a_meeting_to_an_account_manager_not_theirs(
        client, login, people, meeting):
    login(people["tess"])
    response = client.post(f"/meetings/{meeting.id}/edit", data=form(
        people["alice"], [people["dora"]], action="save"))
    assert response.status_code == 422
    assert "You cannot set up meetings for this host." in text(response)
    assert "Ben Tester" not in text(response)  # Alice's buyer stays hidden
    db.session.refresh(meeting)
    assert meeting.host == people["bob"]


def test_the_buyer_list_shows_each_buyer_once_with_company_and_territory(client, login, people):
    # Fritz is Bob's twice over: directly and through his company's territory.
    fritz = f.buyer(first_name="Fritz", company=people["dora"].company,
                    account_manager=people["bob"], territories=[f.territory("Nordics")])
    login(people["tess"])
    page = text(client.get("/meetings/buyers", query_string={"host": people["bob"].id},
                           headers=HTMX))
    assert page.count(fritz.full_name) == 1
    assert "Alpenblick Fernsehen · Nordics" in page


def test_changing_the_host_lists_the_new_hosts_buyers(client, login, people):
    events = f.custom_role(name="Events", permissions=[Permission.MANAGE_MEETINGS_FOR_OTHERS])
    people["sam"].roles.append(events)
    db.session.commit()
    login(people["sam"])
    bob = text(client.get("/meetings/buyers", query_string={"host": people["bob"].id},
                          headers=HTMX))
    alice = text(client.get("/meetings/buyers", query_string={"host": people["alice"].id},
                            headers=HTMX))
    assert "Hans Tester" in bob and "Ben Tester" not in bob
    assert "Ben Tester" in alice and "Hans Tester" not in alice


def test_the_location_is_saved_shown_and_put_in_the_invite(client, login, people):
    login(people["tess"])
    client.post("/meetings/new", data=form(people["bob"], [people["dora"]], room="Salon 3"))
    meeting = meeting_titled("Alpenblick × Bob")
    assert (meeting.market, meeting.stand, meeting.room) == ("MIPCOM 2026", "R7.C12", "Salon 3")
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert "MIPCOM 2026" in page and "R7.C12" in page and "Salon 3" in page
    invite = text(client.get(f"/meetings/{meeting.id}/invite.ics"))
    assert "LOCATION:MIPCOM 2026\\, stand R7.C12\\, room Salon 3" in invite


def test_the_index_filters_by_host_and_both_ends_of_the_date_range(
        client, login, people, meeting):
    login(people["tess"])
    assert "Alpenblick × Bob" in text(client.get(f"/meetings?host={people['bob'].id}"))
    # The meeting's own day in its own calendar (Berlin), whatever the hour in UTC.
    day = as_utc(meeting.starts_at).astimezone(ZoneInfo(meeting.timezone)).date()
    inside = f"/meetings?from={day.isoformat()}&to={day.isoformat()}"
    assert "Alpenblick × Bob" in text(client.get(inside))
    before = (day - timedelta(days=1)).isoformat()
    assert "Alpenblick" not in text(client.get(f"/meetings?to={before}"))


def test_the_date_range_follows_each_meetings_own_calendar(client, login, people):
    day = datetime.now(UTC).date() + timedelta(days=30)
    # 00:30 in Paris on `day` is the evening before in UTC; 23:30 in Los Angeles on `day`
    # is the morning after in UTC.
    paris = datetime.combine(day, time(0, 30), tzinfo=ZoneInfo("Europe/Paris"))
    los_angeles = datetime.combine(day, time(23, 30), tzinfo=ZoneInfo("America/Los_Angeles"))
    for title, local in (("Early in Paris", paris), ("Late in Los Angeles", los_angeles)):
        db.session.add(Meeting(title=title, host=people["bob"], created_by=people["bob"],
                               starts_at=local.astimezone(UTC), timezone=local.tzinfo.key))
    db.session.commit()
    login(people["tess"])

    def shown(first, last):
        page = text(client.get(f"/meetings?from={first.isoformat()}&to={last.isoformat()}"))
        return {title for title in ("Early in Paris", "Late in Los Angeles") if title in page}

    assert shown(day, day) == {"Early in Paris", "Late in Los Angeles"}
    assert shown(day - timedelta(days=1), day - timedelta(days=1)) == set()
    assert shown(day + timedelta(days=1), day + timedelta(days=1)) == set()


def test_a_meeting_one_set_up_stays_visible_when_its_host_is_no_longer_theirs(
        client, login, people):
    # Sam set it up for Carol through "manage meetings on behalf of others", since taken away.
    set_up = Meeting(title="Set up for Carol", host=people["carol"], created_by=people["sam"],
                     starts_at=datetime.now(UTC) + timedelta(days=1))
    db.session.add(set_up)
    db.session.commit()
    login(people["sam"])
    assert "Set up for Carol" in text(client.get("/meetings"))
    assert client.get(f"/meetings/{set_up.id}").status_code == 200


def test_managing_meetings_for_others_sees_every_meeting(client, login, people, meeting):
    events = f.custom_role(name="Events", permissions=[Permission.MANAGE_MEETINGS_FOR_OTHERS])
    people["sam"].roles.append(events)
    db.session.commit()
    login(people["sam"])
    assert "Alpenblick × Bob" in text(client.get("/meetings"))
    assert client.get(f"/meetings/{meeting.id}").status_code == 200


def test_a_held_meeting_shows_interest_screeners_item_and_meeting_notes(
        client, login, people, meeting):
    meeting.starts_at = datetime.now(UTC) - timedelta(days=2)
    meeting.started_at = meeting.starts_at
    meeting.meeting_notes = "They will come back on the Sunday slot."
    db.session.commit()
    login(people["tess"])
    assert "Alpenblick × Bob" in text(client.get("/meetings?tab=past"))
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert "Held" in page and "Interested" in page and "Screener in summary" in page
    assert "https://screeners.example/wa" in page and "Loved the first episode." in page
    assert "They will come back on the Sunday slot." in page


def test_meeting_notes_are_one_record_with_the_in_meeting_view(client, login, people, meeting):
    login(people["bob"])
    ipad = f"/ipad/meetings/{meeting.id}/changes"
    assert client.post(ipad, data={"key": "notes-web-0001", "kind": "meeting_notes",
                                   "value": "Typed on the iPad", "version": 1}
                       ).status_code == 200
    login(people["tess"])
    assert "Typed on the iPad" in text(client.get(f"/meetings/{meeting.id}"))
    assert client.post(f"/meetings/{meeting.id}/notes", data={
        "notes": "Tess tidied them", "version": 2}, headers=HTMX).status_code == 200
    login(people["bob"])
    assert "Tess tidied them" in text(client.get(f"/ipad/meetings/{meeting.id}"))
    stale = client.post(ipad, data={"key": "notes-web-0002", "kind": "meeting_notes",
                                    "value": "Bob, from the old copy", "version": 2})
    assert stale.status_code == 409 and stale.get_json()["text"] == "Tess tidied them"


def test_the_meeting_list_takes_catalogue_items_and_reorders_for_those_who_may_edit(
        client, login, people, meeting):
    extra = programme("Kitchen Kings")
    login(people["tess"])
    found = text(client.get(f"/lists/{meeting.list_id}/catalogue", query_string={"q": "kitchen"},
                            headers=HTMX))
    assert "Kitchen Kings" in found
    client.post(f"/lists/{meeting.list_id}/items", data={"programme_id": extra.id},
                headers=HTMX)
    db.session.expire_all()
    added = meeting.programme_list.items[-1]
    assert added.programme == extra
    client.post(f"/lists/{meeting.list_id}/items/{added.id}/move", data={"direction": "up"},
                headers=HTMX)
    db.session.expire_all()
    assert [i.programme.title for i in meeting.programme_list.items] == [
        "Kitchen Kings", "Wild Atlantic"]
    login(people["sam"])
    assert client.post(f"/lists/{meeting.list_id}/items/{added.id}/move",
                       data={"direction": "down"}).status_code == 404
    assert client.get(f"/lists/{meeting.list_id}/catalogue?q=kitchen").status_code == 404


def test_each_summary_send_is_recorded_with_time_sender_and_recipients(
        client, login, people, meeting):
    login(people["tess"])
    client.post(f"/meetings/{meeting.id}/summary", data={"before_start": "y"})
    [send] = db.session.scalars(select(MeetingSummarySend)).all()
    assert send.sent_by == people["tess"] and send.sent_at is not None
    assert send.recipient_list == [people["dora"].email]
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert send.acting_for == people["bob"]
    assert (f"by {people['tess'].full_name} for {people['bob'].full_name} "
            f"to {people['dora'].email}") in page
