"""Reports on what was done: one buyer's activity (timeline and programmes), and the
programmes the buyers in a viewer's scope viewed, played and marked interesting."""

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, case, distinct, func, select, union_all

from webapp import access
from webapp.extensions import db
from webapp.models import (
    ActivityDay,
    ActivityEvent,
    ActivityProgrammeDay,
    EventKind,
    Meeting,
    Programme,
    ProgrammeList,
    User,
)
from webapp.services.reporting import (
    ReportFilters,
    Scope,
    activity_series,
    daily_activity,
    totals_of,
)
from webapp.web.pagination import paginate

KIND_LABELS = {
    EventKind.LOGIN: "Logged in", EventKind.VISIT: "Visited the website",
    EventKind.PROGRAMME_VIEW: "Viewed a programme", EventKind.SCREENER_PLAY: "Played a screener",
    EventKind.LIST_VIEW: "Opened a list", EventKind.EMAIL_CLICK: "Clicked a link in an email",
    EventKind.MEETING_ATTENDED: "Attended a meeting",
    EventKind.INTEREST_MARKED: "Interest marked in a meeting",
    EventKind.PROGRAMME_SHOWN: "Shown a programme in a meeting",
    EventKind.SUMMARY_INCLUDED: "Sent a programme in a meeting summary",
}
SOURCE_LABELS = {"meeting_summary": "meeting summary", "list_share": "shared list"}
PROGRAMME_KINDS = (EventKind.PROGRAMME_VIEW, EventKind.SCREENER_PLAY, EventKind.INTEREST_MARKED)


def reportable_buyer(viewer: User, buyer_id: int) -> User | None:
    """The buyer, if they are in the viewer's reporting scope; None otherwise."""
    return db.session.scalar(access.reportable_users(viewer).where(User.id == buyer_id))


def _in_period(filters: ReportFilters):
    return (ActivityEvent.occurred_at >= filters.starts_at) & (
        ActivityEvent.occurred_at < filters.ends_before)


def _sum_kind(kind: EventKind):
    return func.coalesce(func.sum(case((ActivityEvent.kind == kind, 1), else_=0)), 0)


def _interested():
    """Distinct buyers who gave the programme a thumbs up in a meeting."""
    marked = (ActivityEvent.kind == EventKind.INTEREST_MARKED) & (ActivityEvent.interest > 0)
    return func.count(distinct(case((marked, ActivityEvent.user_id))))


# --- One buyer ---------------------------------------------------------------------------


def buyer_days(buyer: User, filters: ReportFilters) -> list:
    """The buyer's daily_activity rows over the period."""
    return daily_activity(ActivityDay.user_id == buyer.id, filters)


def buyer_programmes(buyer: User, filters: ReportFilters, limit: int = 50) -> list:
    """(Programme, views, plays, marked interested (0/1), last) rows, most active first."""
    views, plays = _sum_kind(EventKind.PROGRAMME_VIEW), _sum_kind(EventKind.SCREENER_PLAY)
    counts = (select(ActivityEvent.programme_id, views.label("views"), plays.label("plays"),
                     _interested().label("interested"),
                     func.max(ActivityEvent.occurred_at).label("last"))
              .where(ActivityEvent.user_id == buyer.id, _in_period(filters),
                     ActivityEvent.programme_id.is_not(None),
                     ActivityEvent.kind.in_(PROGRAMME_KINDS))
              .group_by(ActivityEvent.programme_id).subquery())
    return db.session.execute(
        select(Programme, counts.c.views, counts.c.plays, counts.c.interested, counts.c.last)
        .join(counts, counts.c.programme_id == Programme.id)
        .order_by((counts.c.views + counts.c.plays).desc(), counts.c.last.desc(), Programme.id)
        .limit(limit)).all()


def buyer_timeline(buyer: User, filters: ReportFilters) -> Select:
    """The buyer's events in the period, newest first, with what each was about."""
    return (select(ActivityEvent, Programme.title, ProgrammeList.name, Meeting.title)
            .outerjoin(Programme, Programme.id == ActivityEvent.programme_id)
            .outerjoin(ProgrammeList, ProgrammeList.id == ActivityEvent.list_id)
            .outerjoin(Meeting, Meeting.id == ActivityEvent.meeting_id)
            .where(ActivityEvent.user_id == buyer.id, _in_period(filters))
            .order_by(ActivityEvent.occurred_at.desc(), ActivityEvent.id.desc()))


def buyer_timeline_page(buyer: User, filters: ReportFilters, page: int, per_page: int):
    return paginate(buyer_timeline(buyer, filters), page, per_page, rows=True)


def timeline_rows(buyer: User, filters: ReportFilters, chunk: int = 1000) -> Iterator:
    """Every event of the timeline, read a chunk at a time."""
    query = buyer_timeline(buyer, filters).execution_options(yield_per=chunk)
    for partition in db.session.execute(query).partitions():
        yield from partition


def describe(event: ActivityEvent) -> str:
    """An event in words, for the timeline and its CSV."""
    label = KIND_LABELS.get(event.kind, event.kind)
    if event.kind == EventKind.EMAIL_CLICK and event.source:
        label += f" ({SOURCE_LABELS.get(event.source, event.source)})"
    if event.kind == EventKind.INTEREST_MARKED and event.interest:
        label += ": interested" if event.interest > 0 else ": not interested"
    if event.kind == EventKind.PROGRAMME_SHOWN and event.seconds:
        label += f" ({event.seconds} s)"
    return label


# --- Programmes --------------------------------------------------------------------------

PROGRAMME_SORTS = {"views": "Views", "plays": "Screener plays", "interested": "Interested"}


@dataclass
class ProgrammeRow:
    programme: Programme
    views: int
    plays: int
    interested: int  # thumbs up given in meetings


def _programme_events(condition, filters: ReportFilters, sign: int = 1) -> Select:
    """(programme id, views, plays, thumbs up) of each event matching `condition` in the
    period, each counted `sign` times."""
    event = ActivityEvent
    liked = (event.kind == EventKind.INTEREST_MARKED) & (event.interest > 0)
    return select(event.programme_id.label("programme_id"),
                  case((event.kind == EventKind.PROGRAMME_VIEW, sign), else_=0).label("views"),
                  case((event.kind == EventKind.SCREENER_PLAY, sign), else_=0).label("plays"),
                  case((liked, sign), else_=0).label("interested")).where(
        event.kind.in_(PROGRAMME_KINDS), _in_period(filters), event.programme_id.is_not(None),
        condition)


def programme_ranking(viewer: User, filters: ReportFilters, sort: str = "views",
                      limit: int = 50) -> list[ProgrammeRow]:
    """The programmes most viewed / played / marked interested by the buyers in scope."""
    sort = sort if sort in PROGRAMME_SORTS else "views"
    counted = programme_counts(viewer, filters, sort, limit)
    programmes = {programme.id: programme for programme in db.session.scalars(
        select(Programme).where(Programme.id.in_([row[0] for row in counted])))}
    return [ProgrammeRow(programmes[programme_id], *counts)
            for programme_id, *counts in counted if programme_id in programmes]


def programme_counts(viewer: User, filters: ReportFilters, sort: str,
                     limit: int) -> list[tuple[int, int, int, int]]:
    """(programme id, views, plays, thumbs up) of the top `limit` programmes by `sort`.

    Read from the events of the buyers in scope; for nearly every buyer, from every buyer's
    per-programme daily rollup less the events of the others."""
    scope = Scope.of(viewer, filters)
    if scope.is_large:
        every = ActivityProgrammeDay
        rows = union_all(
            select(every.programme_id, every.views, every.plays, every.interested)
            .where(every.day.between(filters.start, filters.end)),
            _programme_events(scope.excludes(ActivityEvent.user_id), filters, sign=-1))
    else:
        rows = _programme_events(scope.contains(ActivityEvent.user_id), filters)
    rows = rows.subquery()
    sums = {name: func.sum(rows.c[name]) for name in PROGRAMME_SORTS}
    counts = (select(rows.c.programme_id, *(total.label(name) for name, total in sums.items()))
              .group_by(rows.c.programme_id)
              .having(sums["views"] + sums["plays"] + sums["interested"] > 0).subquery())
    result = db.session.execute(
        select(counts.c.programme_id, *(counts.c[name] for name in PROGRAMME_SORTS))
        .join(Programme, counts.c.programme_id == Programme.id)
        .order_by(counts.c[sort].desc(), counts.c.views.desc(), Programme.title, Programme.id)
        .limit(limit))
    return [tuple(row) for row in result]


def account_managers_of(buyer: User) -> list[User]:
    return [am for _, am in db.session.execute(access.account_managers_of_buyers([buyer.id]))]


TIMELINE_PER_PAGE = 25


def buyer_report(buyer: User, filters: ReportFilters, page: int = 1) -> dict:
    """Everything the buyer's page shows for the period."""
    days = buyer_days(buyer, filters)
    return {"totals": totals_of(days), "series": activity_series(days, filters),
            "programmes": buyer_programmes(buyer, filters),
            "timeline": buyer_timeline_page(buyer, filters, page, TIMELINE_PER_PAGE)}
