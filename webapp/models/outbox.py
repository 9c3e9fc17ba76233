"""The email outbox: every email is a row first, written with the change that causes it."""

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db


def _now() -> datetime:
    return datetime.now(UTC)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        # The sender's query: pending messages whose next attempt is due.
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    kind: Mapped[str] = mapped_column(String(64))
    # Comma-separated addresses; queue_email refuses addresses containing a comma.
    recipients: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    # An iCalendar object (a meeting invite or cancellation) sent with the message.
    calendar: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Generated when queued, so a message sent again after a crash keeps its identity.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    # The From and Reply-To headers as they were when queued ("Alice Morgan via Northlight
    # <sales@...>", Reply-To Alice); none for messages queued before they were recorded.
    sender: Mapped[str | None] = mapped_column(String(400))
    reply_to: Mapped[str | None] = mapped_column(String(320))
    # Who caused the email, and whom it speaks for when that is someone else (an SC sending
    # for an Account Manager): "Sam Patel for Alice Morgan".
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    acting_for_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    # Never joined eagerly: the sender claims rows with FOR UPDATE, which an outer join
    # to users would refuse on PostgreSQL.
    sent_by = relationship("User", foreign_keys=[sent_by_id])
    acting_for = relationship("User", foreign_keys=[acting_for_id])

    @property
    def sent_by_text(self) -> str:
        """"Sam Patel for Alice Morgan", "Alice Morgan", or "" for the system's own mail."""
        from webapp.models.people import acting_text

        return acting_text(self.sent_by, self.acting_for)

    @property
    def recipient_list(self) -> list[str]:
        return [address for address in self.recipients.split(", ") if address]

    def __str__(self):
        return f"{self.subject} (to {self.recipients})"
