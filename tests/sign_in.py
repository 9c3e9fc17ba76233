"""Finishing a login through the test client, as a user would: the second step with a code
computed from the authenticator's secret, or the enrolment an internal user's first login
asks for."""

from datetime import UTC, datetime

import pyotp
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import TotpAuthenticator


def totp_code(secret: str, steps_ahead: int = 0, at: datetime | None = None) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(at or datetime.now(UTC)) + steps_ahead)


def unused_code(client, user_id: int) -> str:
    """The code of this step, or of the next one if this one's was used (drift allowed)."""
    with client.application.app_context():
        authenticator = db.session.scalar(
            select(TotpAuthenticator).where(TotpAuthenticator.user_id == user_id))
        secret, last_used = authenticator.secret, authenticator.last_used_step
        db.session.remove()
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(max(totp.timecode(datetime.now(UTC)), last_used + 1))


def finish_login(client, response, **kwargs):
    """After the password: answer the second step (or enrol an authenticator app first).
    Returns the last answer; other answers are returned as they are."""
    location = response.headers.get("Location", "") if response.status_code == 303 else ""
    if location.startswith("/login/enrol"):
        client.get("/login/enrol", **kwargs)
        with client.session_transaction(**kwargs) as session:
            secret = session["_enrol_totp_secret"]
        return client.post("/login/enrol", data={"code": totp_code(secret), "name": "Phone"},
                           **kwargs)
    if location.startswith("/login/verify"):
        with client.session_transaction(**kwargs) as session:
            user_id = int(session["_pending_user"].partition(":")[0])
        return client.post("/login/verify", data={"code": unused_code(client, user_id)},
                           **kwargs)
    return response


def log_in(client, email, password, **kwargs):
    """The whole login: password, then the second factor."""
    response = client.post("/login", data={"email": email, "password": password}, **kwargs)
    return finish_login(client, response, **kwargs)
