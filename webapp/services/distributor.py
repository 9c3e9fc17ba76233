"""The distributor's settings: the name, logo, sending address, email footer and accent
colour every page and email carries.

One row, read at most once per request (kept on flask.g until the request ends). Fields left
empty fall back to MAIL_FROM: its display name is the name, its address the sending address.
"""

import io
import re
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from email_validator import EmailNotValidError, validate_email
from flask import current_app, g, has_app_context
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import DistributorSettings
from webapp.services import DomainError
from webapp.services.row_locks import lock

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_SIDE = 2000
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp",
              "GIF": "image/gif"}
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_NAME = "Sales CMS"
_G_KEY = "distributor"


@dataclass(frozen=True)
class Distributor:
    """The settings as pages and emails use them, with the fallbacks applied."""

    name: str
    sending_address: str
    footer_address: str
    footer_contact: str
    accent_colour: str
    logo_version: str  # "" without a logo; changes with each new logo (cache-busting)

    def sender(self, display_name: str | None = None) -> str:
        """The From header: the display name (default: the distributor's) and the address."""
        return formataddr((display_name or self.name, self.sending_address))

    def sender_for(self, person) -> str:
        """The From header of an email written in someone's name: "Alice Morgan via <name>"."""
        return self.sender(f"{person.full_name} via {self.name}")


def settings_row() -> DistributorSettings | None:
    return db.session.scalar(select(DistributorSettings).order_by(DistributorSettings.id)
                             .limit(1))


def _from_row(row: DistributorSettings | None) -> Distributor:
    configured_name, configured_address = parseaddr(current_app.config["MAIL_FROM"])
    row = row or DistributorSettings()
    return Distributor(
        name=row.name or configured_name or DEFAULT_NAME,
        sending_address=row.sending_address or configured_address or "no-reply@localhost",
        footer_address=row.footer_address or "", footer_contact=row.footer_contact or "",
        accent_colour=row.accent_colour or "",
        logo_version=(f"{row.updated_at:%Y%m%d%H%M%S%f}" if row.logo_type and row.updated_at
                      else ("1" if row.logo_type else "")))


def current() -> Distributor:
    """The settings, read once per request (flask.g is cleared when each request ends)."""
    if has_app_context() and _G_KEY in g:
        return g.get(_G_KEY)
    distributor = _from_row(settings_row())
    if has_app_context():
        setattr(g, _G_KEY, distributor)
    return distributor


def without_database() -> None:
    """For the rest of this request, the configured settings (MAIL_FROM), read from no
    database: the page saying the database is unreachable is drawn with them."""
    setattr(g, _G_KEY, _from_row(None))


def forget() -> None:
    """Drop the settings read in this request (after a change, and when a request ends)."""
    if has_app_context():
        g.pop(_G_KEY, None)


@dataclass
class SettingsChange:
    name: str
    sending_address: str
    footer_address: str
    footer_contact: str
    accent_colour: str
    logo: bytes | None = None  # a new logo's bytes, as uploaded
    remove_logo: bool = False


def _checked_logo(data: bytes) -> tuple[bytes, str]:
    if len(data) > MAX_LOGO_BYTES:
        raise DomainError(f"The logo is larger than {MAX_LOGO_BYTES // 1024} KB. Choose a "
                          "smaller file.", field="logo")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind, size = image.format, image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise DomainError("The logo is not an image we can read: upload a PNG, JPEG, WebP "
                          "or GIF file.", field="logo") from error
    if kind not in LOGO_TYPES:
        raise DomainError("Upload the logo as a PNG, JPEG, WebP or GIF file.", field="logo")
    if max(size) > MAX_LOGO_SIDE:
        raise DomainError(f"The logo is {size[0]} × {size[1]} pixels; at most "
                          f"{MAX_LOGO_SIDE} on each side, please.", field="logo")
    return data, LOGO_TYPES[kind]


def _check(change: SettingsChange) -> list[DomainError]:
    problems = []
    if not " ".join(change.name.split()):
        problems.append(DomainError("Give the distributor's name.", field="name"))
    if change.sending_address.strip():
        try:
            validate_email(change.sending_address.strip(), check_deliverability=False)
        except EmailNotValidError:
            problems.append(DomainError("The sending address is not an email address.",
                                        field="sending_address"))
    if change.accent_colour.strip() and not HEX_COLOUR.fullmatch(change.accent_colour.strip()):
        problems.append(DomainError("Give the accent colour as # and six hex digits, such as "
                                    "#1d3557.", field="accent_colour"))
    return problems


def update_settings(change: SettingsChange) -> DistributorSettings:
    """Check every field, then save them all, or nothing (a DomainError naming each problem)."""
    problems = _check(change)
    logo = None
    if change.logo:
        try:
            logo = _checked_logo(change.logo)
        except DomainError as error:
            problems.append(error)
    if problems:
        error = DomainError(str(problems[0]), field=problems[0].field)
        error.problems = problems
        raise error
    row = settings_row()
    if row is None:
        row = DistributorSettings()
        db.session.add(row)
        db.session.flush()
    lock(row)
    row.name = " ".join(change.name.split())
    row.sending_address = change.sending_address.strip()
    row.footer_address = change.footer_address.strip()
    row.footer_contact = " ".join(change.footer_contact.split())
    row.accent_colour = change.accent_colour.strip().lower()
    if logo is not None:
        row.logo, row.logo_type = logo
    elif change.remove_logo:
        row.logo, row.logo_type = None, ""
    db.session.flush()
    forget()
    return row


def init_app(app) -> None:
    app.teardown_request(lambda _error: forget())
    app.add_template_global(current, "distributor")
