"""Meetings between an Account Manager (the host) and buyers, set up on the website."""

import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.lists import ProgrammeList
from webapp.models.people import User, acting_text


def _now():
    return datetime.now(UTC)


class MeetingStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


meeting_attendees = Table(
    "meeting_attendees",
    db.metadata,
    Column("meeting_id", ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("buyer_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Meeting(db.Model):
    __tablename__ = "meetings"
    id: Mapped[int] = mapped_column(primary_key=True)
    # The calendar invite's UID: stable for the meeting's life; SEQUENCE counts its changes.
    uid: Mapped[str] = mapped_column(String(64), unique=True,
                                     default=lambda: f"{uuid.uuid4()}@sales-cms")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.DRAFT, index=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    market: Mapped[str] = mapped_column(String(120), default="")
    stand: Mapped[str] = mapped_column(String(60), default="")
    room: Mapped[str] = mapped_column(String(60), default="")
    pre_meeting_notes: Mapped[str] = mapped_column(Text, default="")  # internal only
    meeting_notes: Mapped[str] = mapped_column(Text, default="")
    meeting_notes_version: Mapped[int] = mapped_column(Integer, default=1)
    list_id: Mapped[int | None] = mapped_column(ForeignKey("lists.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now,
                                                 onupdate=_now)

    host: Mapped[User] = relationship(foreign_keys=[host_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    attendees: Mapped[list[User]] = relationship(secondary=meeting_attendees,
                                                 order_by=User.first_name)
    programme_list: Mapped[ProgrammeList | None] = relationship()

    @property
    def ends_at(self) -> datetime:
        return self.local_start.astimezone(UTC) + timedelta(minutes=self.duration_minutes)

    @property
    def local_start(self) -> datetime:
        """The start in the meeting's own time zone (SQLite hands back naive UTC)."""
        starts_at = self.starts_at
        if starts_at.tzinfo is None:
            starts_at = starts_at.replace(tzinfo=UTC)
        return starts_at.astimezone(ZoneInfo(self.timezone))

    @property
    def held(self) -> bool:
        return self.started_at is not None

    @property
    def set_up_by_text(self) -> str:
        """"Sam Patel for Alice Morgan" when an SC set it up for its host."""
        return acting_text(self.created_by, self.host)

    def __str__(self):
        return self.title


class MeetingSummarySend(db.Model):
    """One sending of a meeting's summary email: when, by whom, to whom."""

    __tablename__ = "meeting_summary_sends"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The host the summary was sent for, when someone else (an SC) sent it.
    acting_for_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    # The addresses it went to, one per line, as they were at the time of sending.
    recipients: Mapped[str] = mapped_column(Text, default="")
    # Set when the send was queued offline on the iPad and replayed: applies once.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    meeting: Mapped[Meeting] = relationship()
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])
    acting_for: Mapped[User | None] = relationship(foreign_keys=[acting_for_id])

    @property
    def recipient_list(self) -> list[str]:
        return [line for line in self.recipients.splitlines() if line]

    @property
    def sent_by_text(self) -> str:
        """"Sam Patel for Alice Morgan", or the sender alone ("a former user" if deleted)."""
        return acting_text(self.sent_by, self.acting_for) or "a former user"


class InvitationState(StrEnum):
    INVITED = "invited"
    UPDATED = "updated"
    CANCELLED = "cancelled"


class MeetingInvitation(db.Model):
    """The calendar invitation as one person last received it: invited, updated or cancelled,
    when, and at which SEQUENCE. One row per meeting and person, changed with each send."""

    __tablename__ = "meeting_invitations"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                           index=True)
    state: Mapped[str] = mapped_column(String(16))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    first_sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    meeting: Mapped[Meeting] = relationship()
    person: Mapped[User] = relationship()


class AppliedChange(db.Model):
    """A change sent from the in-meeting view, by its idempotency key: replayed, it applies
    once, and the replay gets the answer the first delivery got. `digest` fingerprints what
    was sent under the key (none for changes kept before it was recorded), so the same key
    with other content is told apart from a replay."""

    __tablename__ = "meeting_applied_changes"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    status: Mapped[int] = mapped_column(Integer, default=200)
    answer: Mapped[str] = mapped_column(Text, default="")
    digest: Mapped[str | None] = mapped_column(String(64))
