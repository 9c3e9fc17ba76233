"""Second factors (an authenticator app, passkeys, recovery codes), the browsers a user has
signed in from, and the few settings an administrator changes in the CMS itself."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db


def _now() -> datetime:
    return datetime.now(UTC)


class TotpAuthenticator(db.Model):
    """An authenticator app (RFC 6238): at most one per user."""

    __tablename__ = "totp_authenticators"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         unique=True)
    name: Mapped[str] = mapped_column(String(100))
    secret: Mapped[str] = mapped_column(String(64))  # base32
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The 30-second step of the last code accepted: a code is accepted once, and never one
    # of an earlier step.
    last_used_step: Mapped[int] = mapped_column(Integer, default=0)


class Passkey(db.Model):
    """A WebAuthn credential: the authenticator keeps the private key, we keep the public."""

    __tablename__ = "passkeys"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1024), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(2048))
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    transports: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RecoveryCode(db.Model):
    """One single-use recovery code, stored as an argon2 hash like a password."""

    __tablename__ = "recovery_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class KnownBrowser(db.Model):
    """A browser the user has signed in from: the SHA-256 of its long-lived random cookie."""

    __tablename__ = "known_browsers"
    __table_args__ = (UniqueConstraint("user_id", "token_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class SiteSetting(db.Model):
    """A setting an administrator changes in the CMS (the environment holds the rest)."""

    __tablename__ = "site_settings"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(String(1000))
