"""Every action that emails or creates is safe to repeat: the same form sent twice at the same
moment (a double click, two tabs, a proxy's retry) has one effect and sends one set of
emails, and the second answer is the page as it now stands, saying what happened.

Each pair of requests is sent from two threads, each with its own test client (and so its
own database connection). A barrier holds each request at its first statement that writes
or locks until the other has reached its own: both have read the state they act on, the
moment a double submit is most likely to do its work twice. On PostgreSQL the two then run
side by side; on SQLite the second waits for the first's write (the driver's busy timeout).
"""

import re
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import event, func, select

from tests import factories as f
from tests.catalogue_factories import programme
from webapp.extensions import db
from webapp.models import (
    Company,
    ListItem,
    ListKind,
    ListShare,
    Meeting,
    MeetingStatus,
    MeetingSummarySend,
    OutboxMessage,
    ProgrammeList,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    User,
)
from webapp.services.meeting_summary import send_summary
from webapp.services.registrations import register

pytestmark = pytest.mark.usefixtures("ctx")
NEXT_WEEK = date.today() + timedelta(days=7)


@dataclass
class Answer:
    status: int  # of the POST itself
    page: str  # what the user then sees: the answer, or the page it redirects to


class _Forms(HTMLParser):
    """The hidden inputs of each form of a page, by the form's action."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._open: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._open = self.forms.setdefault(attrs.get("action") or "", {})
        elif tag == "input" and self._open is not None and attrs.get("type") == "hidden":
            self._open[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def hidden_fields(client, page_url: str, action: str = "") -> dict[str, str]:
    """What a browser would send back, unseen, with the form posting to `action`."""
    page = client.get(page_url)
    assert page.status_code == 200
    parser = _Forms()
    parser.feed(page.get_data(as_text=True))
    return parser.forms[action]


# A statement that writes or locks rows: where a request starts to act on what it has read.
ACTS = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b|\bFOR\s+UPDATE\b", re.IGNORECASE)


def at_once(app, user, *posts: tuple[str, dict]) -> list[Answer]:
    """Send each (url, form) as `user` (None: signed out), each from its own client in its
    own thread, so that all of them have read what they act on before any of them writes or
    locks a row: each request waits at its first such statement until every other one has
    reached its own."""
    user_id = user.get_id() if user is not None else None
    gate = threading.Barrier(len(posts))
    thread = threading.local()
    answers: list[Answer | None] = [None] * len(posts)
    errors: list[BaseException] = []

    def hold_first_act(_connection, _cursor, statement, *_args):
        if getattr(thread, "posting", False) and ACTS.search(statement):
            thread.posting = False
            try:
                # A request that never acts (refused before it writes) lets the others go.
                gate.wait(timeout=5)
            except threading.BrokenBarrierError:
                pass

    def post(index: int, url: str, data: dict) -> None:
        client = app.test_client()
        if user_id is not None:
            with client.session_transaction() as session:
                session["_user_id"], session["_fresh"] = user_id, True
        try:
            thread.posting = True
            response = client.post(url, data=data)
            thread.posting = False
            page = response
            if response.status_code in (302, 303):
                page = client.get(response.headers["Location"])
            answers[index] = Answer(response.status_code, page.get_data(as_text=True))
        except BaseException as error:  # an exception here is the app's 500
            errors.append(error)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", hold_first_act)
    try:
        threads = [threading.Thread(target=post, args=(i, *each))
                   for i, each in enumerate(posts)]
        for each in threads:
            each.start()
        for each in threads:
            each.join(timeout=60)
    finally:
        event.remove(engine, "before_cursor_execute", hold_first_act)
    assert not errors, f"a request failed: {errors[0]!r}"
    assert all(answer is not None and answer.status < 500 for answer in answers)
    return answers


def twice(app, user, url: str, data: dict, already: str) -> tuple[Answer, Answer]:
    """The same form sent twice at once: (the answer that did it, the other one), the other
    being the one whose page says `already`, if one does. The tests check the effects
    first, then that exactly one answer says it (told)."""
    first, second = at_once(app, user, (url, data), (url, dict(data)))
    return (second, first) if already in first.page else (first, second)


def told(done: Answer, again: Answer, already: str) -> bool:
    return already in again.page and already not in done.page


def emails(kind: str) -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id)).all()


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


# Registrations


@pytest.fixture
def world():
    uk = f.territory("UK & Ireland")
    alice = f.account_manager(first_name="Alice", territories=[uk])
    return {"uk": uk, "alice": alice,
            "sam": f.sales_coordinator(alice, first_name="Sam", last_name="Patel")}


def application(world, first_name="Nina", company_name="Broadcaster Ltd") -> Registration:
    registration = register(
        first_name=first_name, last_name="Holm", email=f"{first_name.lower()}@example.com",
        password="a long enough password", company_name=company_name, job_title="Buyer",
        phone="", territory=world["uk"], account_manager=world["alice"])
    db.session.commit()
    return registration


def approval(client, world, registration, company_name="Broadcaster Ltd") -> dict:
    url = f"/approvals/{registration.user_id}"
    return {**hidden_fields(client, url, f"{url}/approve"), "company_id": 0,
            "company_name": company_name, "account_manager": world["alice"].id,
            "territories": [world["uk"].id]}


def rejection(client, registration) -> dict:
    url = f"/approvals/{registration.user_id}"
    return {**hidden_fields(client, url, f"{url}/reject"), "reason": "Not a broadcaster."}


def test_approving_twice_at_once_approves_once_and_emails_once(app, login, world):
    registration = application(world)
    data = approval(login(world["sam"]), world, registration)
    already = "already been approved by Sam Patel"
    done, again = twice(app, world["sam"], f"/approvals/{registration.user_id}/approve", data,
                        already)
    assert len(emails("registration_approved")) == 1
    assert count(Company, Company.name == "Broadcaster Ltd") == 1
    assert count(RegistrationEvent, RegistrationEvent.action == "approved") == 1
    assert done.status == 303 and again.status == 422
    assert told(done, again, already)


def test_rejecting_twice_at_once_rejects_once_and_emails_once(app, login, world):
    registration = application(world)
    data = rejection(login(world["sam"]), registration)
    already = "already been rejected by Sam Patel"
    done, again = twice(app, world["sam"], f"/approvals/{registration.user_id}/reject", data,
                        already)
    assert len(emails("registration_rejected")) == 1
    assert count(RegistrationEvent, RegistrationEvent.action == "rejected") == 1
    assert done.status == 303 and again.status == 422
    assert told(done, again, already)


def test_an_approval_and_a_rejection_at_once_decide_once(app, login, world):
    registration = application(world)
    client = login(world["sam"])
    url = f"/approvals/{registration.user_id}"
    approved, rejected = at_once(app, world["sam"],
                                 (f"{url}/approve", approval(client, world, registration)),
                                 (f"{url}/reject", rejection(client, registration)))
    assert len(emails("registration_approved") + emails("registration_rejected")) == 1
    assert count(RegistrationEvent, RegistrationEvent.action != "submitted") == 1
    # Whichever came second finds the application decided, and says so.
    assert sorted([approved.status, rejected.status]) == [303, 422]
    if approved.status == 303:
        assert "already been approved by Sam Patel" in rejected.page
    else:
        assert "already been rejected by Sam Patel" in approved.page


def applicant_form(client, world) -> dict:
    return {**hidden_fields(client, "/register", "/register"),
            "first_name": "Nina", "last_name": "Holm", "email": "nina@example.com",
            "password": "a long enough password", "confirm": "a long enough password",
            "company_name": "Broadcaster Ltd", "job_title": "Buyer", "phone": "",
            "territory": world["uk"].id, "region": 0, "account_manager": world["alice"].id}


def one_application_was_recorded(world) -> bool:
    """One account and one application, of which Alice and Sam heard once each and the
    applicant was told once."""
    return (count(Registration) == 1 and count(User, User.email == "nina@example.com") == 1
            and sorted(m.recipients for m in emails("registration_notice"))
            == [world["alice"].email, world["sam"].email]
            and len(emails("registration_received")) == 1)


def test_applying_twice_at_once_makes_one_account_and_one_set_of_emails(app, client, world):
    already = "This application had already reached us"
    done, again = twice(app, None, "/register", applicant_form(client, world), already)
    assert one_application_was_recorded(world)
    assert emails("account_exists") == []
    assert done.status == again.status == 303
    assert "We will review your application" in again.page
    assert told(done, again, already)


def test_two_forms_applying_with_one_address_at_once_are_answered_as_a_taken_address(
        app, client, world):
    answers = at_once(app, None, ("/register", applicant_form(client, world)),
                      ("/register", applicant_form(client, world)))
    assert one_application_was_recorded(world)
    # The second is answered as any application with an address that has an account: the
    # same page, and an email to the address on how to log in.
    assert len(emails("account_exists")) == 1
    assert [a.status for a in answers] == [303, 303]
    assert all("we have emailed you how to log in instead" in a.page for a in answers)


def test_an_application_sent_again_changed_is_refused_not_replayed(client, world):
    data = applicant_form(client, world)
    assert client.post("/register", data=data).status_code == 303
    changed = client.post("/register", data={**data, "email": "nina.holm@example.com"})
    assert changed.status_code == 409
    page = changed.get_data(as_text=True)
    assert "This form was sent already, and what you sent now differs" in page
    assert f'value="{data["form_token"]}"' not in page
    assert count(Registration) == 1


def test_two_applicants_approved_at_once_into_one_new_company_share_it(app, login, world):
    nina = application(world, "Nina", company_name="Nordlys Media")
    olaf = application(world, "Olaf", company_name="Nordlys Media")
    client = login(world["sam"])
    answers = at_once(app, world["sam"], *[
        (f"/approvals/{r.user_id}/approve", approval(client, world, r, "Nordlys Media"))
        for r in (nina, olaf)])
    [company] = db.session.scalars(select(Company).where(Company.name == "Nordlys Media"))
    db.session.expire_all()
    assert {nina.user.company_id, olaf.user.company_id} == {company.id}
    assert nina.status == olaf.status == RegistrationStatus.APPROVED
    assert [a.status for a in answers] == [303, 303]


# Meetings


@pytest.fixture
def people():
    dach = f.territory("DACH")
    bob = f.account_manager(first_name="Bob", territories=[dach])
    return {"bob": bob, "dach": dach,
            "tess": f.sales_coordinator(first_name="Tess", last_name="Weber",
                                        territories=[dach]),
            "dora": f.buyer(first_name="Dora", territories=[dach]),
            "hans": f.buyer(first_name="Hans", territories=[dach])}


def meeting_of(people, status=MeetingStatus.SCHEDULED) -> Meeting:
    meeting = Meeting(title="Alpenblick × Bob", host=people["bob"], created_by=people["tess"],
                      status=status, timezone="Europe/Berlin",
                      starts_at=datetime.now(UTC) + timedelta(days=3),
                      attendees=[people["dora"], people["hans"]])
    meeting.programme_list = ProgrammeList(name=meeting.title, kind=ListKind.MEETING,
                                           owner=people["bob"])
    meeting.programme_list.items.append(ListItem(programme=programme("Wild Atlantic"),
                                                 position=1, note="Loved it."))
    db.session.add(meeting)
    db.session.commit()
    return meeting


def meeting_form(people, **fields) -> dict:
    return {"host": people["bob"].id, "title": "Alpenblick × Bob", "day": NEXT_WEEK.isoformat(),
            "start": "10:00", "timezone": "Europe/Berlin", "duration": "30",
            "market": "MIPCOM 2026", "attendees": [people["dora"].id, people["hans"].id],
            "action": "schedule", **fields}


def test_sending_the_summary_twice_at_once_sends_it_once(app, login, people):
    meeting = meeting_of(people)
    url = f"/meetings/{meeting.id}/summary"
    data = hidden_fields(login(people["tess"]), f"/meetings/{meeting.id}", url)
    data["before_start"] = "y"  # ticked: the meeting is in three days
    already = "Already sent by Tess Weber"
    done, again = twice(app, people["tess"], url, data, already)
    assert count(MeetingSummarySend) == 1
    assert len(emails("meeting_summary")) == 2  # one for each of the two buyers
    assert done.status == 303 and again.status == 409
    assert told(done, again, already)


def test_re_sending_the_summary_twice_at_once_re_sends_it_once(app, login, people):
    meeting = meeting_of(people)
    send_summary(meeting, people["tess"], before_start=True)
    db.session.commit()
    url = f"/meetings/{meeting.id}/summary"
    data = hidden_fields(login(people["tess"]), f"/meetings/{meeting.id}", url)
    assert data.get("resend")  # the page asks for a re-send
    data["before_start"] = "y"  # ticked: the meeting is in three days
    already = "Already sent by Tess Weber"
    done, again = twice(app, people["tess"], url, data, already)
    assert count(MeetingSummarySend) == 2
    assert len(emails("meeting_summary")) == 4
    assert done.status == 303 and again.status == 409
    assert told(done, again, already)


def test_cancelling_twice_at_once_sends_one_cancellation(app, login, people):
    meeting = meeting_of(people)
    url = f"/meetings/{meeting.id}/cancel"
    data = hidden_fields(login(people["tess"]), f"/meetings/{meeting.id}", url)
    data["before_start"] = "y"  # ticked: the meeting is in three days
    already = "This meeting is already cancelled."
    done, again = twice(app, people["tess"], url, data, already)
    assert len(emails("meeting_cancelled")) == 4  # two buyers, the host and Tess, who set it up
    db.session.refresh(meeting)
    assert meeting.status == MeetingStatus.CANCELLED and meeting.sequence == 1
    assert done.status == again.status == 303
    assert "“Alpenblick × Bob” cancelled." in done.page
    assert told(done, again, already)


def test_scheduling_a_draft_twice_at_once_invites_once(app, login, people):
    meeting = meeting_of(people, MeetingStatus.DRAFT)
    url = f"/meetings/{meeting.id}/edit"
    data = {**hidden_fields(login(people["tess"]), url, url), **meeting_form(people)}
    already = "Already saved by Tess Weber"
    done, again = twice(app, people["tess"], url, data, already)
    assert len(emails("meeting_invite")) == 4  # two buyers, the host and Tess
    db.session.refresh(meeting)
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.sequence == 0
    assert done.status == again.status == 303
    assert "invitations are on their way" in done.page
    assert told(done, again, already)


def test_scheduling_a_draft_from_two_tabs_at_once_invites_once(app, login, people):
    meeting = meeting_of(people, MeetingStatus.DRAFT)
    url = f"/meetings/{meeting.id}/edit"
    client = login(people["tess"])
    tabs = [{**hidden_fields(client, url, url), **meeting_form(people)} for _ in range(2)]
    answers = at_once(app, people["tess"], *[(url, tab) for tab in tabs])
    assert len(emails("meeting_invite")) == 4  # two buyers, the host and Tess
    db.session.refresh(meeting)
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.sequence == 0
    # Each tab's answer is the meeting as it now stands: scheduled.
    assert [a.status for a in answers] == [303, 303]
    assert all("Scheduled" in a.page for a in answers)
    # Only the tab that sent the invitations says so; the other says none went out again.
    assert sum("invitations are on their way" in a.page for a in answers) == 1
    assert sum("no invitation went out again" in a.page for a in answers) == 1


def test_creating_a_meeting_twice_at_once_creates_it_once(app, login, people):
    data = {**hidden_fields(login(people["tess"]), "/meetings/new", "/meetings/new"),
            **meeting_form(people, title="Created once")}
    already = "Already saved by Tess Weber"
    done, again = twice(app, people["tess"], "/meetings/new", data, already)
    assert count(Meeting, Meeting.title == "Created once") == 1
    assert len(emails("meeting_invite")) == 4  # two buyers, the host and Tess
    assert done.status == again.status == 303
    assert "<h1>Created once" in again.page  # sent to the meeting the first one created
    assert told(done, again, already)


def test_a_meeting_form_sent_again_with_other_content_is_refused_not_replayed(
        client, login, people):
    login(people["tess"])
    data = {**hidden_fields(client, "/meetings/new", "/meetings/new"),
            **meeting_form(people, title="First try", action="draft")}
    assert client.post("/meetings/new", data=data).status_code == 303
    # The same page brought back (the browser's Back) and changed: neither the first
    # meeting's answer nor a second meeting, but the form again with a new token.
    changed = client.post("/meetings/new", data={**data, "title": "Second thoughts"})
    assert changed.status_code == 409
    page = changed.get_data(as_text=True)
    assert "This form was saved already by Tess Weber" in page
    assert 'value="Second thoughts"' in page
    assert f'value="{data["form_token"]}"' not in page
    assert count(Meeting) == 1


def test_copying_a_list_into_a_meeting_twice_at_once_copies_it_once(app, login, people):
    meeting = meeting_of(people)
    picks = ProgrammeList(name="Tess's picks", kind=ListKind.MY, owner=people["tess"])
    picks.items.extend([ListItem(programme=programme("Fjord"), position=1),
                        ListItem(programme=programme("Kitchen Kings"), position=2)])
    db.session.add(picks)
    db.session.commit()
    url = f"/meetings/{meeting.id}/list"
    data = {**hidden_fields(login(people["tess"]), f"/meetings/{meeting.id}", url),
            "source_list": picks.id}
    already = "Already saved by Tess Weber"
    done, again = twice(app, people["tess"], url, data, already)
    assert count(ListItem, ListItem.list_id == meeting.list_id) == 3
    assert done.status == again.status == 303
    assert "2 items added from “Tess&#39;s picks”." in done.page
    assert told(done, again, already)


def test_a_copy_form_sent_again_for_another_list_is_refused_not_replayed(client, login, people):
    meeting = meeting_of(people)
    picks = [ProgrammeList(name=name, kind=ListKind.MY, owner=people["tess"],
                           items=[ListItem(programme=programme(title), position=1)])
             for name, title in (("First picks", "Fjord"), ("Second picks", "Kitchen Kings"))]
    db.session.add_all(picks)
    db.session.commit()
    url = f"/meetings/{meeting.id}/list"
    data = {**hidden_fields(login(people["tess"]), f"/meetings/{meeting.id}", url),
            "source_list": picks[0].id}
    assert client.post(url, data=data).status_code == 303
    # The page brought back and another list chosen: neither a replay nor a second copy.
    changed = client.post(url, data={**data, "source_list": picks[1].id})
    assert changed.status_code == 409
    page = changed.get_data(as_text=True)
    assert "This form was saved already by Tess Weber" in page
    assert f'value="{data["form_token"]}"' not in page
    assert count(ListItem, ListItem.list_id == meeting.list_id) == 2


# Lists


def test_sharing_a_list_twice_at_once_emails_the_buyer_once(app, login, people):
    shared = ProgrammeList(name="For Dora", kind=ListKind.BUYER, owner=people["bob"],
                           buyer=people["dora"])
    shared.items.append(ListItem(programme=programme("Fjord"), position=1))
    db.session.add(shared)
    db.session.commit()
    url = f"/lists/{shared.id}/share"
    data = {**hidden_fields(login(people["bob"]), url, url),
            "buyers": people["dora"].id, "emails": "guest@example.com",
            "message": "As discussed", "days": 14}
    already = "Already saved by Bob Tester"
    done, again = twice(app, people["bob"], url, data, already)
    assert count(ListShare) == 2  # Dora and the guest, once each
    assert len(emails("list_shared")) == 2
    assert done.status == again.status == 303
    assert told(done, again, already)


def test_two_tabs_saving_one_note_at_once_keep_both_texts(app, login, people):
    bobs = ProgrammeList(name="Bob's picks", kind=ListKind.MY, owner=people["bob"])
    bobs.items.append(ListItem(programme=programme("Fjord"), position=1, note="Loved it."))
    db.session.add(bobs)
    db.session.commit()
    item = bobs.items[0]
    url = f"/lists/{bobs.id}/items/{item.id}/note"
    login(people["bob"])
    # Both tabs read version 1; whichever saves second finds the other's note, not a
    # silent overwrite of it.
    answers = at_once(app, people["bob"], (url, {"note": "From tab one", "version": 1}),
                      (url, {"note": "From tab two", "version": 1}))
    db.session.refresh(item)
    assert item.note_version == 2 and item.note in ("From tab one", "From tab two")
    assert sorted(a.status for a in answers) == [303, 409]
    [conflict] = [a.page for a in answers if a.status == 409]
    assert "From tab one" in conflict and "From tab two" in conflict


# Companies


def test_adding_a_company_twice_at_once_adds_it_once(app, login):
    administrator = f.admin()
    login(administrator)
    already = "called “Acme Television” already exists"
    done, again = twice(app, administrator, "/admin/companies", {"name": "Acme Television"},
                        already)
    assert count(Company, Company.name == "Acme Television") == 1
    assert done.status == 303 and again.status == 422
    assert told(done, again, already)


@pytest.mark.parametrize("kind, make", [
    ("territories", f.territory), ("regions", f.region), ("companies", f.company)])
def test_renaming_two_to_one_name_at_once_renames_one(app, login, kind, make):
    administrator = f.admin()
    first, second = make("Nordics"), make("Baltics")
    login(administrator)
    answers = at_once(app, administrator,
                      *[(f"/admin/{kind}/{item.id}/edit", {"name": "Northern Europe"})
                        for item in (first, second)])
    model = type(first)
    assert count(model, model.name == "Northern Europe") == 1
    assert count(model, model.name.in_(["Nordics", "Baltics"])) == 1
    assert sorted(a.status for a in answers) == [303, 422]
    [refused] = [a.page for a in answers if a.status == 422]
    assert "called “Northern Europe” already exists" in refused
