"""The catalogue: programmes, optionally with seasons and episodes, each with a screener."""

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.places import UniqueNameMixin

PROGRAMME_TYPES = ["Series", "Film", "Documentary", "Docuseries", "Format", "Kids", "Special"]


class Genre(UniqueNameMixin, db.Model):
    __tablename__ = "genres"
    id: Mapped[int] = mapped_column(primary_key=True)


programme_genres = Table(
    "programme_genres",
    db.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("genre_id", ForeignKey("genres.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Programme(db.Model):
    __tablename__ = "programmes"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), index=True)
    programme_type: Mapped[str] = mapped_column(String(32), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    episode_count: Mapped[int | None] = mapped_column(Integer)
    runtime_minutes: Mapped[int | None] = mapped_column(Integer)
    synopsis: Mapped[str] = mapped_column(Text, default="")
    image_path: Mapped[str | None] = mapped_column(String(255))
    screener_url: Mapped[str | None] = mapped_column(String(500))
    # Restricted: seen only by the buyers, companies and buyer groups granted it (see
    # access.py); open: every approved buyer. Internal users see everything.
    restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 default=lambda: datetime.now(UTC))

    genres: Mapped[list[Genre]] = relationship(secondary=programme_genres,
                                               order_by=Genre.name)
    seasons: Mapped[list["Season"]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Season.number")

    def __str__(self):
        return self.title


# The catalogue search (services.catalogue.programme_search: title contains, case-insensitive)
# looks titles up by trigram on PostgreSQL instead of testing every programme. SQLite has no
# such index (nor needs one).
Index("ix_programmes_title_trgm", Programme.title, postgresql_using="gin",
      postgresql_ops={"title": "gin_trgm_ops"}).ddl_if(dialect="postgresql")


class Season(db.Model):
    __tablename__ = "seasons"
    __table_args__ = (UniqueConstraint("programme_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200), default="")
    year: Mapped[int | None] = mapped_column(Integer)
    screener_url: Mapped[str | None] = mapped_column(String(500))
    restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    programme: Mapped[Programme] = relationship(back_populates="seasons")
    episodes: Mapped[list["Episode"]] = relationship(
        back_populates="season", cascade="all, delete-orphan", order_by="Episode.number")

    def __str__(self):
        return self.title or f"Season {self.number}"


class Episode(db.Model):
    __tablename__ = "episodes"
    __table_args__ = (UniqueConstraint("season_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"),
                                           index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200), default="")
    runtime_minutes: Mapped[int | None] = mapped_column(Integer)
    synopsis: Mapped[str] = mapped_column(Text, default="")
    screener_url: Mapped[str | None] = mapped_column(String(500))
    restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    season: Mapped[Season] = relationship(back_populates="episodes")

    def __str__(self):
        return self.title or f"Episode {self.number}"
