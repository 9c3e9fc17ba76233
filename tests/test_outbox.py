"""The email outbox: written with the change that causes it, delivered once, never lost."""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from queue import Queue

import pytest
from flask import current_app, has_request_context
from sqlalchemy import func, select

from tests import factories as f
from tests.conftest import make_app
from tests.smtp import SmtpServer, mail_settings
from webapp.extensions import db
from webapp.mail import commands as mail_commands
from webapp.mail import service as mail
from webapp.mail.worker import EXTENSION, MailSender
from webapp.models import OutboxMessage, OutboxStatus
from webapp.services import DomainError
from webapp.times import as_utc

pytestmark = pytest.mark.usefixtures("ctx")

NOTHING = {"sent": [], "deferred": [], "failed": []}


@pytest.fixture
def app_config(smtp):
    return mail_settings(smtp, MAIL_MAX_ATTEMPTS=4)


def queue_notice(person=None, subject="Your Sales CMS account") -> OutboxMessage:
    person = person or f.buyer()
    return mail.queue_email(person.email, "account_exists", subject, person=person,
                            login_url=mail.absolute_url("auth.login"))


def committed_rows() -> int:
    """The outbox rows another connection sees: committed ones only."""
    with db.engine.connect() as other:
        return other.scalar(select(func.count()).select_from(OutboxMessage))


def test_queued_email_is_written_only_when_its_transaction_commits():
    message = queue_notice()
    db.session.flush()
    assert message.id is not None
    assert committed_rows() == 0
    db.session.commit()
    assert committed_rows() == 1
    assert (message.kind, message.status, message.attempts) == ("account_exists", "pending", 0)


def test_queued_email_is_rolled_back_with_its_transaction():
    person = f.buyer()
    person.job_title = "Head of Acquisitions"  # the change that causes the email
    queue_notice(person)
    db.session.flush()
    db.session.rollback()
    assert committed_rows() == 0
    assert mail.QUEUED_IN_SESSION not in db.session.info
    assert mail.send_due() == NOTHING


def test_delivered_email_has_both_parts_escaped_user_text_and_absolute_links(smtp):
    person = f.buyer(first_name="<script>alert(1)</script>", email="ben@broadcaster.example")
    message = queue_notice(person)
    db.session.commit()
    assert mail.send_due() == {**NOTHING, "sent": [message.id]}

    [received] = smtp.messages
    assert received.get_content_type() == "multipart/alternative"
    text, html = received.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert received["To"] == "ben@broadcaster.example"
    assert received["From"] == "Sales CMS <no-reply@localhost>"
    assert received["Subject"] == "Your Sales CMS account"
    assert received["Message-ID"] == message.message_id
    assert received["Date"].datetime == as_utc(message.created_at).replace(microsecond=0)
    assert "Hello <script>alert(1)</script>," in text.get_content()
    assert "https://cms.example.com/login" in text.get_content()
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;," in html.get_content()
    assert "<script>" not in html.get_content()
    assert 'href="https://cms.example.com/login"' in html.get_content()
    assert "Sales CMS" in html.get_content()
    db.session.refresh(message)
    assert (message.status, message.attempts) == ("sent", 1)
    assert message.sent_at is not None


def test_one_message_goes_to_every_recipient_once(smtp):
    person = f.buyer()
    message = mail.queue_email([" sam@example.com", "alice@example.com", "sam@example.com"],
                               "account_exists", "Hello", person=person, login_url="https://x")
    db.session.commit()
    assert message.recipients == "sam@example.com, alice@example.com"
    mail.send_due()
    assert smtp.envelope_recipients == [["sam@example.com", "alice@example.com"]]
    assert smtp.messages[0]["To"] == "sam@example.com, alice@example.com"


@pytest.mark.parametrize("recipients", ["", [], ["a@example.com, b@example.com"],
                                        "a@example.com\r\nBcc: eve@example.com"])
def test_queue_email_refuses_what_is_not_a_list_of_addresses(recipients):
    with pytest.raises(ValueError):
        mail.queue_email(recipients, "account_exists", "Hello", person=f.buyer(), login_url="")


def test_absolute_url_comes_from_the_public_base_url_without_a_request():
    current_app.config["PUBLIC_BASE_URL"] = "https://sales.example.com/cms/"
    assert not has_request_context()
    assert mail.absolute_url("admin.user", user_id=7) == "https://sales.example.com/cms/admin/users/7"
    assert mail.absolute_url("auth.login", next="/a b") == (
        "https://sales.example.com/cms/login?next=/a+b")


def test_without_an_smtp_host_nothing_is_sent_and_messages_wait(smtp):
    current_app.config["MAIL_SMTP_HOST"] = ""
    message = queue_notice()
    db.session.commit()
    assert mail.send_due() == NOTHING
    db.session.refresh(message)
    assert (message.status, message.attempts, message.last_error) == ("pending", 0, None)
    assert smtp.messages == []


@pytest.mark.parametrize("attempts, seconds", [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600),
                                               (12, 3600), (1000, 3600)])
def test_retry_delay_doubles_from_30_seconds_up_to_an_hour(attempts, seconds):
    assert mail.retry_delay(attempts) == timedelta(seconds=seconds)


def test_failures_are_recorded_backed_off_and_given_up_after_the_last_attempt(smtp):
    message = queue_notice()
    db.session.commit()
    smtp.stop()
    moment = datetime.now(UTC)
    for attempt, delay in enumerate([30, 60, 120], start=1):
        assert mail.send_due(now=moment) == {**NOTHING, "deferred": [message.id]}
        db.session.refresh(message)
        assert (message.status, message.attempts) == ("pending", attempt)
        assert "ConnectionRefusedError" in message.last_error
        assert as_utc(message.next_attempt_at) == moment + timedelta(seconds=delay)
        assert mail.send_due(now=moment + timedelta(seconds=delay - 1)) == NOTHING
        moment += timedelta(seconds=delay)
    assert mail.send_due(now=moment) == {**NOTHING, "failed": [message.id]}  # attempt 4 of 4
    db.session.refresh(message)
    assert (message.status, message.attempts) == ("failed", 4)
    assert mail.send_due(now=moment + timedelta(days=1)) == NOTHING


@pytest.fixture
def smtp_with_login():
    server = SmtpServer(login=("cms", "right-password"))
    server.start()
    yield server
    server.stop()


def test_the_smtp_password_is_never_stored_in_the_error(smtp_with_login):
    current_app.config.update(mail_settings(smtp_with_login, MAIL_SMTP_USERNAME="cms",
                                            MAIL_SMTP_PASSWORD="wrong-Pa55word"))
    message = queue_notice()
    db.session.commit()
    assert mail.send_due()["deferred"] == [message.id]
    db.session.refresh(message)
    # The server echoes the password it was given; the outbox keeps it masked.
    assert "SMTPAuthenticationError" in message.last_error and "535" in message.last_error
    assert "wrong-Pa55word" not in message.last_error and "********" in message.last_error

    current_app.config["MAIL_SMTP_PASSWORD"] = "right-password"
    assert mail.send_due(now=datetime.now(UTC) + timedelta(minutes=1))["sent"] == [message.id]
    assert len(smtp_with_login.messages) == 1


def test_retry_makes_a_failed_message_due_now_and_keeps_its_history(smtp):
    current_app.config["MAIL_MAX_ATTEMPTS"] = 1
    message = queue_notice()
    db.session.commit()
    smtp.stop()
    assert mail.send_due()["failed"] == [message.id]
    smtp.start()
    assert mail.send_due(now=datetime.now(UTC) + timedelta(days=1)) == NOTHING

    mail.retry(message)
    db.session.commit()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in message.last_error
    assert mail.send_due()["sent"] == [message.id]
    assert smtp.message_id_counts() == {message.message_id: 1}
    with pytest.raises(DomainError, match="sent already"):
        mail.retry(message)


def test_no_email_is_lost_or_sent_twice_when_the_smtp_server_goes_down_and_comes_back(smtp):
    messages = [queue_notice(subject=f"Notice {n}") for n in range(6)]
    db.session.commit()
    assert mail.send_due(limit=2)["sent"] == [messages[0].id, messages[1].id]

    smtp.stop()
    outage = mail.send_due()
    assert (outage["sent"], outage["failed"]) == ([], [])
    assert sorted(outage["deferred"]) == [m.id for m in messages[2:]]
    for message in messages[2:]:
        db.session.refresh(message)
        assert (message.status, message.attempts) == ("pending", 1)
        assert "Connection refused" in message.last_error
    assert mail.send_due() == NOTHING  # backing off

    smtp.start()  # same port
    assert mail.send_due() == NOTHING  # still backing off
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert sorted(mail.send_due(now=later)["sent"]) == [m.id for m in messages[2:]]
    assert mail.send_due(now=later + timedelta(hours=2)) == NOTHING

    assert smtp.message_id_counts() == Counter({m.message_id: 1 for m in messages})
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status != OutboxStatus.SENT)) == 0


def test_a_message_sent_again_after_a_crash_keeps_its_message_id(smtp, monkeypatch):
    message = queue_notice()
    db.session.commit()

    def crash():
        raise RuntimeError("the sender died after the SMTP server took the message")

    monkeypatch.setattr(db.session, "commit", crash)
    with pytest.raises(RuntimeError):
        mail.send_due()
    monkeypatch.undo()
    db.session.rollback()
    assert mail.send_due()["sent"] == [message.id]
    assert smtp.message_id_counts() == {message.message_id: 2}


def test_two_senders_side_by_side_never_deliver_a_message_twice(app, database_url, smtp):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no row locks; SELECT ... FOR UPDATE SKIP LOCKED needs PostgreSQL")
    smtp.delay = 0.02  # each row stays locked while its message is being sent
    messages = [queue_notice(subject=f"Notice {n}") for n in range(20)]
    db.session.commit()
    ready, reports = threading.Barrier(2), []

    def sender():
        with app.app_context():
            ready.wait(timeout=10)
            reports.append(mail.send_due(limit=100))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(reports) == 2 and all(report["sent"] for report in reports)
    assert sorted(reports[0]["sent"] + reports[1]["sent"]) == [m.id for m in messages]
    assert smtp.message_id_counts() == Counter({m.message_id: 1 for m in messages})


class ObservedSender(MailSender):
    """The background sender, reporting each pass to the test."""

    def __init__(self, app, interval):
        super().__init__(app, interval)
        self.passes = Queue()

    def run_pass(self):
        report = super().run_pass()
        self.passes.put(report)
        return report


def test_background_sender_is_woken_by_a_commit_that_queued_mail(smtp):
    app = current_app._get_current_object()
    sender = app.extensions[EXTENSION] = ObservedSender(app, interval=60)
    sender.start()
    try:
        assert sender.passes.get(timeout=10) == NOTHING
        message = queue_notice()
        db.session.commit()
        # Long before the 60 s poll: the commit woke it.
        assert sender.passes.get(timeout=10)["sent"] == [message.id]
    finally:
        sender.stop(timeout=10)
    assert not sender.is_running
    assert smtp.message_id_counts() == {message.message_id: 1}


def test_background_sender_survives_errors(monkeypatch):
    def broken(limit):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(mail, "send_due", broken)
    sender = ObservedSender(current_app._get_current_object(), interval=0.01)
    sender.start()
    try:
        assert [sender.passes.get(timeout=10) for _ in range(3)] == [{}, {}, {}]
        assert sender.is_running
    finally:
        sender.stop(timeout=10)


def test_background_sender_runs_only_when_enabled_and_not_testing(database_url, app_config):
    testing = make_app(database_url, MAIL_BACKGROUND_SENDER=True, **app_config)
    assert EXTENSION not in testing.extensions
    live = make_app(database_url, MAIL_BACKGROUND_SENDER=True, TESTING=False, **app_config)
    sender = live.extensions[EXTENSION]
    assert not sender.is_running  # CLI commands build the app too: it waits for a request
    try:
        live.test_client().get("/login")
        assert sender.is_running
    finally:
        sender.stop(timeout=10)
        with live.app_context():
            db.engine.dispose()
    assert not sender.is_running


def test_cli_mail_send_once_prints_what_was_sent_and_what_will_be_retried(smtp):
    sent = queue_notice(subject="Goes through")
    db.session.commit()
    result = current_app.test_cli_runner().invoke(args=["mail", "send", "--once"])
    assert result.exit_code == 0, result.output
    assert f"sent  #{sent.id} to {sent.recipients}: Goes through" in result.output
    assert "1 sent, 0 to retry, 0 failed; 0 pending." in result.output

    smtp.stop()
    waiting = queue_notice(subject="Waits")
    db.session.commit()
    result = current_app.test_cli_runner().invoke(args=["mail", "send", "--once"])
    assert f"will retry  #{waiting.id} to {waiting.recipients}: Waits (" in result.output
    assert "ConnectionRefusedError" in result.output
    assert "0 sent, 1 to retry, 0 failed; 1 pending." in result.output


def test_cli_mail_send_needs_an_smtp_host():
    current_app.config["MAIL_SMTP_HOST"] = ""
    result = current_app.test_cli_runner().invoke(args=["mail", "send", "--once"])
    assert result.exit_code == 1
    assert "MAIL_SMTP_HOST is not set" in result.output


def test_cli_mail_send_stops_cleanly_on_ctrl_c(monkeypatch):
    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(mail_commands.MailSender, "run", interrupted)
    result = current_app.test_cli_runner().invoke(args=["mail", "send", "--interval", "1"])
    assert result.exit_code == 0, result.output
    assert "Press Ctrl-C to stop." in result.output and "Stopped." in result.output
