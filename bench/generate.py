"""Generate a large distributor for benchmarks, on SQLite or PostgreSQL, with bulk inserts.

    .venv/bin/python -m bench.generate postgresql+psycopg://postgres@127.0.0.1/bench --reset
    .venv/bin/python -m bench.generate sqlite:////tmp/bench.db --buyers 2000 --events 200000
    .venv/bin/python -m bench.generate postgresql+psycopg://postgres@127.0.0.1/bench --extras-only

Defaults: 20,000 buyers in 2,000 companies, 200 internal users (Account Managers covering
territories, Sales Coordinators linked to them directly and by territory), 5,000 programmes,
20,000 meetings (most of them held, with lists and interest marks; am@bench.test hosts the
first) and 2,000,000 activity events over the last year, with their daily rollup. Seeded: the
same sizes give the same data.

Then the extras that bench/pages.py's entries need (add_extras): three lists of ten items
per AM (a working list and two for their own buyers), five global lists of the
administrator's, and 300 pending registrations, some of them requesting am@bench.test so
that sc@bench.test has applications to review. --extras-only adds just these to a database
generated before they existed, and does nothing if it already holds them.

Named accounts (password "bench-password") for the benchmarks to sign in as:
admin@bench.test, am@bench.test (an AM), sc@bench.test (an SC linked to three AMs),
all@bench.test (an SC who may report on all users), buyer@bench.test.

The schema is created when the database is empty; --reset drops and recreates it first.
Events go in with COPY on PostgreSQL and executemany on SQLite, a chunk at a time, so
memory does not grow with --events; the time of each step and the database's size are
printed. Ten times the events (--events 20000000, the database of reporting's target 5)
take ten times as long as the default's events and about 5.8 GB on PostgreSQL.
"""

import argparse
import io
import random
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, inspect, select, text

from webapp import create_app
from webapp.extensions import db
from webapp.models import (
    ActivityEvent,
    Company,
    EmailSource,
    EventKind,
    ListItem,
    ListKind,
    Meeting,
    MeetingStatus,
    MeetingSummarySend,
    Programme,
    ProgrammeList,
    Region,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    Role,
    RoleKind,
    Territory,
    User,
    UserStatus,
    account_manager_coordinators,
    company_territories,
    meeting_attendees,
    user_roles,
    user_territories,
)
from webapp.permissions import Permission
from webapp.services.activity import rebuild_activity_days
from webapp.services.passwords import hash_password
from webapp.services.roles import ensure_builtin_roles

PASSWORD = "bench-password"
REGIONS = ["EMEA", "Americas", "APAC", "Nordics & Baltics", "CEE", "MENA"]
TERRITORIES_PER_REGION = 10
DAYS = 365
CHUNK = 100_000
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


def _parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="SQLAlchemy database URL")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the schema")
    parser.add_argument("--buyers", type=int, default=20_000)
    parser.add_argument("--companies", type=int, default=2_000)
    parser.add_argument("--internal", type=int, default=200)
    parser.add_argument("--programmes", type=int, default=5_000)
    parser.add_argument("--meetings", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--extras-only", action="store_true",
                        help="only add the benchmark entries' lists and registrations to an "
                             "already generated database (nothing if they are there)")
    args = parser.parse_args()
    if args.extras_only and args.reset:
        parser.error("--extras-only works on an existing generated database: no --reset")
    return args


class Loader:
    """Bulk inserts: COPY on PostgreSQL, executemany on SQLite, in the session's transaction."""

    def __init__(self):
        self.dialect = db.session.get_bind().dialect.name

    def rows(self, table, columns: list[str], rows) -> int:
        count = 0
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                count += self._flush(table, columns, chunk)
                chunk = []
        return count + (self._flush(table, columns, chunk) if chunk else 0)

    def _flush(self, table, columns, chunk) -> int:
        raw = db.session.connection().connection.driver_connection
        if self.dialect == "postgresql":
            buffer = io.StringIO()
            for row in chunk:
                buffer.write("\t".join(r"\N" if v is None else _pg(v) for v in row) + "\n")
            with raw.cursor() as cursor, cursor.copy(
                    f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
        else:
            marks = ", ".join("?" * len(columns))
            raw.executemany(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})",
                            [tuple(_sqlite(v) for v in row) for row in chunk])
        return len(chunk)


def _pg(value) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _sqlite(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime(SQLITE_TIME)
    return value


USER_COLUMNS = ["id", "email", "password_hash", "first_name", "last_name", "job_title",
                "phone", "status", "is_suspended", "session_version", "company_id",
                "account_manager_id", "region_id", "created_at"]


def _load_people(loader, users, role_rows, territory_rows) -> None:
    """Users (rows of USER_COLUMNS) with their roles and territories."""
    loader.rows(User.__table__, USER_COLUMNS, users)
    loader.rows(user_roles, ["user_id", "role_id"], role_rows)
    loader.rows(user_territories, ["user_id", "territory_id"], territory_rows)


def _people(rng, loader, args, roles, territories, companies, now, password_hash):
    """Internal users with their links, then the buyers. Returns the buyer ids and AM ids."""
    user_id = 0
    users, role_rows, territory_rows, links = [], [], [], []

    def person(email, first, last, kind, **fields):
        nonlocal user_id
        user_id += 1
        users.append((user_id, email, password_hash, first, last, fields.get("job", ""), "",
                      "active", False, 1, fields.get("company"), fields.get("am"),
                      fields.get("region"), now - timedelta(days=rng.randint(30, 900))))
        role_rows.append((user_id, roles[kind].id))
        for territory in fields.get("territories", ()):
            territory_rows.append((user_id, territory))
        return user_id

    person("admin@bench.test", "Ada", "Admin", RoleKind.ADMINISTRATOR)
    managers = args.internal * 6 // 10
    am_ids = []
    for n in range(managers):
        covered = rng.sample(territories, k=rng.choice([1, 1, 2]))
        am_ids.append(person("am@bench.test" if n == 0 else f"am{n}@bench.test", "Account",
                             f"Manager {n}", RoleKind.ACCOUNT_MANAGER, territories=covered))
    for n in range(args.internal - managers - 1):
        email = {0: "sc@bench.test", 1: "all@bench.test"}.get(n, f"sc{n}@bench.test")
        own = [] if n < 2 or rng.random() < 0.6 else [rng.choice(territories)]
        sc = person(email, "Sales", f"Coordinator {n}", RoleKind.SALES_COORDINATOR,
                    territories=own)
        for am in (am_ids[:3] if n == 0 else rng.sample(am_ids, k=rng.randint(1, 4))):
            links.append((am, sc))
        if n == 1:
            role_rows.append((sc, roles["all"].id))
    weights = [1 / (rank + 1) ** 0.6 for rank in range(len(companies))]
    picks = rng.choices(companies, weights=weights, k=args.buyers)
    first_buyer = user_id + 1
    for n, (company_id, territory_id, region_id) in enumerate(picks):
        person("buyer@bench.test" if n == 0 else f"buyer{n}@bench.test", "Buyer", f"No. {n}",
               RoleKind.BUYER, company=company_id, region=region_id,
               territories=[territory_id] if rng.random() < 0.5 else [],
               am=rng.choice(am_ids) if rng.random() < 0.3 else None, job="Acquisitions")
    _load_people(loader, users, role_rows, territory_rows)
    loader.rows(account_manager_coordinators, ["account_manager_id", "sales_coordinator_id"],
                links)
    return list(range(first_buyer, user_id + 1)), am_ids


def _places(rng, args):
    regions = [Region(name=name) for name in REGIONS]
    territories = [Territory(name=f"{region.name} {n + 1}") for region in regions
                   for n in range(TERRITORIES_PER_REGION)]
    db.session.add_all([*regions, *territories])
    db.session.flush()
    region_of = {t.id: regions[i // TERRITORIES_PER_REGION].id for i, t in enumerate(territories)}
    companies = []
    for n in range(args.companies):
        territory = rng.choice(territories)
        companies.append((n + 1, f"Broadcaster {n + 1:05d}", f"broadcaster {n + 1:05d}",
                          region_of[territory.id], territory.id))
    loader = Loader()
    loader.rows(Company.__table__, ["id", "name", "name_key", "region_id"],
                [c[:4] for c in companies])
    loader.rows(company_territories, ["company_id", "territory_id"],
                [(c[0], c[4]) for c in companies])
    return [t.id for t in territories], [(c[0], c[4], c[3]) for c in companies]


def _programmes(rng, loader, count, now) -> list[int]:
    kinds = ["Series", "Film", "Documentary", "Docuseries", "Format", "Kids"]
    loader.rows(Programme.__table__, ["id", "title", "programme_type", "year", "synopsis",
                                      "screener_url", "created_at"],
                ((n, f"Programme {n:05d}", rng.choice(kinds), rng.randint(1990, 2026), "",
                  f"https://screeners.example.com/{n}" if rng.random() < 0.6 else None, now)
                 for n in range(1, count + 1)))
    return list(range(1, count + 1))


def _meetings(rng, loader, args, buyers, am_ids, programmes, now):
    """Meetings over the year, most held, each with a list of five items and marks."""
    meetings, attendees, lists, items, sends, held = [], [], [], [], [], []
    item_id = 0
    for n in range(1, args.meetings + 1):
        starts = now - timedelta(days=rng.uniform(0, DAYS))
        started = starts if rng.random() < 0.7 else None
        host = rng.choice(am_ids)
        if n == 1:  # the benchmarks' AM hosts a meeting whatever the sizes
            host = am_ids[0]
        lists.append((n, f"Meeting {n}", ListKind.MEETING.value, host, starts, starts))
        meetings.append((n, f"meeting-{n}@bench", 0, f"Meeting {n}", MeetingStatus.SCHEDULED
                         .value, host, starts, "UTC", 30, "", "", "", "", "", 1, n, started,
                         starts, starts))
        who = rng.sample(buyers, k=rng.choice([1, 1, 2, 3]))
        attendees.extend((n, buyer) for buyer in who)
        marks = []
        for position, programme in enumerate(rng.sample(programmes, k=5), start=1):
            item_id += 1
            interest = rng.choice([1, 1, -1, None]) if started else None
            items.append((item_id, n, position, programme, "", 1, interest, False, starts))
            if interest is not None:
                marks.append((programme, interest))
        if started:
            held.append((n, started, who, marks))
            if rng.random() < 0.6:
                sends.append((n, host, started + timedelta(hours=2), ""))
    loader.rows(ProgrammeList.__table__, ["id", "name", "kind", "owner_id", "created_at",
                                          "updated_at"], lists)
    loader.rows(Meeting.__table__, [
        "id", "uid", "sequence", "title", "status", "host_id", "starts_at", "timezone",
        "duration_minutes", "market", "stand", "room", "pre_meeting_notes", "meeting_notes",
        "meeting_notes_version", "list_id", "started_at", "created_at", "updated_at"], meetings)
    loader.rows(meeting_attendees, ["meeting_id", "buyer_id"], attendees)
    loader.rows(ListItem.__table__, ["id", "list_id", "position", "programme_id", "note",
                                     "note_version", "interest", "include_screener",
                                     "added_at"], items)
    loader.rows(MeetingSummarySend.__table__, ["meeting_id", "sent_by_id", "sent_at",
                                               "recipients"], sends)
    return held


EVENT_COLUMNS = ["user_id", "kind", "occurred_at", "programme_id", "list_id", "meeting_id",
                 "source", "interest"]


def _meeting_events(held, now):
    for meeting_id, started, who, marks in held:
        for buyer in who:
            yield (buyer, EventKind.MEETING_ATTENDED.value, started, None, None, meeting_id,
                   None, None)
            for minute, (programme, interest) in enumerate(marks, start=1):
                yield (buyer, EventKind.INTEREST_MARKED.value,
                       min(started + timedelta(minutes=minute), now), programme, None,
                       meeting_id, None, interest)


def _visit(rng, buyer, start, programmes, programme_weights):
    """One visit: maybe a login, the visit, programme pages, some screeners, a list."""
    rows = []
    if rng.random() < 0.45:
        rows.append((buyer, "login", start, None, None, None, None, None))
    rows.append((buyer, "visit", start, None, None, None, None, None))
    if rng.random() < 0.04:
        rows.append((buyer, "email_click", start, None, None, None,
                     EmailSource.LIST_SHARE.value, None))
    moment = start
    views = min(int(rng.expovariate(1 / 4.5)), 40)
    for programme in rng.choices(programmes, weights=programme_weights, k=views):
        moment += timedelta(seconds=rng.randint(15, 300))
        rows.append((buyer, "programme_view", moment, programme, None, None, None, None))
        if rng.random() < 0.25:
            moment += timedelta(seconds=rng.randint(20, 90))
            rows.append((buyer, "screener_play", moment, programme, None, None, None, None))
    if rng.random() < 0.1:
        rows.append((buyer, "list_view", moment, None, None, None, None, None))
    return rows


def _browsing_events(rng, count, buyers, programmes, now):
    """About `count` events in visits: a few buyers are very busy, most come now and then,
    a few titles are hits; weekdays and office hours mostly."""
    buyer_weights = [1 / (rank + 1) ** 0.5 for rank in range(len(buyers))]
    programme_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(programmes))]
    made = 0
    while made < count:
        for buyer in rng.choices(buyers, weights=buyer_weights, k=1000):
            day = now - timedelta(days=rng.randrange(DAYS))
            if day.weekday() >= 5 and rng.random() < 0.7:
                continue
            start = day.replace(hour=0, minute=0, second=0) + timedelta(
                hours=rng.triangular(6, 20, 10), minutes=rng.random() * 60)
            for row in _visit(rng, buyer, start, programmes, programme_weights):
                if made < count and row[2] < now:
                    made += 1
                    yield row


@contextmanager
def _stage(name: str):
    """Print how long a step took: a large run's time is extrapolated from a small one's."""
    started = time.perf_counter()
    yield
    print(f"  {name}: {time.perf_counter() - started:.0f} s", flush=True)


def _fix_sequences():
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("users", "companies", "programmes", "meetings", "lists", "list_items",
                  "meeting_summary_sends", "activity_events", "regions", "territories",
                  "registrations", "registration_events"):
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"))


def generate(args) -> dict[str, int]:
    rng = random.Random(args.seed)
    now = datetime.now(UTC).replace(microsecond=0)
    roles = ensure_builtin_roles()
    everyone = Role(name="Reporting (all users)", description="Sees reporting for every buyer.")
    everyone.permissions = {Permission.VIEW_REPORTING, Permission.VIEW_REPORTING_ALL}
    db.session.add(everyone)
    db.session.flush()
    roles = {**roles, "all": everyone}
    loader = Loader()
    with _stage("people, programmes and meetings"):
        territories, companies = _places(rng, args)
        buyers, am_ids = _people(rng, loader, args, roles, territories, companies, now,
                                 hash_password(PASSWORD))
        programmes = _programmes(rng, loader, args.programmes, now)
        held = _meetings(rng, loader, args, buyers, am_ids, programmes, now)
    with _stage(f"{args.events:,} activity events"):
        meeting_events = loader.rows(ActivityEvent.__table__, EVENT_COLUMNS,
                                     _meeting_events(held, now))
        loader.rows(ActivityEvent.__table__, EVENT_COLUMNS, _browsing_events(
            rng, max(args.events - meeting_events, 0), buyers, programmes, now))
    with _stage("rollups"):
        rebuild_activity_days()
    with _stage("lists, registrations and commit"):
        add_extras(args.seed, now)
        _fix_sequences()
        db.session.commit()
    return _counts()


def _counts() -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, Company, Programme, Meeting, ProgrammeList, Registration,
                          ActivityEvent)}


LISTS_PER_AM, GLOBAL_LISTS, ITEMS_PER_LIST, APPLICANTS = 3, 5, 10, 300


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def add_extras(seed: int, now: datetime) -> bool:
    """Add the lists and pending registrations the benchmark entries need; False (and
    nothing added) if the database already holds an ordinary list or a registration.

    Reads what it builds on (AMs, buyers, programmes, territories) from the database, with
    an rng of its own, so it gives the same rows after a full generation or on its own.
    """
    roles = ensure_builtin_roles()
    admin_id = db.session.scalar(select(User.id).where(User.email == "admin@bench.test"))
    am_ids = list(db.session.scalars(
        select(user_roles.c.user_id).where(user_roles.c.role_id ==
                                           roles[RoleKind.ACCOUNT_MANAGER].id)
        .order_by(user_roles.c.user_id)))
    if admin_id is None or not am_ids or am_ids[0] != db.session.scalar(
            select(User.id).where(User.email == "am@bench.test")):
        raise SystemExit("Not a generated distributor (no admin@ or am@bench.test first AM).")
    if (db.session.scalar(select(func.count()).select_from(Registration))
            or db.session.scalar(select(func.count()).select_from(ProgrammeList)
                                 .where(ProgrammeList.kind != ListKind.MEETING))):
        return False
    rng = random.Random(f"extras-{seed}")
    loader = Loader()
    own_buyers: dict[int, list[int]] = {}
    for buyer, am in db.session.execute(
            select(User.id, User.account_manager_id).where(
                User.account_manager_id.is_not(None), User.status == UserStatus.ACTIVE)
            .order_by(User.id)):
        own_buyers.setdefault(am, []).append(buyer)
    programmes = list(db.session.scalars(select(Programme.id).order_by(Programme.id)))
    region_ids = dict(db.session.execute(select(Region.name, Region.id)).all())
    territories = [(territory_id, region_ids.get(name.rsplit(" ", 1)[0]))
                   for territory_id, name in db.session.execute(
                       select(Territory.id, Territory.name).order_by(Territory.id))]

    lists, items = [], []
    list_id, item_id = _next_id(ProgrammeList), _next_id(ListItem)
    owners = [(admin_id, ListKind.GLOBAL, None, f"Highlights {n + 1}")
              for n in range(GLOBAL_LISTS)]
    for number, am in enumerate(am_ids):
        buyers = rng.sample(own_buyers.get(am, []), k=min(2, len(own_buyers.get(am, []))))
        owners.append((am, ListKind.MY, None, f"Market prep {number}"))
        for n in range(LISTS_PER_AM - 1):
            if n < len(buyers):
                owners.append((am, ListKind.BUYER, buyers[n], f"Picks for buyer {buyers[n]}"))
            else:
                owners.append((am, ListKind.MY, None, f"Shortlist {number}.{n + 1}"))
    for owner, kind, buyer, name in owners:
        created = now - timedelta(days=rng.uniform(0, DAYS))
        lists.append((list_id, name, kind.value, owner, buyer, created, created))
        for position, programme in enumerate(rng.sample(programmes, k=ITEMS_PER_LIST), 1):
            note = "Ask for the screener." if rng.random() < 0.2 else ""
            items.append((item_id, list_id, position, programme, note, 1, None, False,
                          created))
            item_id += 1
        list_id += 1
    loader.rows(ProgrammeList.__table__, ["id", "name", "kind", "owner_id", "buyer_id",
                                          "created_at", "updated_at"], lists)
    loader.rows(ListItem.__table__, ["id", "list_id", "position", "programme_id", "note",
                                     "note_version", "interest", "include_screener",
                                     "added_at"], items)

    users, role_rows, territory_rows, registrations, events = [], [], [], [], []
    user_id, registration_id = _next_id(User), _next_id(Registration)
    event_id = _next_id(RegistrationEvent)
    password_hash = hash_password(PASSWORD)
    for n in range(APPLICANTS):
        territory, region = rng.choice(territories)
        # The first few ask for am@bench.test: sc@bench.test (linked to it) sees them.
        am = am_ids[0] if n < 10 else rng.choice(am_ids) if rng.random() < 0.5 else None
        submitted = now - timedelta(days=rng.uniform(0, 60))
        users.append((user_id, f"applicant{n}@bench.test", password_hash, "Applicant",
                      f"No. {n}", "Acquisitions", "", UserStatus.PENDING.value, False, 1,
                      None, am, region, submitted))
        role_rows.append((user_id, roles[RoleKind.BUYER].id))
        territory_rows.append((user_id, territory))
        registrations.append((registration_id, user_id, f"Applicant Media {n:03d}",
                              territory, region, am, rng.random() < 0.5,
                              RegistrationStatus.PENDING.value, submitted))
        events.append((event_id, registration_id, user_id, "submitted", "", submitted))
        user_id, registration_id, event_id = user_id + 1, registration_id + 1, event_id + 1
    _load_people(loader, users, role_rows, territory_rows)
    loader.rows(Registration.__table__, [
        "id", "user_id", "company_name", "territory_id", "region_id",
        "requested_account_manager_id", "marketing_consent", "status", "submitted_at"],
        registrations)
    loader.rows(RegistrationEvent.__table__, ["id", "registration_id", "actor_id", "action",
                                              "changes", "created_at"], events)
    return True


def extras_only(args) -> dict[str, int]:
    """--extras-only: add_extras on an existing generated database, then fix sequences."""
    if not inspect(db.engine).has_table("users"):
        raise SystemExit("No schema here: generate the distributor first.")
    if not add_extras(args.seed, datetime.now(UTC).replace(microsecond=0)):
        print("The extras are already there: nothing added.")
        return _counts()
    _fix_sequences()
    db.session.commit()
    return _counts()


def main():
    args = _parse()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url})
    started = time.perf_counter()
    with app.app_context():
        if args.extras_only:
            counts = extras_only(args)
        else:
            if args.reset:
                db.drop_all()
            if not inspect(db.engine).has_table("users"):
                db.create_all()
            elif db.session.scalar(select(func.count()).select_from(User)):
                raise SystemExit("The database holds data: use --reset to replace it.")
            counts = generate(args)
        with _stage("analyze"):
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect().execution_options(
                        isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("ANALYZE" if args.extras_only else "VACUUM ANALYZE"))
            else:
                db.session.execute(text("ANALYZE"))
                db.session.commit()
        size = _database_size()
    print(", ".join(f"{n:,} {name}" for name, n in counts.items()),
          f"in {time.perf_counter() - started:.0f} s" + (f"; {size}" if size else ""))


def _database_size() -> str:
    """The database's size on disk, PostgreSQL only (for a SQLite file, ls says it)."""
    if db.engine.dialect.name != "postgresql":
        return ""
    return db.session.scalar(text("SELECT pg_size_pretty(pg_database_size(current_database()))"))


if __name__ == "__main__":
    main()
