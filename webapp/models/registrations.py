"""Registrations from the public website, and the audit trail of decisions on them."""

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.people import User
from webapp.models.places import Region, Territory


def _now():
    return datetime.now(UTC)


class RegistrationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Registration(db.Model):
    """What an applicant submitted, kept as they typed it, and where the decision stands.

    The applicant's account is a pending User; the review assigns its company, AM,
    territories and region on that User.
    """

    __tablename__ = "registrations"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         unique=True)
    company_name: Mapped[str] = mapped_column(String(200))
    territory_id: Mapped[int | None] = mapped_column(
        ForeignKey("territories.id", ondelete="SET NULL"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    requested_account_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=RegistrationStatus.PENDING,
                                        index=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now,
                                                   index=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rejection_reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    territory: Mapped[Territory | None] = relationship()
    region: Mapped[Region | None] = relationship()
    requested_account_manager: Mapped[User | None] = relationship(
        foreign_keys=[requested_account_manager_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    events: Mapped[list["RegistrationEvent"]] = relationship(
        back_populates="registration", cascade="all, delete-orphan",
        order_by="RegistrationEvent.created_at, RegistrationEvent.id")


class RegistrationEvent(db.Model):
    """One entry of a registration's audit log: who did what, when, and what changed."""

    __tablename__ = "registration_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    changes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    registration: Mapped[Registration] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
