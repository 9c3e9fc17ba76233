"""Territories, regions and companies: the managed lists people are filed under."""

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Index, String, Table, func
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from webapp.extensions import db


class UniqueNameMixin:
    """A display name that is unique case-insensitively, through a lower-cased key column."""

    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120), unique=True)

    @validates("name")
    def _keep_name_key(self, _key, value):
        value = " ".join(value.split())
        self.name_key = value.casefold()
        return value

    def __str__(self):
        return self.name


class Region(UniqueNameMixin, db.Model):
    __tablename__ = "regions"
    id: Mapped[int] = mapped_column(primary_key=True)


class Territory(UniqueNameMixin, db.Model):
    __tablename__ = "territories"
    id: Mapped[int] = mapped_column(primary_key=True)


company_territories = Table(
    "company_territories",
    db.metadata,
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True),
    Column("territory_id", ForeignKey("territories.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Company(UniqueNameMixin, db.Model):
    __tablename__ = "companies"
    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())

    region: Mapped[Region | None] = relationship()
    territories: Mapped[list[Territory]] = relationship(
        secondary=company_territories, order_by=Territory.name
    )

    __table_args__ = (
        # Near-match and "contains" company searches on PostgreSQL (pg_trgm): nearest names
        # by trigram distance (<->) and LIKE '%...%' on the key.
        Index("ix_companies_name_key_trgm", "name_key", postgresql_using="gist",
              postgresql_ops={"name_key": "gist_trgm_ops"}).ddl_if(dialect="postgresql"),
    )
