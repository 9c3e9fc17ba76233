"""Each page issues as many SQL statements for a large distributor as for a small one.

Every page is rendered twice, as the user who would open it: with 3 of everything it
lists, then with 20. A count that grows with the data is an N+1 (a query per row shown).
Pages hold 2 rows here, so both sizes fill more than one: a page that is the last one
knows its total without counting (webapp/web/pagination.py), which would save one statement
with 3 rows only.
"""

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest
from sqlalchemy import event

from tests import catalogue_factories as cf
from tests import factories as f
from webapp.blueprints.admin import outbox
from webapp.extensions import db
from webapp.mail.service import queue_email
from webapp.models import (
    EmailSource,
    EventKind,
    ListItem,
    ListKind,
    ListShare,
    Meeting,
    MeetingStatus,
    ProgrammeList,
)
from webapp.services import activity, profiles, reporting_activity
from webapp.services.lists import add_item
from webapp.services.registrations import register

SMALL, LARGE = 3, 20
_numbers = itertools.count(1)


@dataclass
class Distributor:
    """An AM, their SC, a buyer and an administrator, and `grow(n)` more of each list's rows."""

    def __post_init__(self):
        self.territory = f.territory("UK & Ireland")
        self.account_manager = f.account_manager(first_name="Alice", territories=[self.territory])
        self.coordinator = f.sales_coordinator(self.account_manager, first_name="Sam")
        self.buyer = f.buyer(first_name="Ben", territories=[self.territory])
        self.administrator = f.admin()
        self.genres = [cf.genre("Drama"), cf.genre("Crime")]
        self.programme = cf.programme(title="The Fjord Murders", genres=self.genres)
        self.buyer_list = ProgrammeList(name="Alice's picks for Ben", kind=ListKind.BUYER,
                                        owner=self.account_manager, buyer=self.buyer)
        db.session.add(self.buyer_list)
        self.meeting = self._meeting(self.buyer)
        db.session.commit()
        self.applicant_ids: list[int] = []

    def _meeting(self, buyer) -> Meeting:
        meeting = Meeting(title=f"Meeting with {buyer.first_name}", host=self.account_manager,
                          created_by=self.coordinator, status=MeetingStatus.SCHEDULED,
                          starts_at=datetime.now(UTC) + timedelta(hours=2), attendees=[buyer])
        meeting.programme_list = ProgrammeList(name=meeting.title, kind=ListKind.MEETING,
                                               owner=self.account_manager)
        db.session.add(meeting)
        return meeting

    def grow(self, count: int) -> None:
        for _ in range(count):
            n = next(_numbers)
            company = f.company(territories=[self.territory])
            buyer = f.buyer(territories=[self.territory], company=company,
                            account_manager=self.account_manager if n % 2 else None)
            self.meeting.attendees.append(buyer)
            self._meeting(buyer)
            f.sales_coordinator(self.account_manager, territories=[self.territory])
            f.custom_role(name=f"Role {n}")
            f.region()
            registration = register(
                first_name="Applicant", last_name=f"Number{n}", email=f"applicant{n}@example.com",
                password="a long enough password", company_name=f"Applicant Company {n}",
                job_title="Buyer", phone="", territory=self.territory,
                account_manager=self.account_manager)
            self.applicant_ids.append(registration.user_id)
            programme = cf.programme(title=f"Programme {n}", genres=self.genres)
            # Reporting's rows: the new buyer's visit and view, and Ben's view of it too.
            activity.record(buyer, EventKind.VISIT)
            activity.record(buyer, EventKind.PROGRAMME_VIEW, programme_id=programme.id)
            activity.record(self.buyer, EventKind.PROGRAMME_VIEW, programme_id=programme.id)
            season = cf.season(self.programme, number=n)
            cf.episode(season, number=1)
            add_item(self.buyer_list, programme, note=f"Note {n}")
            add_item(self.meeting.programme_list, programme, note=f"Note {n}")
            db.session.add(ProgrammeList(name=f"Sam's list {n}", kind=ListKind.MY,
                                         owner=self.coordinator))
            queue_email(self.buyer.email, "account_exists", f"Message {n}", person=self.buyer,
                        login_url="https://cms.example.com/login")
            # The home sections' rows: an overdue follow-up, a buyer's plays and clicks, a
            # list shared with Ben, a suspended user.
            self._meeting(buyer).starts_at = datetime.now(UTC) - timedelta(days=3)
            activity.record(buyer, EventKind.SCREENER_PLAY, programme_id=programme.id)
            activity.record(buyer, EventKind.EMAIL_CLICK, programme_id=programme.id,
                            source=EmailSource.MEETING_SUMMARY)
            shared = ProgrammeList(name=f"Shared with Ben {n}", kind=ListKind.BUYER,
                                   owner=self.account_manager, buyer=self.buyer)
            db.session.add(shared)
            db.session.flush()
            db.session.add(ListShare(list_id=shared.id, buyer_id=self.buyer.id,
                                     shared_by_id=self.account_manager.id))
            f.buyer(is_suspended=True)
            db.session.commit()

    @property
    def first_item_id(self) -> int:
        return min(item.id for item in self.buyer_list.items)


class Page(NamedTuple):
    viewer: str  # an attribute of Distributor
    path: object  # Distributor -> URL
    htmx: bool = False
    method: str = "GET"


PAGES = {
    "home": Page("account_manager", lambda d: "/"),
    "home, the SC's": Page("coordinator", lambda d: "/"),
    **{f"home section {name}, the {viewer}'s": Page(viewer, lambda d, name=name: f"/home/{name}",
                                                    htmx=True)
       for viewer, names in (
           ("coordinator", ("applications", "meetings-ahead", "follow-ups",
                            "recent-registrations")),
           ("account_manager", ("today", "follow-ups", "buyer-activity")),
           ("buyer", ("my-meetings", "shared-lists", "new-programmes")),
           ("administrator", ("applications", "outbox", "suspended-users")))
       for name in names},
    "users directory": Page("administrator", lambda d: "/admin/users"),
    "users search": Page("administrator", lambda d: "/admin/users?q=tester", htmx=True),
    "user profile": Page("administrator", lambda d: f"/admin/users/{d.account_manager.id}"),
    "new user form": Page("administrator", lambda d: "/admin/users/new"),
    "edit user form": Page("administrator",
                           lambda d: f"/admin/users/{d.account_manager.id}/edit"),
    "roles": Page("administrator", lambda d: "/admin/roles"),
    "territories": Page("administrator", lambda d: "/admin/territories"),
    "companies": Page("administrator", lambda d: "/admin/companies"),
    "admin catalogue": Page("administrator", lambda d: "/admin/catalogue"),
    "outbox": Page("administrator", lambda d: "/admin/outbox"),
    "approvals": Page("coordinator", lambda d: "/approvals"),
    "approvals search": Page("coordinator", lambda d: "/approvals?q=applicant", htmx=True),
    "application review": Page("coordinator", lambda d: f"/approvals/{d.applicant_ids[0]}"),
    "catalogue": Page("buyer", lambda d: "/catalogue"),
    "catalogue search": Page("buyer", lambda d: "/catalogue?q=programme", htmx=True),
    "programme page": Page("buyer", lambda d: f"/catalogue/{d.programme.id}"),
    "lists": Page("coordinator", lambda d: "/lists"),
    "list page": Page("account_manager", lambda d: f"/lists/{d.buyer_list.id}"),
    "list catalogue search": Page(
        "account_manager", lambda d: f"/lists/{d.buyer_list.id}/catalogue?q=programme",
        htmx=True),
    "list note save": Page(
        "account_manager", lambda d: f"/lists/{d.buyer_list.id}/items/{d.first_item_id}/note",
        htmx=True, method="POST"),
    "list share form": Page("account_manager", lambda d: f"/lists/{d.buyer_list.id}/share"),
    "account manager's profile": Page("account_manager", lambda d: "/profile"),
    "sales coordinator's profile": Page("coordinator", lambda d: "/profile"),
    "meetings": Page("coordinator", lambda d: "/meetings"),
    "meetings search": Page("coordinator", lambda d: "/meetings?q=tester", htmx=True),
    "meeting form": Page("coordinator", lambda d: "/meetings/new"),
    "meeting buyer picker": Page(
        "coordinator", lambda d: f"/meetings/buyers?host={d.account_manager.id}", htmx=True),
    "meeting buyer picker, the SC hosting": Page(
        "coordinator", lambda d: f"/meetings/buyers?host={d.coordinator.id}", htmx=True),
    "meeting page": Page("account_manager", lambda d: f"/meetings/{d.meeting.id}"),
    "meeting edit form": Page("coordinator", lambda d: f"/meetings/{d.meeting.id}/edit"),
    "ipad day": Page("account_manager", lambda d: "/ipad/"),
    "ipad meeting": Page("account_manager", lambda d: f"/ipad/meetings/{d.meeting.id}"),
    "ipad items": Page("account_manager", lambda d: f"/ipad/meetings/{d.meeting.id}/items",
                       htmx=True),
    "my account managers": Page("coordinator", lambda d: "/my-account-managers"),
    "my account managers search": Page("coordinator",
                                       lambda d: "/my-account-managers?q=tester", htmx=True),
    "reporting overview": Page("coordinator", lambda d: "/reporting"),
    "reporting buyers": Page("coordinator", lambda d: "/reporting/buyers"),
    "reporting buyers by name": Page("coordinator",
                                     lambda d: "/reporting/buyers?sort=name&dir=asc"),
    "reporting buyers search": Page("coordinator", lambda d: "/reporting/buyers?q=tester",
                                    htmx=True),
    "reporting over every buyer": Page("administrator", lambda d: "/reporting/buyers"),
    "reporting programmes": Page("coordinator", lambda d: "/reporting/programmes"),
    "reporting buyer page": Page("coordinator", lambda d: f"/reporting/users/{d.buyer.id}"),
    "reporting CSV": Page("coordinator", lambda d: "/reporting/export.csv"),
    "reporting buyer CSV": Page("coordinator",
                                lambda d: f"/reporting/export.csv?buyer={d.buyer.id}"),
}


@pytest.fixture
def count_statements(app):
    """count_statements(client, page, distributor): SQL statements one request issues."""
    with app.app_context():
        engine = db.engine
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)

    def count(client, page: Page, distributor: Distributor) -> int:
        headers = {"HX-Request": "true"} if page.htmx else {}
        notes = iter(f"Note written at request {n}" for n in itertools.count())
        if page.method == "POST":  # each save is based on the version the one before left
            versions = itertools.count(db.session.get(ListItem, distributor.first_item_id)
                                       .note_version)

        def request():
            data = ({"note": next(notes), "version": next(versions)}
                    if page.method == "POST" else None)
            response = client.open(page.path(distributor), method=page.method,
                                   headers=headers, data=data)
            assert response.status_code == 200, response.status_code
            response.get_data()  # a streamed answer runs its statements as it is read
            return response

        request()  # warm-up: first-request work is not per-row work
        statements.clear()
        request()
        return len(statements)

    yield count
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def two_per_page(app, monkeypatch):
    monkeypatch.setitem(app.config, "USERS_PER_PAGE", 2)
    monkeypatch.setitem(app.config, "CATALOGUE_PER_PAGE", 2)
    monkeypatch.setattr(reporting_activity, "TIMELINE_PER_PAGE", 2)
    monkeypatch.setattr(profiles, "BUYERS_PER_PAGE", 2)
    monkeypatch.setattr(outbox, "MESSAGES_PER_PAGE", 2)


def test_no_page_issues_more_statements_for_more_rows(ctx, login, count_statements,
                                                      two_per_page):
    distributor = Distributor()
    distributor.grow(SMALL)

    def counts():
        return {name: count_statements(login(getattr(distributor, page.viewer)), page,
                                       distributor)
                for name, page in PAGES.items()}

    small = counts()
    distributor.grow(LARGE - SMALL)
    large = counts()

    grown = {name: f"{small[name]} statements with {SMALL} rows, {large[name]} with {LARGE}"
             for name in PAGES if large[name] != small[name]}
    assert grown == {}
