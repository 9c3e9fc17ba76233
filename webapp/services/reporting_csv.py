"""The reports as CSV, produced a row at a time so a large export is never held in memory."""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from webapp.models import User
from webapp.services.reporting import ReportFilters, all_buyer_lines
from webapp.services.reporting_activity import describe, timeline_rows
from webapp.services.spreadsheets import safe_cell
from webapp.times import as_utc

BUYER_COLUMNS = ["Buyer", "Email", "Company", "Territories", "Account Managers", "Logins",
                 "Visits", "Programme views", "Screener plays", "Last seen (UTC)"]
ACTIVITY_COLUMNS = ["When (UTC)", "Activity", "Programme", "List", "Meeting"]


def when(moment: datetime | None) -> str:
    """A moment as the reports show it: UTC, to the minute."""
    return as_utc(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        if out.tell() > 32_000:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def buyers_csv(viewer: User, filters: ReportFilters, sort: str,
               descending: bool) -> Iterator[str]:
    """The buyers table, every page of it, in the table's order."""
    rows = ([row.name, row.email, row.company, "; ".join(row.territories),
             "; ".join(row.account_managers), row.logins, row.visits, row.programme_views,
             row.screener_plays, when(row.last_seen)]
            for row in all_buyer_lines(viewer, filters, sort, descending))
    return lines(BUYER_COLUMNS, rows)


def buyer_activity_csv(buyer: User, filters: ReportFilters) -> Iterator[str]:
    """The buyer's timeline over the period, newest first."""
    rows = ([when(event.occurred_at), describe(event), programme or "", list_name or "",
             meeting or ""]
            for event, programme, list_name, meeting in timeline_rows(buyer, filters))
    return lines(ACTIVITY_COLUMNS, rows)
