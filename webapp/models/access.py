"""Who may watch what: buyer groups, and grants of restricted catalogue items."""

from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.catalogue import Episode, Programme, Season
from webapp.models.people import User
from webapp.models.places import Company, UniqueNameMixin

buyer_group_members = Table(
    "buyer_group_members",
    db.metadata,
    Column("group_id", ForeignKey("buyer_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class BuyerGroup(UniqueNameMixin, db.Model):
    """A managed set of buyers (e.g. "Tier 1 broadcasters") that items can be granted to."""

    __tablename__ = "buyer_groups"
    id: Mapped[int] = mapped_column(primary_key=True)

    members: Mapped[list[User]] = relationship(
        secondary=buyer_group_members, order_by=(User.first_name, User.last_name, User.id))


def _one_of(*columns: str) -> str:
    """SQL: exactly one of the columns is set."""
    return " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in columns) + " = 1"


class AccessGrant(db.Model):
    """A restricted programme, season or episode granted to a buyer, a company or a group.

    Exactly one item column and exactly one grantee column is set. Who granted it, when and
    how (Admin, or while sharing a list or sending a summary) stay on the row."""

    __tablename__ = "access_grants"
    __table_args__ = (
        CheckConstraint(_one_of("programme_id", "season_id", "episode_id"), name="one_item"),
        CheckConstraint(_one_of("user_id", "company_id", "group_id"), name="one_grantee"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    season_id: Mapped[int | None] = mapped_column(
        ForeignKey("seasons.id", ondelete="CASCADE"), index=True)
    episode_id: Mapped[int | None] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("buyer_groups.id", ondelete="CASCADE"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 default=lambda: datetime.now(UTC))
    reason: Mapped[str] = mapped_column(String(300), default="")

    programme: Mapped[Programme | None] = relationship()
    season: Mapped[Season | None] = relationship()
    episode: Mapped[Episode | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    company: Mapped[Company | None] = relationship()
    group: Mapped[BuyerGroup | None] = relationship()
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])

    @property
    def grantee(self):
        return self.user or self.company or self.group
