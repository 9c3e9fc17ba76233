"""The distributor's own settings: one row, edited in Admin > Settings."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db


def _now() -> datetime:
    return datetime.now(UTC)


class DistributorSettings(db.Model):
    """Who the CMS belongs to: the name every page and email carries, its logo, the address
    emails are sent from, the footer emails end with and the accent colour. Empty fields
    fall back to the configuration (MAIL_FROM), so a new installation works before anyone
    fills them in."""

    __tablename__ = "distributor_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    sending_address: Mapped[str] = mapped_column(String(254), default="")
    footer_address: Mapped[str] = mapped_column(Text, default="")
    footer_contact: Mapped[str] = mapped_column(String(200), default="")
    accent_colour: Mapped[str] = mapped_column(String(7), default="")
    # The logo is kept in the database (small, capped on upload), so every app server
    # serves the same one without a shared file system. Its bytes (up to 512 KB) are read
    # only by the route that serves it, not with the settings every page reads: logo_type
    # says whether there is one.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_type: Mapped[str] = mapped_column(String(32), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now,
                                                 onupdate=_now)
