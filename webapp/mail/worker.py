"""A light in-process email sender for local use (MAIL_BACKGROUND_SENDER=1).

A daemon thread delivers the outbox every few seconds, and at once after a commit that
queued mail. Production runs `flask --app webapp mail send` as its own process instead.
"""

import logging
import threading

from flask import current_app, has_app_context
from sqlalchemy import event

from webapp.extensions import db
from webapp.mail import service as mail

log = logging.getLogger(__name__)
EXTENSION = "mail_sender"
BATCH = 50


class MailSender:
    """Runs send_due() in passes: after each, waits for a wake-up or `interval` seconds."""

    def __init__(self, app, interval: float = 5.0):
        self.app = app
        self.interval = interval
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        self._wake.set()

    def run_pass(self) -> dict[str, list[int]]:
        """One pass in a fresh app context; errors are logged so the loop never dies."""
        try:
            with self.app.app_context():
                return mail.send_due(limit=BATCH)
        except Exception:
            log.exception("The mail sender failed; it will try again.")
            return {}

    def run(self) -> None:
        """Send until stop(); the CLI runs this in the foreground, start() in a thread."""
        while not self._stopping.is_set():
            # Cleared before the pass: a commit during the pass wakes the next one at once.
            self._wake.clear()
            report = self.run_pass()
            if sum(len(ids) for ids in report.values()) < BATCH:
                self._wake.wait(self.interval)

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self.run, name="mail-sender",
                                                daemon=True)
                self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)


@event.listens_for(db.session, "after_commit")
def _wake_sender_for_queued_mail(session):
    if session.info.pop(mail.QUEUED_IN_SESSION, False) and has_app_context():
        sender = current_app.extensions.get(EXTENSION)
        if sender is not None:
            sender.wake()


@event.listens_for(db.session, "after_rollback")
def _forget_rolled_back_mail(session):
    session.info.pop(mail.QUEUED_IN_SESSION, None)


def init_app(app):
    if not app.config["MAIL_BACKGROUND_SENDER"] or app.testing:
        return
    sender = app.extensions[EXTENSION] = MailSender(app)

    # Started by the first request, not here: CLI commands and the reloader's watcher
    # process build the app too, and must not each run a second sender.
    @app.before_request
    def _start_mail_sender():
        sender.start()
