"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives.

A test can stop it mid-run, so that sending fails with "connection refused", and start it
again on the same port.
"""

import asyncio
import socket
import threading
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, server: "SmtpServer"):
        self.server = server

    async def handle_DATA(self, _server, _session, envelope):
        if self.server.delay:
            # A slow server keeps each message's row locked for a while (concurrency tests).
            await asyncio.sleep(self.server.delay)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.server.receive(message, envelope.rcpt_tos)
        return "250 Message accepted for delivery"


class SmtpServer:
    """start(), stop(), start() again: same host and port; `messages` survives restarts."""

    def __init__(self, host: str = "127.0.0.1", *, delay: float = 0.0,
                 login: tuple[str, str] | None = None):
        self.host = host
        self.port = free_port(host)
        self.delay = delay
        self.login = login
        self.messages: list[EmailMessage] = []
        self.envelope_recipients: list[list[str]] = []
        self._arrived = threading.Condition()
        self._controller: Controller | None = None

    def start(self) -> None:
        options = {}
        if self.login:
            # Plain-text AUTH is fine on loopback; auth is offered but not required, which
            # aiosmtpd accepts without a security warning.
            options = {"authenticator": self._authenticate, "auth_require_tls": False}
        # A new controller each time: a stopped one has closed its event loop.
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port,
                                      **options)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def receive(self, message: EmailMessage, recipients: list[str]) -> None:
        with self._arrived:
            self.messages.append(message)
            self.envelope_recipients.append(list(recipients))
            self._arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Block until `count` messages have arrived in all (False after `timeout` s)."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)

    def message_id_counts(self) -> Counter:
        return Counter(message["Message-ID"] for message in self.messages)

    def _authenticate(self, _server, _session, _envelope, _mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and (
                auth_data.login.decode(), auth_data.password.decode()) == self.login:
            return AuthResult(success=True)
        # Echo what was tried, as careless servers do: the client must not store it.
        tried = auth_data.password.decode() if isinstance(auth_data, LoginPassword) else ""
        return AuthResult(success=False, handled=False,
                          message=f"535 5.7.8 Authentication failed for password {tried}")


def mail_settings(server: SmtpServer, **overrides) -> dict:
    """App settings that send through `server` and build links on a public address."""
    return {"MAIL_SMTP_HOST": server.host, "MAIL_SMTP_PORT": server.port,
            "MAIL_SMTP_SECURITY": "none", "MAIL_SMTP_TIMEOUT": 5,
            "PUBLIC_BASE_URL": "https://cms.example.com", **overrides}
