"""The pages and htmx fragments the benchmarks drive, as the demo users use them.

One row of ENTRIES per thing measured. A row names who asks (a demo account), how
(method, htmx or not), and builds its URL and form from `Targets`: ids looked up once in
the database, so the same table works on the demo data and on a generated distributor.
To measure a new page, add a row; if it needs an id, add a field to Targets and fill it
in find_targets().
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select

SEARCH_TERMS = ["an", "mor", "sch", "nord", "li", "e"]
PAGE, FRAGMENT = "page", "fragment"


@dataclass
class Targets:
    """Ids the entries point at, found in the database being measured."""

    programme_ids: list[int] = field(default_factory=list)
    # (list id, item id) of items on lists that the note-writing user owns
    note_items: list[tuple[int, int]] = field(default_factory=list)
    list_id: int = 0
    applicant_id: int = 0
    host_id: int = 0  # the AM the SC sets meetings up for
    meeting_id: int = 0  # a meeting the AM hosts
    meeting_item_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str  # PAGE (a whole HTML page) or FRAGMENT (an htmx answer)
    user: str  # the demo account that asks; "" for an anonymous visitor
    path: Callable[[Targets, int], str]  # (targets, request number) -> URL path
    method: str = "GET"
    form: Callable[[Targets, int], dict] | None = None
    status: int = 200

    @property
    def htmx(self) -> bool:
        return self.kind == FRAGMENT


def _term(n: int) -> str:
    return SEARCH_TERMS[n % len(SEARCH_TERMS)]


def _note_item(targets: Targets, n: int) -> tuple[int, int]:
    return targets.note_items[n % len(targets.note_items)]


ADMIN, AM, SC, BUYER = "admin@demo.test", "alice@demo.test", "sam@demo.test", "ben@demo.test"

ENTRIES: list[Entry] = [
    Entry("home", PAGE, AM, lambda t, n: "/"),
    Entry("users directory", PAGE, ADMIN, lambda t, n: "/admin/users"),
    Entry("users search", FRAGMENT, ADMIN, lambda t, n: f"/admin/users?q={_term(n)}"),
    Entry("approvals", PAGE, SC, lambda t, n: "/approvals"),
    Entry("approvals search", FRAGMENT, SC, lambda t, n: f"/approvals?q={_term(n)}"),
    Entry("application review", PAGE, SC,
          lambda t, n: f"/approvals/{t.applicant_id}"),
    Entry("catalogue", PAGE, BUYER, lambda t, n: "/catalogue"),
    Entry("catalogue search", FRAGMENT, BUYER, lambda t, n: f"/catalogue?q={_term(n)}"),
    Entry("programme page", PAGE, BUYER,
          lambda t, n: f"/catalogue/{t.programme_ids[n % len(t.programme_ids)]}"),
    Entry("lists", PAGE, SC, lambda t, n: "/lists"),
    Entry("list page", PAGE, AM, lambda t, n: f"/lists/{t.list_id}"),
    Entry("list note save", FRAGMENT, AM,
          lambda t, n: "/lists/{}/items/{}/note".format(*_note_item(t, n)),
          method="POST", form=lambda t, n: {"note": f"Asked for the screener ({n})."}),
    Entry("profile", PAGE, AM, lambda t, n: "/profile"),
    Entry("meetings", PAGE, SC, lambda t, n: "/meetings"),
    Entry("meetings search", FRAGMENT, SC, lambda t, n: f"/meetings?q={_term(n)}"),
    Entry("meeting form", PAGE, SC, lambda t, n: "/meetings/new"),
    Entry("meeting form host change", FRAGMENT, SC,
          lambda t, n: f"/meetings/buyers?host={t.host_id}"),
    Entry("meeting buyer search", FRAGMENT, SC,
          lambda t, n: f"/meetings/buyers?host={t.host_id}&buyer_q={_term(n)}"),
    Entry("meeting page", PAGE, AM, lambda t, n: f"/meetings/{t.meeting_id}"),
    Entry("ipad day", PAGE, AM, lambda t, n: "/ipad/"),
    Entry("ipad meeting", PAGE, AM, lambda t, n: f"/ipad/meetings/{t.meeting_id}"),
    Entry("ipad save", FRAGMENT, AM, lambda t, n: f"/ipad/meetings/{t.meeting_id}/changes",
          method="POST", form=lambda t, n: {
              "key": f"bench-{uuid.uuid4().hex}", "kind": "interest",
              "item_id": t.meeting_item_ids[n % len(t.meeting_item_ids)],
              "value": ("up", "down", "none")[n % 3]}),
]

BROWSER_PAGES = [entry for entry in ENTRIES if entry.kind == PAGE and entry.method == "GET"]


def select_entries(names: list[str] | None) -> list[Entry]:
    """The entries named (all when none are), in table order; unknown names are an error."""
    if not names:
        return list(ENTRIES)
    known = {entry.name: entry for entry in ENTRIES}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SystemExit(f"Unknown entries {unknown}; choose from {sorted(known)}")
    return [entry for entry in ENTRIES if entry.name in names]


def find_targets() -> Targets:
    """Look the ids up in the database of the current app context."""
    from webapp import access
    from webapp.extensions import db
    from webapp.models import (
        ListItem,
        Meeting,
        Programme,
        ProgrammeList,
        Registration,
        RegistrationStatus,
        User,
    )

    owner_id = db.session.scalar(select(User.id).where(User.email == AM))
    if owner_id is None:
        raise SystemExit(f"No user {AM}: load the demo data first (flask --app webapp seed-demo)")
    targets = Targets()
    targets.programme_ids = list(db.session.scalars(
        select(Programme.id).order_by(Programme.id).limit(50)))
    targets.note_items = [tuple(row) for row in db.session.execute(
        select(ListItem.list_id, ListItem.id).join(ProgrammeList)
        .where(ProgrammeList.owner_id == owner_id).order_by(ListItem.id).limit(20))]
    targets.list_id = db.session.scalar(
        select(ProgrammeList.id).join(ListItem).where(ProgrammeList.owner_id == owner_id)
        .group_by(ProgrammeList.id).order_by(func.count(ListItem.id).desc()).limit(1)) or 0
    coordinator = db.session.scalar(select(User).where(User.email == SC))
    targets.applicant_id = db.session.scalar(
        access.registrations_visible_to(coordinator).with_only_columns(Registration.user_id)
        .where(Registration.status == RegistrationStatus.PENDING).limit(1)) or 0
    targets.host_id = owner_id
    meeting = db.session.scalar(select(Meeting).where(Meeting.host_id == owner_id)
                                .order_by(Meeting.id).limit(1))
    if meeting is not None:
        targets.meeting_id = meeting.id
        targets.meeting_item_ids = list(db.session.scalars(
            select(ListItem.id).where(ListItem.list_id == meeting.list_id)))
    missing = [name for name, value in vars(targets).items() if not value]
    if missing:
        raise SystemExit(f"The database lacks what the entries need: {missing}")
    return targets
