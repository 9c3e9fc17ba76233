"""How the reports write dates, times and events (shared by the pages and the CSV)."""

from datetime import UTC, date, datetime, timedelta

from webapp.blueprints.reporting import bp
from webapp.services.reporting_activity import describe
from webapp.services.reporting_csv import when
from webapp.web import formatting


@bp.app_template_global()
def report_time(moment: datetime | None) -> str:
    return when(moment)


@bp.app_template_global()
def report_date(day: date) -> str:
    return formatting.day(day)


@bp.app_template_global()
def report_period(days: int) -> tuple[str, str]:
    """The last `days` days up to today (UTC), as the filters' start and end."""
    today = datetime.now(UTC).date()
    return (today - timedelta(days=days - 1)).isoformat(), today.isoformat()


bp.add_app_template_global(describe, "describe_event")
