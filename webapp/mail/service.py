"""Outgoing email through the outbox.

queue_email() adds a row in the caller's transaction, so an email exists exactly when the
change that causes it is committed. send_due() delivers due rows over SMTP, one transaction
per message: a crash loses nothing, and at worst sends a message again with its Message-ID.
"""

import logging
import smtplib
import ssl
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import defer, joinedload

from webapp.extensions import db
from webapp.models import OutboxMessage, OutboxStatus
from webapp.search import text_matches
from webapp.services import DomainError, distributor
from webapp.times import as_utc
from webapp.web import formatting

log = logging.getLogger(__name__)

# Set in session.info when a transaction queues mail; the background sender wakes on commit.
QUEUED_IN_SESSION = "outbox_queued"
FIRST_RETRY_DELAY = timedelta(seconds=30)
LONGEST_RETRY_DELAY = timedelta(hours=1)
SECURITY_MODES = ("starttls", "tls", "none")


def queue_email(recipients: str | Iterable[str], template: str, subject: str,
                calendar: str | None = None, *, sent_by=None, acting_for=None,
                **context) -> OutboxMessage:
    """Render emails/<template>.txt and .html and add the message to the session (no commit).

    `calendar`, an iCalendar object, travels as the invite calendar programs act on.
    `sent_by` is who caused the email; `acting_for`, the person it speaks for (a meeting's
    host, a buyer's Account Manager): it comes from the distributor's sending address as
    "<their name> via <distributor>", and replies go to them. Both are kept on the message
    ("Sam Patel for Alice Morgan" in Admin > Outbox)."""
    addresses = _addresses(recipients)
    subject = " ".join(subject.split())
    text_body, html_body = render_email(template, subject, **context)
    now = datetime.now(UTC)
    sender = distributor.current()
    message = OutboxMessage(
        kind=template, recipients=", ".join(addresses), subject=subject,
        text_body=text_body, html_body=html_body, calendar=calendar,
        status=OutboxStatus.PENDING, attempts=0, created_at=now, next_attempt_at=now,
        message_id=make_msgid(domain=_sender_domain()),
        sender=sender.sender_for(acting_for) if acting_for else sender.sender(),
        reply_to=acting_for.email if acting_for else None,
        sent_by=sent_by, acting_for=acting_for,
    )
    db.session.add(message)
    db.session.info[QUEUED_IN_SESSION] = True
    return message


def render_email(template: str, subject: str, **context) -> tuple[str, str]:
    """The text and HTML parts of emails/<template>."""
    context = {"subject": subject, "absolute_url": absolute_url,
               "distributor": distributor.current(), **context}
    templates = _template_environments()
    text = templates["text"].get_template(f"emails/{template}.txt").render(context)
    return (f"{text.rstrip()}\n\n-- \n{_text_footer(context['distributor'])}\n",
            templates["html"].get_template(f"emails/{template}.html").render(context))


def _text_footer(sender: "distributor.Distributor") -> str:
    """The plain-text part's signature: the distributor's name, address and contact."""
    lines = [sender.name, *sender.footer_address.splitlines(), sender.footer_contact]
    return "\n".join(line.strip() for line in lines if line.strip())


def absolute_url(endpoint: str, **values) -> str:
    """An absolute link for an email, from PUBLIC_BASE_URL; needs no request (CLI, sender)."""
    app = current_app._get_current_object()
    base = urlsplit(app.config["PUBLIC_BASE_URL"])
    adapter = app.url_map.bind(base.netloc, script_name=base.path or "/",
                               url_scheme=base.scheme or "http")
    app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def send_due(limit: int = 50, now: datetime | None = None) -> dict[str, list[int]]:
    """Deliver up to `limit` due messages; the ids come back as sent, deferred or failed.

    Each message is claimed with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite has
    no row locks) and its row stays locked until its outcome is committed, so senders that
    run side by side never send one message twice. Without MAIL_SMTP_HOST nothing is sent.
    """
    report = {"sent": [], "deferred": [], "failed": []}
    if not current_app.config["MAIL_SMTP_HOST"]:
        return report
    with _SmtpSession(current_app.config) as smtp:
        for _ in range(limit):
            moment = as_utc(now) if now else datetime.now(UTC)
            message = _claim_due_message(moment)
            if message is None:
                break
            message_id = message.id
            outcome = _deliver(message, smtp, moment)
            db.session.commit()
            report[outcome].append(message_id)
    return report


def retry(message: OutboxMessage) -> None:
    """An administrator's retry: due again now, keeping its attempts and last error."""
    if message.status == OutboxStatus.SENT:
        raise DomainError("This email has been sent already.")
    message.status = OutboxStatus.PENDING
    message.next_attempt_at = datetime.now(UTC)
    db.session.info[QUEUED_IN_SESSION] = True


def outbox_messages(status: str = "", search: str = ""):
    """The outbox, newest first, optionally of one status and matching recipient or subject;
    without the bodies (tens of KB each), which only a message's own page shows."""
    query = (select(OutboxMessage).order_by(OutboxMessage.id.desc())
             .options(joinedload(OutboxMessage.sent_by).lazyload("*"),
                      joinedload(OutboxMessage.acting_for).lazyload("*"),
                      *(defer(body, raiseload=True) for body in (
                          OutboxMessage.text_body, OutboxMessage.html_body,
                          OutboxMessage.calendar))))
    if status:
        query = query.where(OutboxMessage.status == status)
    if search:
        query = query.where(or_(text_matches(OutboxMessage.recipients, search),
                                text_matches(OutboxMessage.subject, search)))
    return query


def status_counts() -> dict[str, int]:
    counts = dict(db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return {status.value: counts.get(status.value, 0) for status in OutboxStatus}


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling each time, never more than an hour."""
    return min(FIRST_RETRY_DELAY * 2 ** min(max(attempts - 1, 0), 16), LONGEST_RETRY_DELAY)


def _addresses(recipients: str | Iterable[str]) -> list[str]:
    if isinstance(recipients, str):
        recipients = [recipients]
    addresses = list(dict.fromkeys(address.strip() for address in recipients))
    # Stored comma-separated and written into a header: no commas, no line breaks.
    if not addresses or any(not a or any(c in a for c in ",\r\n") for a in addresses):
        raise ValueError(f"Not a list of email addresses: {recipients!r}")
    return addresses


def _template_environments() -> dict:
    """The app's Jinja environment twice: autoescaped for HTML, verbatim for plain text."""
    app = current_app._get_current_object()
    environments = app.extensions.get("mail_templates")
    if environments is None:
        environments = {"html": app.jinja_env.overlay(autoescape=True),
                        "text": app.jinja_env.overlay(autoescape=False)}
        for environment in environments.values():
            # Emails keep one date format whoever's request queues them (overlays share the
            # app's filters: a new dict, not an update).
            environment.filters = {**environment.filters, **formatting.fixed_locale_filters()}
        app.extensions["mail_templates"] = environments
    return environments


def _sender_domain() -> str:
    # make_msgid() would otherwise look the host's name up in DNS, on every call.
    address = parseaddr(current_app.config["MAIL_FROM"])[1]
    return address.rpartition("@")[2] or "localhost"


def _claim_due_message(moment: datetime) -> OutboxMessage | None:
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING,
               OutboxMessage.next_attempt_at <= moment)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        # The session may hold an older copy of the row; the locked one is the truth.
        .execution_options(populate_existing=True)
    ).first()


def _deliver(message: OutboxMessage, smtp: "_SmtpSession", moment: datetime) -> str:
    message.attempts += 1
    try:
        refused = smtp.send(_email_for(message))
    # Any error, not only SMTP's: one message that cannot be built or sent must not stop
    # the queue behind it. It is recorded on the message and retried later.
    except Exception as error:
        return _record_failure(message, error, moment)
    message.status = OutboxStatus.SENT
    message.sent_at = moment
    if refused:
        message.last_error = "Refused by the server for " + ", ".join(sorted(refused))
    return "sent"


def _record_failure(message: OutboxMessage, error: Exception, moment: datetime) -> str:
    config = current_app.config
    description = f"{type(error).__name__}: {error}"
    if config["MAIL_SMTP_PASSWORD"]:
        description = description.replace(config["MAIL_SMTP_PASSWORD"], "********")
    message.last_error = description[:2000]
    log.warning("Email %s to %s not sent (attempt %d): %s", message.id, message.recipients,
                message.attempts, message.last_error)
    if message.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        message.status = OutboxStatus.FAILED
        return "failed"
    message.next_attempt_at = moment + retry_delay(message.attempts)
    return "deferred"


def _email_for(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = message.sender or current_app.config["MAIL_FROM"]
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    email["To"] = message.recipients
    email["Subject"] = message.subject
    email["Date"] = format_datetime(as_utc(message.created_at))
    email["Message-ID"] = message.message_id
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    if message.calendar:
        method = "CANCEL" if "\nMETHOD:CANCEL" in message.calendar else "REQUEST"
        email.add_alternative(message.calendar, subtype="calendar", params={"method": method})
        email.add_attachment(message.calendar.encode(), maintype="text", subtype="calendar",
                             filename="invite.ics")
    return email


class _SmtpSession:
    """One SMTP connection for a pass: opened when first needed, and again after a failure."""

    def __init__(self, config):
        self.config = config
        self.client: smtplib.SMTP | None = None

    def __enter__(self):
        return self

    def __exit__(self, *_exc_info):
        self.close()

    def send(self, email: EmailMessage) -> dict:
        if self.client is None:
            self.client = _connect(self.config)
        try:
            return self.client.send_message(email)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def _connect(config) -> smtplib.SMTP:
    security = config["MAIL_SMTP_SECURITY"]
    if security not in SECURITY_MODES:
        raise ValueError(f"MAIL_SMTP_SECURITY is {security!r}; use one of {SECURITY_MODES}")
    host, port, timeout = (config["MAIL_SMTP_HOST"], config["MAIL_SMTP_PORT"],
                           config["MAIL_SMTP_TIMEOUT"])
    if security == "tls":
        client = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if config["MAIL_SMTP_USERNAME"]:
            client.login(config["MAIL_SMTP_USERNAME"], config["MAIL_SMTP_PASSWORD"])
    except BaseException:
        client.close()
        raise
    return client
