"""One-time form tokens: a form that creates something is acted on once, however often it
is sent (a double click, a proxy's retry)."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.people import User


def _now() -> datetime:
    return datetime.now(UTC)


class FormToken(db.Model):
    """A token rendered into a form, stored when the form is first acted on, in the same
    transaction: the same token sent again finds it and is answered with what came of it."""

    __tablename__ = "form_tokens"
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # What the form said (services.form_tokens.digest): sent again changed, it is refused.
    digest: Mapped[str] = mapped_column(String(64))
    # The page the first submission led to, where the ones after it are sent too.
    result_url: Mapped[str] = mapped_column(String(500), default="")

    used_by: Mapped[User | None] = relationship()
