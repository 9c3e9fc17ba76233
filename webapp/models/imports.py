"""A catalogue import run in the background: the uploaded file, how far it has gone, and
the rows it refused."""

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.people import User


def _now() -> datetime:
    return datetime.now(UTC)


class CatalogueImport(db.Model):
    __tablename__ = "catalogue_imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    filename: Mapped[str] = mapped_column(String(255), default="")
    # waiting -> running -> done, or failed (the job itself broke; `failure` says how)
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    failure: Mapped[str] = mapped_column(String(500), default="")
    csv_text: Mapped[str] = mapped_column(Text)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    # One entry per refused row: {"row", "title", "messages", "values"}.
    errors: Mapped[list] = mapped_column(JSON, default=list)

    started_by: Mapped[User | None] = relationship()

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else self.rows_done * 100 // self.total_rows
