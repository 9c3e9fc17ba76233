"""Reports on buyer activity: the overview and the buyers table, for the buyers in a viewer's
scope (access.reportable_users) narrowed by the report filters.

The scope is worked out once per report (one statement, `Scope.of`) and handed to every
other statement as a single parameter, so the rule is not re-evaluated inside each of them.
Counts come from the daily rollup (ActivityDay), a few rows per buyer, so a report costs a
fixed handful of statements whatever the number of buyers or events. A report on nearly
every buyer reads every buyer's daily totals (ActivityTotalDay) and takes the few others
away. A buyer's own activity and the programme rankings are in reporting_activity.py.

Every report is worked out afresh for the viewer as they are at that moment: a link to an
AM removed a second ago no longer puts that AM's buyers in the next page.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import (
    Select,
    any_,
    bindparam,
    exists,
    func,
    literal,
    literal_column,
    select,
    true,
)

from webapp import access, search
from webapp.extensions import db
from webapp.models import (
    ActivityDay,
    ActivityEvent,
    ActivityTotalDay,
    Company,
    EmailSource,
    EventKind,
    Meeting,
    MeetingSummarySend,
    Territory,
    User,
    company_territories,
    meeting_attendees,
    person_name,
    user_territories,
)
from webapp.web.pagination import KnownPagination, paginate

DAYS_PER_MONTH = 365.25 / 12
LONGEST_PERIOD = 3 * 366  # days a report may span
DAILY_UP_TO = 31  # longer periods are charted by week: 90 days of 5 measures by day is 450 bars
# What the charts and totals show, in order: (ActivityDay column, label).
MEASURES = [("visits", "Visits"), ("logins", "Logins"), ("programme_views", "Programme views"),
            ("screener_plays", "Screener plays"), ("list_views", "List views"),
            ("email_clicks", "Email clicks"), ("meetings_attended", "Meetings attended"),
            ("interest_marks", "Interest marks")]
CHARTED = ["visits", "programme_views", "screener_plays", "list_views", "email_clicks"]


@dataclass(frozen=True)
class ReportFilters:
    """What every report is narrowed by. `end` is included."""

    start: date
    end: date
    account_manager_id: int = 0
    territory_id: int = 0
    region_id: int = 0
    company: str = ""
    search: str = ""  # buyers by name, email or company (buyers table only)
    interval: str = "auto"  # "day", "week", or "auto": by day up to DAILY_UP_TO days

    @classmethod
    def default(cls, today: date | None = None) -> "ReportFilters":
        today = today or datetime.now(UTC).date()
        return cls(start=today - timedelta(days=89), end=today)

    @property
    def narrows(self) -> bool:
        """Whether the filters leave out some of the viewer's buyers."""
        return bool(self.account_manager_id or self.territory_id or self.region_id
                    or self.company.strip() or self.search.strip())

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def ends_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    @property
    def by_week(self) -> bool:
        return self.interval == "week" or (self.interval == "auto" and self.days > DAILY_UP_TO)


# --- Scope -------------------------------------------------------------------------------


def buyers_in_scope(viewer: User, filters: ReportFilters) -> Select:
    """The viewer's reportable buyers (access.reportable_users) that match the filters."""
    query = access.reportable_users(viewer)
    if filters.account_manager_id:
        query = query.where(User.id.in_(
            access.people_of_account_manager(filters.account_manager_id)))
    if filters.territory_id:
        query = query.where(User.id.in_(access.people_in_territory(filters.territory_id)))
    if filters.region_id:
        query = query.where((User.region_id == filters.region_id)
                            | User.company.has(Company.region_id == filters.region_id))
    if filters.company.strip():
        query = query.where(User.company.has(search.text_matches(Company.name,
                                                                 filters.company)))
    if filters.search.strip():
        query = query.where(search.matches_person(filters.search) | User.company.has(
            search.text_matches(Company.name, filters.search)))
    return query


def ids_of(buyers: Select) -> Select:
    return buyers.with_only_columns(User.id).order_by(None)


def id_rows(ids: list[int]) -> Select:
    """The ids as a one-column select, for `column IN (...)` on SQLite: a JSON array read by
    json_each, one parameter whatever their number."""
    return select(func.json_each(bindparam("ids", json.dumps(ids), unique=True))
                  .table_valued("value").c.value)


def id_array(ids: list[int]):
    """The ids as a PostgreSQL array written into the statement. Not a parameter: once
    psycopg prepares a statement, PostgreSQL may switch to a generic plan that searches a
    parameter array element by element for every row, where a constant array is hashed."""
    return literal_column(f"'{{{','.join(str(int(i)) for i in ids)}}}'::integer[]")


def _among(column, ids: list[int]):
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(id_array(ids))
    return column.in_(id_rows(ids))


@dataclass(frozen=True)
class Scope:
    """The buyers a report covers, worked out once for all its statements: their ids in
    order, and the ids of every other user.

    A statement is narrowed by whichever list is shorter: a scope of nearly every buyer is
    "none of these few others, and no id past the scope's highest" (so a user added
    meanwhile is not in it), which PostgreSQL plans and checks far faster than a list of
    twenty thousand.
    """

    ids: list[int]
    outside: list[int]

    @classmethod
    def of(cls, viewer: User, filters: ReportFilters) -> "Scope":
        return cls.of_query(ids_of(buyers_in_scope(viewer, filters)))

    @classmethod
    def of_query(cls, ids: Select, *also: Select) -> "Scope | tuple[Scope, ...]":
        """The scope of `ids` (a select of user ids), and of each of `also`, in one statement."""
        queries = [ids, *also]
        # Plain rows through the connection: the ORM's per-row work is not needed here.
        rows = db.session.connection().execute(
            select(User.id, *(User.id.in_(query) for query in queries)).order_by(User.id)).all()
        scopes = tuple(cls([row[0] for row in rows if row[n]],
                           [row[0] for row in rows if not row[n]])
                       for n in range(1, len(queries) + 1))
        return scopes if also else scopes[0]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def is_large(self) -> bool:
        """Nearly every user: a report reads the rollup of every buyer, less the others."""
        return len(self.ids) > len(self.outside)

    def contains(self, column):
        """A where-clause: `column` (a user id) is the id of a buyer in the scope."""
        if not self.is_large:
            return _among(column, self.ids)
        return (column <= self.ids[-1]) & ~_among(column, self.outside)

    def excludes(self, column):
        """A where-clause: `column` (a user id) is not in the scope: one of the others, or
        a user added since the scope was worked out."""
        if not self.ids:
            return true()
        return (column > self.ids[-1]) | _among(column, self.outside)


def _in_period(filters: ReportFilters):
    return ActivityDay.day.between(filters.start, filters.end)


# --- Overview ----------------------------------------------------------------------------


@dataclass
class Overview:
    buyers: int
    active_buyers: int
    totals: dict[str, int]
    visits_per_buyer_month: float
    system_visits_per_buyer_month: float
    meetings_held: int
    summaries_sent: int
    summaries_clicked: int
    series: list[tuple[date, dict[str, int]]] = field(default_factory=list)


def _per_buyer_month(visits: int, buyers: int, filters: ReportFilters) -> float:
    return visits / buyers / (filters.days / DAYS_PER_MONTH) if buyers else 0.0


def overview(viewer: User, filters: ReportFilters) -> Overview:
    """Totals, the comparison with every buyer, meetings and summary emails, and the chart."""
    scope_ids = ids_of(buyers_in_scope(viewer, filters))
    if access.reports_on_every_buyer(viewer) and not filters.narrows:
        scope = everyone = Scope.of_query(scope_ids)
    else:
        scope, everyone = Scope.of_query(scope_ids, ids_of(access.reportable_buyers()))
    days = scope_days(scope, filters)
    totals = totals_of(days)
    in_scope = scope.contains
    # The scope is part of every buyer: when it is all of them, their visits are known.
    system_visits = (literal(totals["visits"]) if len(scope) == len(everyone) else
                     _visits_of(everyone, filters))
    # The other figures in one statement: each is a scalar subquery of its own.
    active, system_visits, meetings, sent, clicked = db.session.execute(select(
        _active_buyers(in_scope, filters), system_visits, _meetings_held(in_scope, filters),
        _summaries_sent(in_scope, filters), _summaries_clicked(in_scope, filters))).one()
    return Overview(
        buyers=len(scope), active_buyers=active, totals=totals,
        visits_per_buyer_month=_per_buyer_month(totals["visits"], len(scope), filters),
        system_visits_per_buyer_month=_per_buyer_month(system_visits, len(everyone), filters),
        meetings_held=meetings, summaries_sent=sent, summaries_clicked=clicked,
        series=activity_series(days, filters))


def _active_buyers(in_scope, filters: ReportFilters):
    """Buyers in scope with some activity in the period. Asked of each buyer (a lookup in
    the key of activity_days), which is cheaper than gathering the distinct buyers of every
    day of the period."""
    return (select(func.count()).select_from(User)
            .where(in_scope(User.id),
                   exists().where(ActivityDay.user_id == User.id, _in_period(filters)))
            .scalar_subquery())


def _meetings_held(in_scope, filters: ReportFilters):
    """Meetings opened in the period with at least one buyer in scope attending."""
    attended = select(meeting_attendees.c.meeting_id).where(
        in_scope(meeting_attendees.c.buyer_id))
    return select(func.count()).select_from(Meeting).where(
        Meeting.started_at >= filters.starts_at, Meeting.started_at < filters.ends_before,
        Meeting.id.in_(attended)).scalar_subquery()


def _summaries_sent(in_scope, filters: ReportFilters):
    """Summary emails that reached buyers in scope: each sending, once per attendee."""
    return (select(func.count()).select_from(MeetingSummarySend)
            .join(meeting_attendees,
                  meeting_attendees.c.meeting_id == MeetingSummarySend.meeting_id)
            .where(MeetingSummarySend.sent_at >= filters.starts_at,
                   MeetingSummarySend.sent_at < filters.ends_before,
                   in_scope(meeting_attendees.c.buyer_id)).scalar_subquery())


def _summaries_clicked(in_scope, filters: ReportFilters):
    """Buyers' meeting summaries with at least one link clicked in the period."""
    clicked = (select(ActivityEvent.user_id, ActivityEvent.meeting_id).distinct()
               .where(ActivityEvent.kind == EventKind.EMAIL_CLICK,
                      ActivityEvent.source == EmailSource.MEETING_SUMMARY,
                      ActivityEvent.occurred_at >= filters.starts_at,
                      ActivityEvent.occurred_at < filters.ends_before,
                      in_scope(ActivityEvent.user_id)))
    return select(func.count()).select_from(clicked.subquery()).scalar_subquery()


def _visits_of(scope: Scope, filters: ReportFilters):
    """The scope's visits over the period, as a scalar subquery."""
    def visits(table, *conditions):
        return (select(func.coalesce(func.sum(table.visits), 0))
                .where(table.day.between(filters.start, filters.end), *conditions)
                .scalar_subquery())
    if scope.is_large:
        return visits(ActivityTotalDay) - visits(ActivityDay, scope.excludes(ActivityDay.user_id))
    return visits(ActivityDay, scope.contains(ActivityDay.user_id))


def scope_days(scope: Scope, filters: ReportFilters) -> list:
    """daily_activity of the buyers in scope: for nearly every buyer, the day's total for
    every buyer less the others' days."""
    if not scope.is_large:
        return daily_activity(scope.contains(ActivityDay.user_id), filters)
    totals = {day: list(counts) for day, *counts in db.session.execute(
        select(ActivityTotalDay.day, *(getattr(ActivityTotalDay, c) for c, _ in MEASURES))
        .where(ActivityTotalDay.day.between(filters.start, filters.end)))}
    for day, *counts in daily_activity(scope.excludes(ActivityDay.user_id), filters):
        every = totals.get(day, [0] * len(MEASURES))
        totals[day] = [total - (count or 0) for total, count in zip(every, counts, strict=True)]
    return sorted((day, *counts) for day, counts in totals.items())


def daily_activity(condition, filters: ReportFilters) -> list:
    """(day, every measure...) rows over the period for the ActivityDay rows matching
    `condition`, only days with activity."""
    return db.session.execute(
        select(ActivityDay.day, *(func.sum(getattr(ActivityDay, c)) for c, _ in MEASURES))
        .where(_in_period(filters), condition)
        .group_by(ActivityDay.day)).all()


def totals_of(days: list) -> dict[str, int]:
    """Each measure summed over the days of daily_activity."""
    columns = [column for column, _ in MEASURES]
    totals = dict.fromkeys(columns, 0)
    for _, *counts in days:
        for column, count in zip(columns, counts, strict=True):
            totals[column] += count or 0
    return totals


def activity_series(days: list, filters: ReportFilters) -> list[tuple[date, dict[str, int]]]:
    """The charted measures per day (or per week, from Monday) of daily_activity over the
    period, empty days included."""
    buckets: dict[date, dict[str, int]] = {}
    day = filters.start
    while day <= filters.end:
        buckets.setdefault(_bucket(day, filters), dict.fromkeys(CHARTED, 0))
        day += timedelta(days=1)
    for day, *counts in days:
        bucket = buckets[_bucket(day, filters)]
        for (column, _), count in zip(MEASURES, counts, strict=True):
            if column in bucket:
                bucket[column] += count or 0
    return list(buckets.items())


def _bucket(day: date, filters: ReportFilters) -> date:
    return day - timedelta(days=day.weekday()) if filters.by_week else day


# --- Buyers table ------------------------------------------------------------------------

# Sort keys of the buyers table: (label, default direction is descending).
BUYER_SORTS = {"name": ("Buyer", False), "company": ("Company", False),
               "logins": ("Logins", True), "visits": ("Visits", True),
               "programme_views": ("Programme views", True),
               "screener_plays": ("Screener plays", True), "last_seen": ("Last seen", True)}
BUYER_COUNTS = ["logins", "visits", "programme_views", "screener_plays"]


def buyers_table(scope: Scope, filters: ReportFilters, sort: str, descending: bool,
                 columns: tuple, paged: bool = False) -> Select:
    """One row per buyer in scope, (*columns, logins, visits, views, plays, last seen),
    sorted; `columns` are of User and Company. `paged` when only a page of it will be read."""
    query = select(*columns).where(scope.contains(User.id))
    if paged and sort in ("name", "company"):
        # Sorted by what the users table holds: only the rows up to the page need their
        # counts, each a lookup by the buyer's id that PostgreSQL makes once the page is cut.
        def of_buyer(aggregate):
            return (select(aggregate).where(ActivityDay.user_id == User.id, _in_period(filters))
                    .scalar_subquery())
        measures = {c: of_buyer(func.coalesce(func.sum(getattr(ActivityDay, c)), 0))
                    for c in BUYER_COUNTS}
        last_seen = of_buyer(func.max(ActivityDay.last_at))
    else:
        counts = (select(ActivityDay.user_id,
                         *(func.sum(getattr(ActivityDay, c)).label(c) for c in BUYER_COUNTS),
                         func.max(ActivityDay.last_at).label("last_seen"))
                  .where(_in_period(filters), scope.contains(ActivityDay.user_id))
                  .group_by(ActivityDay.user_id).subquery())
        measures = {c: func.coalesce(counts.c[c], 0) for c in BUYER_COUNTS}
        last_seen = counts.c.last_seen
        query = query.outerjoin(counts, counts.c.user_id == User.id)
    order = {"name": [User.last_name, User.first_name], "company": [Company.name],
             "last_seen": [last_seen], **{c: [m] for c, m in measures.items()}}
    order = [(key.desc() if descending else key.asc()).nulls_last()
             for key in order.get(sort, order["visits"])]
    return (query.outerjoin(Company, Company.id == User.company_id)
            .add_columns(*(m.label(c) for c, m in measures.items()),
                         last_seen.label("last_seen"))
            .order_by(*order, User.last_name, User.first_name, User.id))


class BuyerLine(NamedTuple):
    """A row of the buyers table, names written out: what the page and the CSV show."""

    id: int
    name: str
    email: str
    company: str
    territories: list[str]
    account_managers: list[str]
    logins: int
    visits: int
    programme_views: int
    screener_plays: int
    last_seen: datetime | None


# The buyer's columns of a BuyerLine, as buyers_table reads them.
LINE_COLUMNS = (User.id, User.first_name, User.last_name, User.email, User.company_id,
                Company.name)


def _names_by_key(rows) -> dict[int, list[str]]:
    """(key, name) rows as {key: [name, ...]}, in the rows' order."""
    names: dict[int, list[str]] = {}
    for key, name in rows:
        names.setdefault(key, []).append(name)
    return names


class _Names:
    """The names of the territories (a buyer's own, else their company's) and AMs of the
    buyers whose id `contains` (a where-clause of a user id column) accepts: a statement
    each, a few short names per buyer."""

    def __init__(self, contains):
        self.own_territories = _names_by_key(db.session.execute(
            select(user_territories.c.user_id, Territory.name)
            .join(Territory, Territory.id == user_territories.c.territory_id)
            .where(contains(user_territories.c.user_id)).order_by(Territory.name)))
        self.by_company = _names_by_key(db.session.execute(
            select(company_territories.c.company_id, Territory.name)
            .join(Territory, Territory.id == company_territories.c.territory_id)
            .where(company_territories.c.company_id.in_(
                select(User.company_id).where(contains(User.id))))
            .order_by(Territory.name)))
        self.managers = _names_by_key(
            (buyer_id, person_name(first, last)) for buyer_id, first, last in db.session.execute(
                access.account_managers_of_buyers(select(User.id).where(contains(User.id)),
                                                  names_only=True)))

    def line(self, buyer_id, first, last, email, company_id, company, *counts) -> BuyerLine:
        """The BuyerLine of a row of buyers_table(..., LINE_COLUMNS)."""
        return BuyerLine(buyer_id, person_name(first, last), email, company or "",
                         self.own_territories.get(buyer_id) or self.by_company.get(company_id, []),
                         self.managers.get(buyer_id, []), *counts)


def buyers_page(viewer: User, filters: ReportFilters, sort: str, descending: bool, page: int,
                per_page: int) -> KnownPagination:
    """A page of the buyers table (items BuyerLine)."""
    scope = Scope.of(viewer, filters)
    pagination = paginate(buyers_table(scope, filters, sort, descending, LINE_COLUMNS,
                                       paged=True),
                          page, per_page, rows=True, total=len(scope))
    lines = []
    if pagination.items:
        ids = [row[0] for row in pagination.items]
        names = _Names(lambda column: column.in_(ids))
        lines = [names.line(*row) for row in pagination.items]
    return KnownPagination(lines, pagination.total, pagination.page, per_page)


def all_buyer_lines(viewer: User, filters: ReportFilters, sort: str, descending: bool,
                    chunk: int = 1000) -> Iterator[BuyerLine]:
    """Every row of the buyers table, in its order, streamed from one statement a chunk at
    a time. The names of the buyers' territories and AMs are read first for the whole scope,
    so the count of statements does not grow with the number of buyers."""
    scope = Scope.of(viewer, filters)
    names = _Names(scope.contains)
    query = buyers_table(scope, filters, sort, descending, LINE_COLUMNS)
    for row in db.session.execute(query.execution_options(yield_per=chunk)):
        yield names.line(*row)
