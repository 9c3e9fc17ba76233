"""The home page as the day's work: each role's sections, their content, empty states and
scope."""

from datetime import UTC, datetime, timedelta

import pytest

from tests import factories as f
from tests.catalogue_factories import programme
from webapp.extensions import db
from webapp.mail.service import queue_email
from webapp.models import (
    EmailSource,
    EventKind,
    ListKind,
    ListShare,
    Meeting,
    MeetingStatus,
    MeetingSummarySend,
    OutboxMessage,
    OutboxStatus,
    ProgrammeList,
    Registration,
    RegistrationStatus,
    UserStatus,
)
from webapp.services import activity

pytestmark = pytest.mark.usefixtures("ctx")

HTMX = {"HX-Request": "true"}
NOW = datetime.now(UTC)


def text(response):
    return response.get_data(as_text=True)


def section(client, name, htmx=True):
    response = client.get(f"/home/{name}", headers=HTMX if htmx else {})
    assert response.status_code == 200, response.status_code
    return text(response)


@pytest.fixture
def people():
    """Sam coordinates for Alice (directly); Tess for Bob (by DACH). Ben is Alice's buyer by
    UK, Dora Bob's by DACH."""
    uk, dach = f.territory("UK & Ireland"), f.territory("DACH")
    alice = f.account_manager(first_name="Alice", last_name="Morgan", territories=[uk])
    bob = f.account_manager(first_name="Bob", last_name="Keller", territories=[dach])
    return {
        "uk": uk, "dach": dach, "alice": alice, "bob": bob,
        "sam": f.sales_coordinator(alice, first_name="Sam", last_name="Patel"),
        "tess": f.sales_coordinator(first_name="Tess", last_name="Becker", territories=[dach]),
        "ben": f.buyer(first_name="Ben", last_name="Carter", territories=[uk]),
        "dora": f.buyer(first_name="Dora", last_name="Weber", territories=[dach]),
        "admin": f.admin(),
    }


def meeting(host, title, starts_at, attendees=(), status=MeetingStatus.SCHEDULED, **fields):
    item = Meeting(title=title, host=host, status=status, starts_at=starts_at,
                   attendees=list(attendees), **fields)
    db.session.add(item)
    db.session.commit()
    return item


def applicant(territory, first_name, submitted_at, status=RegistrationStatus.PENDING):
    user = f.buyer(first_name=first_name, territories=[territory],
                   status=UserStatus.PENDING if status == RegistrationStatus.PENDING
                   else UserStatus.ACTIVE)
    registration = Registration(user=user, company_name=f"{first_name} TV", territory=territory,
                                status=status, submitted_at=submitted_at)
    db.session.add(registration)
    db.session.commit()
    return registration


# --- The page and its sections ---------------------------------------------------------------


def test_each_role_gets_its_own_sections_each_loaded_with_a_real_link(client, login, people):
    expected = {
        "sam": ["applications", "meetings-ahead", "follow-ups", "recent-registrations"],
        "alice": ["today", "follow-ups", "buyer-activity"],
        "ben": ["my-meetings", "shared-lists", "new-programmes"],
        "admin": ["applications", "outbox", "suspended-users"],
    }
    for who, names in expected.items():
        page = text(login(people[who]).get("/"))
        shown = [name for name in names if f'id="queue-{name}"' in page]
        assert shown == names, who
        for name in names:
            assert f'hx-get="/home/{name}" hx-trigger="load"' in page
            assert f'<a href="/home/{name}">' in page
        assert page.count('class="work-queue"') == len(names), who


def test_a_user_with_several_roles_sees_each_roles_sections_once(client, login, people):
    both = f.user(f.RoleKind.SALES_COORDINATOR, f.RoleKind.ACCOUNT_MANAGER, first_name="Max")
    page = text(login(both).get("/"))
    for name in ("applications", "meetings-ahead", "today", "follow-ups", "buyer-activity"):
        assert page.count(f'id="queue-{name}"') == 1


def test_a_section_not_of_ones_roles_is_refused(client, login, people):
    client = login(people["ben"])
    assert client.get("/home/applications").status_code == 403
    assert login(people["alice"]).get("/home/my-meetings").status_code == 403


def test_a_section_without_htmx_is_a_whole_page(client, login, people):
    page = section(login(people["sam"]), "applications", htmx=False)
    assert "<html" in page and "‹ Home" in page and 'id="queue-applications"' in page
    fragment = section(login(people["sam"]), "applications")
    assert "<html" not in fragment and fragment.lstrip().startswith("<section")


# --- Sales Coordinator ---------------------------------------------------------------------


def test_applications_waiting_count_and_oldest_wait_in_the_coordinators_scope(
        client, login, people):
    applicant(people["uk"], "Olga", NOW - timedelta(days=3, hours=1))
    applicant(people["uk"], "Nils", NOW - timedelta(hours=5))
    applicant(people["dach"], "Dieter", NOW - timedelta(days=9))  # Tess's, not Sam's
    applicant(people["uk"], "Done", NOW - timedelta(days=20), RegistrationStatus.APPROVED)
    body = section(login(people["sam"]), "applications")
    assert '<span class="count">2</span>' in body
    assert "Oldest waiting <strong>3 days</strong>" in body
    assert body.index("Olga") < body.index("Nils")
    assert "Dieter" not in body and "Done Tester" not in body
    assert 'href="/approvals"' in body


def test_applications_waiting_empty(client, login, people):
    body = section(login(people["sam"]), "applications")
    assert '<span class="count">0</span>' in body and "No application is waiting." in body


def test_coordinator_sees_the_week_ahead_of_their_account_managers_only(
        client, login, people):
    meeting(people["alice"], "Alice today", NOW + timedelta(minutes=30), [people["ben"]])
    meeting(people["alice"], "Alice in five days", NOW + timedelta(days=5))
    meeting(people["alice"], "Alice next month", NOW + timedelta(days=30))
    meeting(people["alice"], "Alice called off", NOW + timedelta(days=2),
            status=MeetingStatus.CANCELLED)
    meeting(people["bob"], "Bob tomorrow", NOW + timedelta(days=1))
    body = section(login(people["sam"]), "meetings-ahead")
    assert "Alice today" in body and "Alice in five days" in body
    assert "Alice next month" not in body and "Alice called off" not in body
    assert "Bob tomorrow" not in body
    assert '<span class="count">2</span>' in body and "Alice Morgan" in body
    assert "1 buyer" in body
    tess = section(login(people["tess"]), "meetings-ahead")
    assert "Bob tomorrow" in tess and "Alice today" not in tess


def test_meetings_ahead_empty(client, login, people):
    body = section(login(people["sam"]), "meetings-ahead")
    assert "No meetings today or in the next 7 days." in body
    assert 'href="/meetings?' in body


def test_follow_ups_overdue_per_account_manager_after_48_hours_without_a_summary(
        client, login, people):
    overdue = meeting(people["alice"], "MIPCOM with Ben", NOW - timedelta(days=3),
                      [people["ben"]])
    meeting(people["alice"], "Yesterday, still in time", NOW - timedelta(hours=20))
    summarised = meeting(people["alice"], "Summarised", NOW - timedelta(days=4))
    db.session.add(MeetingSummarySend(meeting=summarised, sent_by=people["alice"],
                                      recipients="x@example.com"))
    meeting(people["alice"], "Never scheduled", NOW - timedelta(days=5),
            status=MeetingStatus.DRAFT)
    meeting(people["bob"], "Bob's forgotten one", NOW - timedelta(days=6))
    db.session.commit()
    body = section(login(people["sam"]), "follow-ups")
    assert '<h3 class="queue-group">Alice Morgan</h3>' in body
    assert "MIPCOM with Ben" in body and "Follow-up overdue" in body
    assert f'/meetings/{overdue.id}#summary' in body
    for absent in ("Yesterday, still in time", "Summarised", "Never scheduled",
                   "Bob&#39;s forgotten one"):
        assert absent not in body
    assert '<span class="count">1</span>' in body
    own = section(login(people["bob"]), "follow-ups")
    assert "forgotten one" in own and "MIPCOM with Ben" not in own


def test_follow_ups_empty(client, login, people):
    body = section(login(people["alice"]), "follow-ups")
    assert "No follow-ups overdue" in body


def test_recent_registrations_in_the_coordinators_territories(client, login, people):
    applicant(people["dach"], "Dieter", NOW - timedelta(days=1))
    applicant(people["dach"], "Greta", NOW - timedelta(days=2), RegistrationStatus.APPROVED)
    applicant(people["dach"], "Old", NOW - timedelta(days=12))
    applicant(people["uk"], "Olga", NOW - timedelta(hours=3))
    body = section(login(people["tess"]), "recent-registrations")
    assert "Dieter" in body and "Greta" in body and "Approved" in body
    assert "Old Tester" not in body and "Olga" not in body
    assert body.index("Dieter") < body.index("Greta")


def test_recent_registrations_empty(client, login, people):
    body = section(login(people["tess"]), "recent-registrations")
    assert "No registrations in your territories in the last 7 days." in body


# --- Account Manager -----------------------------------------------------------------------


def test_todays_meetings_open_in_the_meeting_view(client, login, people):
    today = meeting(people["alice"], "Ben at the stand", NOW + timedelta(minutes=10),
                    [people["ben"]])
    meeting(people["alice"], "Next week", NOW + timedelta(days=7))
    meeting(people["bob"], "Bob today", NOW + timedelta(minutes=20))
    body = section(login(people["alice"]), "today")
    assert "Ben at the stand" in body and "Ben Carter" in body
    assert f'href="/ipad/meetings/{today.id}"' in body and "Open in meeting view" in body
    assert "Next week" not in body and "Bob today" not in body


def test_todays_meetings_empty(client, login, people):
    body = section(login(people["alice"]), "today")
    assert "No meetings today." in body and 'href="/ipad/"' in body


def test_buyers_who_clicked_a_summary_or_played_a_screener_this_week(client, login, people):
    show = programme("Wild Atlantic")
    activity.record(people["ben"], EventKind.EMAIL_CLICK, programme_id=show.id,
                    source=EmailSource.MEETING_SUMMARY, at=NOW - timedelta(days=1))
    activity.record(people["ben"], EventKind.SCREENER_PLAY, programme_id=show.id,
                    at=NOW - timedelta(hours=2))
    activity.record(people["ben"], EventKind.SCREENER_PLAY, programme_id=show.id,
                    at=NOW - timedelta(days=10))  # too long ago
    activity.record(people["dora"], EventKind.SCREENER_PLAY, programme_id=show.id,
                    at=NOW - timedelta(hours=1))  # Bob's buyer
    other = f.buyer(first_name="Viewer", territories=[people["uk"]])
    activity.record(other, EventKind.PROGRAMME_VIEW, programme_id=show.id)  # a view only
    activity.record(other, EventKind.EMAIL_CLICK, source=EmailSource.LIST_SHARE)
    db.session.commit()
    body = section(login(people["alice"]), "buyer-activity")
    assert "Ben Carter" in body and "1 summary link clicked" in body
    assert "1 screener played" in body
    assert "Dora" not in body and "Viewer" not in body
    assert '<span class="count">1</span>' in body


def test_buyer_activity_empty(client, login, people):
    body = section(login(people["alice"]), "buyer-activity")
    assert "None of your buyers clicked a summary link or played a screener" in body


# --- Buyer ---------------------------------------------------------------------------------


def test_buyer_sees_their_meetings_upcoming_and_past(client, login, people):
    meeting(people["alice"], "Coming up", NOW + timedelta(days=2), [people["ben"]])
    meeting(people["alice"], "Last market", NOW - timedelta(days=30), [people["ben"]])
    meeting(people["alice"], "Still a draft", NOW + timedelta(days=3), [people["ben"]],
            status=MeetingStatus.DRAFT)
    meeting(people["bob"], "Dora's meeting", NOW + timedelta(days=2), [people["dora"]])
    body = section(login(people["ben"]), "my-meetings")
    upcoming, past = body.split("Past")
    assert "Coming up" in upcoming and "Alice Morgan" in upcoming
    assert "Last market" in past
    assert "Still a draft" not in body and "Dora" not in body
    assert "invite.ics" in upcoming


def test_buyer_meetings_empty(client, login, people):
    body = section(login(people["ben"]), "my-meetings")
    assert "No meetings coming up." in body and "No past meetings yet." in body


def test_lists_shared_with_the_buyer_each_once(client, login, people):
    picks = ProgrammeList(name="Alice's picks", kind=ListKind.BUYER, owner=people["alice"],
                          buyer=people["ben"])
    other = ProgrammeList(name="For Dora", kind=ListKind.BUYER, owner=people["bob"],
                          buyer=people["dora"])
    db.session.add_all([picks, other])
    db.session.flush()
    db.session.add_all([
        ListShare(list_id=picks.id, buyer_id=people["ben"].id, shared_by_id=people["alice"].id,
                  shared_at=NOW - timedelta(days=3)),
        ListShare(list_id=picks.id, buyer_id=people["ben"].id, shared_by_id=people["alice"].id,
                  shared_at=NOW - timedelta(days=1)),
        ListShare(list_id=other.id, buyer_id=people["dora"].id, shared_by_id=people["bob"].id)])
    db.session.commit()
    body = section(login(people["ben"]), "shared-lists")
    assert body.count("Alice&#39;s picks") == 1 and "from Alice Morgan" in body
    assert "For Dora" not in body and '<span class="count">1</span>' in body


def test_shared_lists_empty(client, login, people):
    assert "No lists shared with you yet." in section(login(people["ben"]), "shared-lists")


def test_new_programmes_of_the_last_30_days(client, login, people):
    programme("Fresh Drama", created_at=NOW - timedelta(days=2))
    programme("Old Classic", created_at=NOW - timedelta(days=90))
    body = section(login(people["ben"]), "new-programmes")
    assert "Fresh Drama" in body and "Old Classic" not in body


def test_new_programmes_empty(client, login, people):
    programme("Old Classic", created_at=NOW - timedelta(days=90))
    assert "No programmes added in the last 30 days." in section(login(people["ben"]),
                                                                 "new-programmes")


# --- Administrator -------------------------------------------------------------------------


def test_administrator_sees_failed_and_waiting_emails(client, login, people):
    for n in range(3):
        queue_email(f"buyer{n}@example.com", "account_exists", f"Message {n}",
                    person=people["ben"], login_url="https://cms.example.com/login")
    db.session.flush()
    failed = db.session.scalars(db.select(OutboxMessage).limit(1)).first()
    failed.status, failed.last_error = OutboxStatus.FAILED, "550 mailbox unavailable"
    db.session.commit()
    body = section(login(people["admin"]), "outbox")
    assert "<strong>1</strong> failed" in body and "<strong>2</strong> waiting" in body
    assert "550 mailbox unavailable" in body and failed.subject in body


def test_outbox_empty(client, login, people):
    assert "No email failed and none is waiting." in section(login(people["admin"]), "outbox")


def test_administrator_sees_suspended_users(client, login, people):
    f.buyer(first_name="Suspendedbuyer", is_suspended=True)
    body = section(login(people["admin"]), "suspended-users")
    assert "Suspendedbuyer" in body and "Ben Carter" not in body
    assert 'href="/admin/users?status=suspended"' in body


def test_suspended_users_empty(client, login, people):
    assert "No user is suspended." in section(login(people["admin"]), "suspended-users")


def test_administrator_sees_every_pending_application(client, login, people):
    applicant(people["dach"], "Dieter", NOW - timedelta(days=1))
    applicant(people["uk"], "Olga", NOW - timedelta(days=2))
    body = section(login(people["admin"]), "applications")
    assert "Dieter" in body and "Olga" in body and '<span class="count">2</span>' in body
