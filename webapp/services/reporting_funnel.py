"""The presenting funnel: each title from shown in a meeting to a screener played.

For the buyers in the viewer's reporting scope (reporting.Scope, narrowed by the report
filters) and a period, each step counts the buyers who reached it with the title:

  shown in a meeting (present mode) -> marked interested (thumbs up) -> in a meeting summary
  sent to them -> a link of that summary clicked -> the title's screener played.

Clicks only: email opens are never counted (the product does not track them). Each step is
counted on its own (a buyer who played a screener without a meeting still counts there), so
a step may exceed the one before it. The same counts are given for each Account Manager
the viewer reports on, over the funnel's titles: (buyer, title) pairs among that AM's
buyers.
"""

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select

from webapp import access
from webapp.extensions import db
from webapp.models import ActivityEvent, EmailSource, EventKind, Programme, User
from webapp.services.reporting import ReportFilters, Scope

STEPS = [("shown", "Shown in meetings"), ("interested", "Marked interested"),
         ("in_summary", "In a summary sent"), ("clicked", "Summary link clicked"),
         ("played", "Screener played")]
# The steps that happen in or after a meeting: a title is in the funnel if it reached one.
MEETING_STEPS = ("shown", "interested", "in_summary", "clicked")
MOST_TITLES = 100


@dataclass
class FunnelRow:
    """One title's (or one AM's) counts, by step key; `seconds`: average seconds shown."""

    label: str
    counts: dict[str, int]
    ident: int = 0
    seconds: int = 0


def _step():
    """Which funnel step an event is, as SQL (NULL for an event that is none)."""
    event = ActivityEvent
    return case(
        (event.kind == EventKind.PROGRAMME_SHOWN, "shown"),
        (and_(event.kind == EventKind.INTEREST_MARKED, event.interest > 0), "interested"),
        (event.kind == EventKind.SUMMARY_INCLUDED, "in_summary"),
        (and_(event.kind == EventKind.EMAIL_CLICK,
              event.source == EmailSource.MEETING_SUMMARY), "clicked"),
        (event.kind == EventKind.SCREENER_PLAY, "played"))


def _pairs(scope: Scope, filters: ReportFilters):
    """(step, buyer id, programme id), each once, for the buyers in scope and the period."""
    event = ActivityEvent
    step = _step().label("step")
    kinds = [EventKind.PROGRAMME_SHOWN, EventKind.INTEREST_MARKED, EventKind.SUMMARY_INCLUDED,
             EventKind.EMAIL_CLICK, EventKind.SCREENER_PLAY]
    return (select(step, event.user_id.label("buyer_id"), event.programme_id)
            .where(event.kind.in_(kinds), event.occurred_at >= filters.starts_at,
                   event.occurred_at < filters.ends_before, event.programme_id.is_not(None),
                   scope.contains(event.user_id), _step().is_not(None))
            .distinct().subquery())


def _pivot(rows) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    for ident, step, count in rows:
        counts.setdefault(ident, dict.fromkeys(key for key, _ in STEPS))[step] = count
    return {ident: {key: value or 0 for key, value in steps.items()}
            for ident, steps in counts.items()}


def title_funnel(scope: Scope, filters: ReportFilters) -> list[FunnelRow]:
    """The titles that reached a meeting step, most shown first."""
    pairs = _pairs(scope, filters)
    counts = _pivot(db.session.execute(
        select(pairs.c.programme_id, pairs.c.step, func.count())
        .group_by(pairs.c.programme_id, pairs.c.step)))
    counts = {ident: steps for ident, steps in counts.items()
              if any(steps[key] for key in MEETING_STEPS)}
    if not counts:
        return []
    event = ActivityEvent
    seconds = dict(db.session.execute(
        select(event.programme_id, func.avg(event.seconds))
        .where(event.kind == EventKind.PROGRAMME_SHOWN, event.programme_id.in_(counts),
               event.occurred_at >= filters.starts_at, event.occurred_at < filters.ends_before,
               scope.contains(event.user_id))
        .group_by(event.programme_id)).all())
    titles = dict(db.session.execute(
        select(Programme.id, Programme.title).where(Programme.id.in_(counts))).all())
    rows = [FunnelRow(titles[ident], steps, ident, round(seconds.get(ident) or 0))
            for ident, steps in counts.items() if ident in titles]
    rows.sort(key=lambda row: (-row.counts["shown"], -row.counts["interested"], row.label))
    return rows[:MOST_TITLES]


def account_manager_funnel(viewer: User, scope: Scope,
                           filters: ReportFilters) -> list[FunnelRow]:
    """For each AM the viewer reports on (or the one filtered by), the (buyer, title) pairs
    of that AM's buyers in scope at each step."""
    managers = access.report_account_managers(viewer)
    if filters.account_manager_id:
        managers = managers.where(User.id == filters.account_manager_id)
    managers = {am.id: am.full_name for am in db.session.scalars(managers)}
    if not managers or not scope.ids:
        return []
    pairs = _pairs(scope, filters)
    links = access.account_managers_of_buyers(select(pairs.c.buyer_id)).subquery()
    # The titles of the funnel only (as in title_funnel): a screener played on the website
    # counts for a title that was in a meeting.
    in_meetings = select(pairs.c.programme_id).where(pairs.c.step.in_(MEETING_STEPS))
    totals = _pivot(db.session.execute(
        select(links.c.id, pairs.c.step, func.count())
        .join(links, links.c.buyer_id == pairs.c.buyer_id)
        .where(links.c.id.in_(list(managers)), pairs.c.programme_id.in_(in_meetings))
        .group_by(links.c.id, pairs.c.step)))
    empty = dict.fromkeys((key for key, _ in STEPS), 0)
    return [FunnelRow(name, totals.get(ident, empty), ident) for ident, name in managers.items()]


def funnel(viewer: User, filters: ReportFilters) -> dict:
    """The funnel report: totals over the titles, per title, per AM."""
    scope = Scope.of(viewer, filters)
    titles = title_funnel(scope, filters) if scope.ids else []
    totals = {key: sum(row.counts[key] for row in titles) for key, _ in STEPS}
    return {"titles": titles, "totals": totals,
            "managers": account_manager_funnel(viewer, scope, filters)}
