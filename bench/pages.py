"""The pages and htmx fragments the benchmarks drive, as the sales team uses them.

One row of ENTRIES per thing measured. A row names who asks (a role: "admin", "am", "sc",
"buyer", or "" for an anonymous visitor), how (method, htmx or not), whether it saves (a
POST, or a page that records a view: its throughput is read against the write floor) or is
a reporting page (its speed targets are bench.reporting's), and builds its URL and form
from `Targets`: ids looked up once in the database, so the same table works on the
demo data and on a generated distributor (bench/generate.py). find_targets() also picks the
accounts that play the roles: the demo set or the generated one, whichever the database
holds. To measure a new page, add a row; if it needs an id, add a field to Targets and fill
it in find_targets().
"""

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import exists, func, select

from bench.second_factor import CODES

# Names of the demo data (an, mor, sch, nord, li, e) and of a generated distributor ("Buyer
# No. 123", "Company 12 ..."), short and long: short ones match the start of a word.
SEARCH_TERMS = ["an", "mor", "sch", "nord", "li", "e", "bu", "no. 1"]
PAGE, FRAGMENT = "page", "fragment"


@dataclass(frozen=True)
class Accounts:
    """Who plays each role in one kind of database, and their shared password."""

    emails: dict[str, str]  # role -> email
    password: str

    def email(self, role: str) -> str:
        """The role's account; "" (an anonymous visitor) for no role."""
        return self.emails[role] if role else ""


DEMO_ACCOUNTS = Accounts({"admin": "admin@demo.test", "am": "alice@demo.test",
                          "sc": "sam@demo.test", "buyer": "ben@demo.test"}, "demo-password")
GENERATED_ACCOUNTS = Accounts({"admin": "admin@bench.test", "am": "am@bench.test",
                               "sc": "sc@bench.test", "buyer": "buyer@bench.test"},
                              "bench-password")
ACCOUNT_SETS = [DEMO_ACCOUNTS, GENERATED_ACCOUNTS]


@dataclass
class Targets:
    """Ids the entries point at, found in the database being measured, and who asks."""

    accounts: Accounts = DEMO_ACCOUNTS
    programme_ids: list[int] = field(default_factory=list)
    # (list id, item id) of items on ordinary (not meeting) lists the AM owns
    note_items: list[tuple[int, int]] = field(default_factory=list)
    note_versions: dict[int, int] = field(default_factory=dict)  # item id -> note version
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    list_id: int = 0
    applicant_id: int = 0
    host_id: int = 0  # the AM the SC sets meetings up for
    meeting_id: int = 0  # a meeting the AM hosts
    meeting_item_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str  # PAGE (a whole HTML page) or FRAGMENT (an htmx answer)
    role: str  # who asks: a key of Accounts.emails; "" for an anonymous visitor
    path: Callable[[Targets, int], str]  # (targets, request number) -> URL path
    method: str = "GET"
    form: Callable[[Targets, int], dict] | None = None
    status: int = 200
    # Requests of one lane build on each other (a save on the version the previous one
    # left): a load generator sends them in order, one after the other's answer.
    lane: Callable[[Targets, int], int] = lambda t, n: n
    records: bool = False  # a GET that writes: the programme page records the buyer's view
    report: bool = False  # a reporting page: its targets are bench.reporting's

    @property
    def htmx(self) -> bool:
        return self.kind == FRAGMENT

    @property
    def saves(self) -> bool:
        """Writes and commits: read against the write floor rather than the read floor."""
        return self.method != "GET" or self.records


def _term(n: int) -> str:
    return SEARCH_TERMS[n % len(SEARCH_TERMS)]


def _note_item(targets: Targets, n: int) -> tuple[int, int]:
    return targets.note_items[n % len(targets.note_items)]


def _note_form(targets: Targets, item_id: int) -> dict:
    """A changed note, saved on the version the previous save of the item left: as a user
    who saves, gets the new version back and saves again."""
    with targets.lock:
        version = targets.note_versions[item_id]
        targets.note_versions[item_id] = version + 1
    return {"note": f"Asked for the screener (version {version + 1}).", "version": version}


ADMIN, AM, SC, BUYER = "admin", "am", "sc", "buyer"

ENTRIES: list[Entry] = [
    Entry("health check", FRAGMENT, "", lambda t, n: "/healthz"),
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
          lambda t, n: f"/catalogue/{t.programme_ids[n % len(t.programme_ids)]}",
          records=True),
    Entry("lists", PAGE, SC, lambda t, n: "/lists"),
    Entry("list page", PAGE, AM, lambda t, n: f"/lists/{t.list_id}"),
    Entry("list note save", FRAGMENT, AM,
          lambda t, n: "/lists/{}/items/{}/note".format(*_note_item(t, n)),
          method="POST", form=lambda t, n: _note_form(t, _note_item(t, n)[1]),
          lane=lambda t, n: n % len(t.note_items)),
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
    Entry("reporting overview", PAGE, SC, lambda t, n: "/reporting", report=True),
    Entry("reporting buyers", PAGE, SC, lambda t, n: "/reporting/buyers", report=True),
    Entry("reporting buyers search", FRAGMENT, SC,
          lambda t, n: f"/reporting/buyers?q={_term(n)}", report=True),
    Entry("reporting programmes", PAGE, SC, lambda t, n: "/reporting/programmes",
          report=True),
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


def refresh_note_versions(targets: Targets) -> None:
    """Read the note items' versions again, in the app context of the database measured:
    after a client that does not keep them (wrk) saved notes."""
    from webapp.extensions import db
    from webapp.models import ListItem

    ids = [item_id for _, item_id in targets.note_items]
    rows = db.session.execute(select(ListItem.id, ListItem.note_version)
                              .where(ListItem.id.in_(ids))).all()
    db.session.rollback()
    with targets.lock:
        targets.note_versions.update(dict(rows))


def find_accounts() -> Accounts:
    """The account set whose Account Manager exists in the database of the app context."""
    from webapp.extensions import db
    from webapp.models import User

    present = set(db.session.scalars(select(User.email).where(
        User.email.in_([accounts.email(AM) for accounts in ACCOUNT_SETS]))))
    for accounts in ACCOUNT_SETS:
        if accounts.email(AM) in present:
            return accounts
    raise SystemExit("Neither the demo users nor a generated distributor's are here: load the "
                     "demo data (flask --app webapp seed-demo) or run bench.generate")


def find_targets() -> Targets:
    """Look the ids and accounts up in the database of the current app context."""
    from webapp import access
    from webapp.extensions import db
    from webapp.models import (
        ListItem,
        ListKind,
        Meeting,
        Programme,
        ProgrammeList,
        Registration,
        RegistrationStatus,
        User,
    )

    accounts = find_accounts()
    CODES.load(accounts.emails.values())
    owner_id = db.session.scalar(select(User.id).where(User.email == accounts.email(AM)))
    targets = Targets(accounts=accounts)
    targets.programme_ids = list(db.session.scalars(
        select(Programme.id).order_by(Programme.id).limit(50)))
    own_lists = ((ProgrammeList.owner_id == owner_id)
                 & (ProgrammeList.kind != ListKind.MEETING))
    note_rows = db.session.execute(
        select(ListItem.list_id, ListItem.id, ListItem.note_version).join(ProgrammeList)
        .where(own_lists).order_by(ListItem.id).limit(100)).all()
    targets.note_items = [(list_id, item_id) for list_id, item_id, _ in note_rows]
    targets.note_versions = {item_id: version for _, item_id, version in note_rows}
    targets.list_id = db.session.scalar(
        select(ProgrammeList.id).join(ListItem).where(own_lists)
        .group_by(ProgrammeList.id).order_by(func.count(ListItem.id).desc(), ProgrammeList.id)
        .limit(1)) or 0
    coordinator = db.session.scalar(select(User).where(User.email == accounts.email(SC)))
    targets.applicant_id = db.session.scalar(
        access.registrations_visible_to(coordinator).with_only_columns(Registration.user_id)
        .where(Registration.status == RegistrationStatus.PENDING)
        .order_by(Registration.id).limit(1)) or 0
    targets.host_id = owner_id
    meeting = db.session.scalar(
        select(Meeting).where(Meeting.host_id == owner_id,
                              exists().where(ListItem.list_id == Meeting.list_id))
        .order_by(Meeting.id).limit(1))
    if meeting is not None:
        targets.meeting_id = meeting.id
        targets.meeting_item_ids = list(db.session.scalars(
            select(ListItem.id).where(ListItem.list_id == meeting.list_id)))
    missing = [name for name, value in vars(targets).items() if not value]
    if missing:
        raise SystemExit(f"The database lacks what the entries need: {missing}"
                         + (" (run bench.generate --extras-only on it)"
                            if accounts is GENERATED_ACCOUNTS else ""))
    return targets
