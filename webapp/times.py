"""Moments as the app stores and compares them: aware datetimes in UTC."""

from datetime import UTC, datetime


def as_utc(moment: datetime | None) -> datetime | None:
    """The moment as an aware UTC datetime: SQLite hands stored times back naive (in UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
