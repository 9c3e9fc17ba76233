"""Lists: ordered sets of catalogue items, each with an optional note."""

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.catalogue import Episode, Programme, Season
from webapp.models.people import User, acting_text


def _now():
    return datetime.now(UTC)


class ListKind(StrEnum):
    MY = "my"  # the owner's own working list
    GLOBAL = "global"  # visible to every internal user, edited by "manage global lists"
    BUYER = "buyer"  # built by an Account Manager for one buyer
    MEETING = "meeting"  # a meeting's list, reached through its meeting only


class ProgrammeList(db.Model):
    __tablename__ = "lists"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default=ListKind.MY, index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                 index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now,
                                                 onupdate=_now)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    buyer: Mapped[User | None] = relationship(foreign_keys=[buyer_id])
    items: Mapped[list["ListItem"]] = relationship(
        back_populates="list", cascade="all, delete-orphan",
        order_by="ListItem.position, ListItem.id")

    def __str__(self):
        return self.name


class ListItem(db.Model):
    """One catalogue item in a list: a programme, or one of its seasons or episodes."""

    __tablename__ = "list_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("lists.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              index=True)
    season_id: Mapped[int | None] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text, default="")
    # Raised on every note change, so a save based on an older version is seen as a conflict.
    note_version: Mapped[int] = mapped_column(Integer, default=1)
    # Marked in a meeting: the buyer's interest (+1 up, -1 down) and whether the summary
    # email carries the item's screener link.
    interest: Mapped[int | None] = mapped_column(SmallInteger)
    include_screener: Mapped[bool] = mapped_column(Boolean, default=False,
                                                   server_default=false())
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    list: Mapped[ProgrammeList] = relationship(back_populates="items")
    programme: Mapped[Programme] = relationship()
    season: Mapped[Season | None] = relationship()
    episode: Mapped[Episode | None] = relationship()

    @property
    def label(self) -> str:
        parts = [self.programme.title]
        if self.season is not None:
            parts.append(str(self.season))
        if self.episode is not None:
            parts.append(f"Ep. {self.episode.number}: {self.episode}"
                         if self.episode.title else str(self.episode))
        return " · ".join(parts)

    @property
    def screener_url(self) -> str | None:
        source = self.screener_source
        return source[2] if source else None

    @property
    def screener_source(self) -> tuple[str, int, str] | None:
        """(kind, id, url) of the most specific entry with a screener: episode, season,
        then programme."""
        for kind, item in (("episode", self.episode), ("season", self.season),
                           ("programme", self.programme)):
            if item is not None and item.screener_url:
                return kind, item.id, item.screener_url
        return None


class ListShare(db.Model):
    """A list sent by email to one recipient: a registered buyer (who may then also open it
    on the website) or an address with no account. Each carries its own link, kept only as
    a digest of its token, working until it expires, is revoked or reaches its view cap.
    Shares made before links existed have no token."""

    __tablename__ = "list_shares"
    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("lists.id", ondelete="CASCADE"), index=True)
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                 index=True)
    # The address the link went to: the buyer's at the time, or one with no account.
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The Account Manager an SC shared the list for (none when the sharer is the AM).
    acting_for_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text, default="")
    shared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # SHA-256 of the link's token: the token itself is only ever in the email.
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    max_views: Mapped[int | None] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    list: Mapped[ProgrammeList] = relationship()
    buyer: Mapped[User | None] = relationship(foreign_keys=[buyer_id])
    shared_by: Mapped[User | None] = relationship(foreign_keys=[shared_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    acting_for: Mapped[User | None] = relationship(foreign_keys=[acting_for_id])

    @property
    def shared_by_text(self) -> str:
        """"Sam Patel for Alice Morgan", or the sharer alone ("a former user" if deleted)."""
        return acting_text(self.shared_by, self.acting_for) or "a former user"

    @property
    def recipient(self) -> str:
        """Who the link went to, as people read it."""
        return self.buyer.full_name if self.buyer is not None else self.email


class LinkEventKind(StrEnum):
    LIST_VIEW = "list_view"
    SCREENER_PLAY = "screener_play"


class ShareLinkEvent(db.Model):
    """A view of a shared list, or a screener played, through one recipient's link: the
    record of what each recipient did, with or without an account."""

    __tablename__ = "activity_share_link_events"
    __table_args__ = (Index("ix_activity_share_link_events_share_id_kind", "share_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("list_shares.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now,
                                                  index=True)

    share: Mapped[ListShare] = relationship()
