"""Reports on buyer activity: the overview and the buyers table, for the buyers in a viewer's
scope (access.reportable_users) narrowed by the report filters.

Counts come from the daily rollup (ActivityDay), a few rows per buyer, so a report costs a
fixed handful of statements whatever the number of buyers or events. A buyer's own activity
and the programme rankings are in reporting_activity.py.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import contains_eager, selectinload

from webapp import access
from webapp.extensions import db
from webapp.models import (
    ActivityDay,
    ActivityEvent,
    Company,
    EmailSource,
    EventKind,
    Meeting,
    MeetingSummarySend,
    User,
    meeting_attendees,
)
from webapp.pagination import RowPagination

DAYS_PER_MONTH = 365.25 / 12
LONGEST_PERIOD = 3 * 366  # days a report may span
DAILY_UP_TO = 92  # longer periods are charted by week
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
        query = query.where(User.company.has(Company.name.ilike(
            access.contains_pattern(filters.company), escape="\\")))
    if filters.search.strip():
        query = query.where(access.matches_person(filters.search) | User.company.has(
            Company.name.ilike(access.contains_pattern(filters.search), escape="\\")))
    return query


def ids_of(buyers: Select) -> Select:
    return buyers.with_only_columns(User.id).order_by(None)


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
    ids = ids_of(buyers_in_scope(viewer, filters))
    columns = [column for column, _ in MEASURES]
    row = db.session.execute(
        select(func.count(distinct(ActivityDay.user_id)),
               *(func.coalesce(func.sum(getattr(ActivityDay, c)), 0) for c in columns))
        .where(_in_period(filters), ActivityDay.user_id.in_(ids))).one()
    buyers = db.session.scalar(select(func.count()).select_from(ids.subquery()))
    everyone = ids_of(access.reportable_buyers())
    system_visits, system_buyers = db.session.execute(select(
        select(func.coalesce(func.sum(ActivityDay.visits), 0))
        .where(_in_period(filters), ActivityDay.user_id.in_(everyone)).scalar_subquery(),
        select(func.count()).select_from(everyone.subquery()).scalar_subquery())).one()
    totals = dict(zip(columns, row[1:], strict=True))
    return Overview(
        buyers=buyers, active_buyers=row[0], totals=totals,
        visits_per_buyer_month=_per_buyer_month(totals["visits"], buyers, filters),
        system_visits_per_buyer_month=_per_buyer_month(system_visits, system_buyers, filters),
        meetings_held=_meetings_held(ids, filters),
        summaries_sent=_summaries_sent(ids, filters),
        summaries_clicked=_summaries_clicked(ids, filters),
        series=activity_series(ActivityDay.user_id.in_(ids), filters))


def _meetings_held(ids: Select, filters: ReportFilters) -> int:
    """Meetings opened in the period with at least one buyer in scope attending."""
    attended = select(meeting_attendees.c.meeting_id).where(meeting_attendees.c.buyer_id.in_(ids))
    return db.session.scalar(select(func.count()).select_from(Meeting).where(
        Meeting.started_at >= filters.starts_at, Meeting.started_at < filters.ends_before,
        Meeting.id.in_(attended)))


def _summaries_sent(ids: Select, filters: ReportFilters) -> int:
    """Summary emails that reached buyers in scope: each sending, once per attendee."""
    return db.session.scalar(
        select(func.count()).select_from(MeetingSummarySend)
        .join(meeting_attendees, meeting_attendees.c.meeting_id == MeetingSummarySend.meeting_id)
        .where(MeetingSummarySend.sent_at >= filters.starts_at,
               MeetingSummarySend.sent_at < filters.ends_before,
               meeting_attendees.c.buyer_id.in_(ids)))


def _summaries_clicked(ids: Select, filters: ReportFilters) -> int:
    """Buyers' meeting summaries with at least one link clicked in the period."""
    clicked = (select(ActivityEvent.user_id, ActivityEvent.meeting_id).distinct()
               .where(ActivityEvent.kind == EventKind.EMAIL_CLICK,
                      ActivityEvent.source == EmailSource.MEETING_SUMMARY,
                      ActivityEvent.occurred_at >= filters.starts_at,
                      ActivityEvent.occurred_at < filters.ends_before,
                      ActivityEvent.user_id.in_(ids)))
    return db.session.scalar(select(func.count()).select_from(clicked.subquery()))


def activity_series(condition, filters: ReportFilters) -> list[tuple[date, dict[str, int]]]:
    """Activity per day (or per week, from Monday) over the period, empty days included."""
    rows = db.session.execute(
        select(ActivityDay.day, *(func.sum(getattr(ActivityDay, c)) for c in CHARTED))
        .where(_in_period(filters), condition)
        .group_by(ActivityDay.day)).all()
    buckets: dict[date, dict[str, int]] = {}
    day = filters.start
    while day <= filters.end:
        buckets.setdefault(_bucket(day, filters), dict.fromkeys(CHARTED, 0))
        day += timedelta(days=1)
    for day, *counts in rows:
        bucket = buckets[_bucket(day, filters)]
        for column, count in zip(CHARTED, counts, strict=True):
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


@dataclass
class BuyerRow:
    buyer: User
    logins: int
    visits: int
    programme_views: int
    screener_plays: int
    last_seen: datetime | None
    account_managers: list[User] = field(default_factory=list)

    @property
    def territories(self):
        own = self.buyer.territories
        return own or (self.buyer.company.territories if self.buyer.company else [])


def buyers_table(viewer: User, filters: ReportFilters, sort: str = "visits",
                 descending: bool = True) -> Select:
    """One row per buyer in scope, (User, logins, visits, views, plays, last seen), sorted."""
    buyers = buyers_in_scope(viewer, filters)
    ids = ids_of(buyers)
    counts = (select(ActivityDay.user_id,
                     *(func.sum(getattr(ActivityDay, c)).label(c) for c in BUYER_COUNTS),
                     func.max(ActivityDay.last_at).label("last_seen"))
              .where(_in_period(filters), ActivityDay.user_id.in_(ids))
              .group_by(ActivityDay.user_id).subquery())
    measures = {c: func.coalesce(counts.c[c], 0) for c in BUYER_COUNTS}
    order = {"name": [User.last_name, User.first_name], "company": [Company.name],
             "last_seen": [counts.c.last_seen], **{c: [m] for c, m in measures.items()}}
    order = [(key.desc() if descending else key.asc()).nulls_last()
             for key in order.get(sort, order["visits"])]
    return (buyers.order_by(None)
            .outerjoin(counts, counts.c.user_id == User.id)
            .outerjoin(Company, Company.id == User.company_id)
            .add_columns(*(m.label(c) for c, m in measures.items()), counts.c.last_seen)
            .options(contains_eager(User.company), selectinload(User.territories),
                     selectinload(User.company, Company.territories))
            .order_by(*order, User.last_name, User.first_name, User.id))


class _ScopePagination(RowPagination):
    """Counts the buyers in scope rather than the sorted, aggregated select."""

    def _query_count(self) -> int:
        return self._query_args["session"].scalar(self._query_args["count_select"])


def _rows(result_rows) -> list[BuyerRow]:
    rows = [BuyerRow(buyer, *counts) for buyer, *counts in result_rows]
    if rows:
        by_id = {row.buyer.id: row for row in rows}
        for buyer_id, manager in db.session.execute(
                access.account_managers_of_buyers(list(by_id))):
            by_id[buyer_id].account_managers.append(manager)
    return rows


def buyers_page(viewer: User, filters: ReportFilters, sort: str, descending: bool, page: int,
                per_page: int):
    """A page of the buyers table; its items are BuyerRow, AMs included."""
    count = select(func.count()).select_from(ids_of(buyers_in_scope(viewer, filters)).subquery())
    pagination = _ScopePagination(select=buyers_table(viewer, filters, sort, descending),
                                  session=db.session(), page=max(page, 1), per_page=per_page,
                                  error_out=False, count_select=count)
    pagination.items = _rows(pagination.items)
    return pagination


def all_buyer_rows(viewer: User, filters: ReportFilters, sort: str, descending: bool,
                   chunk: int = 500) -> Iterator[BuyerRow]:
    """Every row of the buyers table, read from the database a chunk at a time."""
    query = buyers_table(viewer, filters, sort, descending).execution_options(yield_per=chunk)
    for partition in db.session.execute(query).partitions():
        yield from _rows(partition)
