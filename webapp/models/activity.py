"""Buyer activity: one row per thing a buyer did, and a daily total per buyer kept beside it.

ActivityEvent is the record (who, what, when, which programme / list / meeting).
ActivityDay holds, per buyer and UTC day, how many of each kind of event there were; it is
updated in the same statement batch as each event, so reports over many buyers and months
read a few rows per buyer instead of every event.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db

# SQLite only auto-numbers an INTEGER PRIMARY KEY; elsewhere events need 64 bits.
EventId = BigInteger().with_variant(Integer, "sqlite")


class EventKind(StrEnum):
    LOGIN = "login"
    VISIT = "visit"  # a new session, or a return after 30 minutes idle
    PROGRAMME_VIEW = "programme_view"
    SCREENER_PLAY = "screener_play"
    LIST_VIEW = "list_view"
    EMAIL_CLICK = "email_click"  # a tracked link in an email; `source` says which email
    MEETING_ATTENDED = "meeting_attended"
    INTEREST_MARKED = "interest_marked"  # in a meeting; `interest` is +1 or -1
    # Present mode showed the programme's card to the meeting's buyers for `seconds`.
    PROGRAMME_SHOWN = "programme_shown"
    # The programme was in a meeting summary sent to the buyer.
    SUMMARY_INCLUDED = "summary_included"


class EmailSource(StrEnum):
    MEETING_SUMMARY = "meeting_summary"
    LIST_SHARE = "list_share"


class ActivityEvent(db.Model):
    __tablename__ = "activity_events"
    __table_args__ = (
        # A buyer's timeline, and the per-buyer part of every scoped report; on PostgreSQL
        # a programme ranking over some buyers reads the index alone.
        Index("ix_activity_events_user_id_occurred_at", "user_id", "occurred_at",
              postgresql_include=["kind", "programme_id", "interest"]),
        # Programme rankings over a period: kind and time first, the rest read from the index.
        Index("ix_activity_events_kind_occurred_at", "kind", "occurred_at", "programme_id",
              "user_id"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="SET NULL"), index=True)
    list_id: Mapped[int | None] = mapped_column(ForeignKey("lists.id", ondelete="SET NULL"),
                                                index=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), index=True)
    source: Mapped[str | None] = mapped_column(String(32))
    interest: Mapped[int | None] = mapped_column(SmallInteger)
    seconds: Mapped[int | None] = mapped_column(Integer)  # how long a card was shown


# The event kinds ActivityDay counts, each in a column of the same name (the presenting
# funnel's own kinds are read from the events: reports on them span one period).
DAY_COLUMNS = {
    EventKind.LOGIN: "logins",
    EventKind.VISIT: "visits",
    EventKind.PROGRAMME_VIEW: "programme_views",
    EventKind.SCREENER_PLAY: "screener_plays",
    EventKind.LIST_VIEW: "list_views",
    EventKind.EMAIL_CLICK: "email_clicks",
    EventKind.MEETING_ATTENDED: "meetings_attended",
    EventKind.INTEREST_MARKED: "interest_marks",
}


class DayCounts:
    """How many of each kind of event there were on one UTC day (see DAY_COLUMNS)."""

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    logins: Mapped[int] = mapped_column(Integer, default=0)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    programme_views: Mapped[int] = mapped_column(Integer, default=0)
    screener_plays: Mapped[int] = mapped_column(Integer, default=0)
    list_views: Mapped[int] = mapped_column(Integer, default=0)
    email_clicks: Mapped[int] = mapped_column(Integer, default=0)
    meetings_attended: Mapped[int] = mapped_column(Integer, default=0)
    interest_marks: Mapped[int] = mapped_column(Integer, default=0)


class ActivityDay(DayCounts, db.Model):
    """A buyer's activity on one UTC day, counted by kind."""

    __tablename__ = "activity_days"
    __table_args__ = (
        # Reports over a period read the buyers' counts from the index alone (PostgreSQL).
        Index("ix_activity_days_day", "day",
              postgresql_include=["user_id", *DAY_COLUMNS.values(), "last_at"]),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActivityTotalDay(DayCounts, db.Model):
    """Every buyer's activity on one UTC day, counted by kind: the sum of that day's
    ActivityDay rows, so a report on (nearly) all buyers reads one row a day."""

    __tablename__ = "activity_total_days"


# The event kinds ActivityProgrammeDay counts, each in a column of that name; for interest
# marks only thumbs up count.
PROGRAMME_DAY_COLUMNS = {
    EventKind.PROGRAMME_VIEW: "views",
    EventKind.SCREENER_PLAY: "plays",
    EventKind.INTEREST_MARKED: "interested",
}


class ActivityProgrammeDay(db.Model):
    """What every buyer did with one programme on one UTC day: page views, screener plays
    and thumbs-up marks in meetings."""

    __tablename__ = "activity_programme_days"
    __table_args__ = (
        Index("ix_activity_programme_days_day", "day",
              postgresql_include=["programme_id", "views", "plays", "interested"]),
    )

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    views: Mapped[int] = mapped_column(Integer, default=0)
    plays: Mapped[int] = mapped_column(Integer, default=0)
    interested: Mapped[int] = mapped_column(Integer, default=0)
