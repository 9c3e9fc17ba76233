"""The demo's second factor: one authenticator-app secret shared by every internal demo
account, so each can sign in from the README. It is generated into the instance folder (or
read from DEMO_TOTP_SECRET), printed by seed-demo, and never used when HTTPS=1."""

from datetime import UTC, datetime

import pyotp
from flask import current_app

from webapp.extensions import db
from webapp.models import TotpAuthenticator, User
from webapp.services.second_factor import demo_secret

DEMO_AUTHENTICATOR = "Demo authenticator (shared secret)"


def load_demo_sign_in(people: list[User]) -> str | None:
    """Give `people` the shared demo authenticator; served over HTTPS they get none (they
    then set up their own at their first login). Returns the secret used, if any."""
    if current_app.config["HTTPS"]:
        return None
    secret = demo_secret(create=True)
    db.session.flush()
    db.session.add_all(TotpAuthenticator(user_id=person.id, name=DEMO_AUTHENTICATOR,
                                         secret=secret) for person in people)
    return secret


def current_demo_code() -> str | None:
    secret = None if current_app.config["HTTPS"] else demo_secret()
    return pyotp.TOTP(secret).at(datetime.now(UTC)) if secret else None
