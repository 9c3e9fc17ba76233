"""The second step of the benchmarks' sign-in.

Every account of the sales team has an authenticator app. The benchmarks read its secret
from the database being measured (an account without one, in a distributor generated before
the second factor, is given one) and type a code the server has not accepted yet: this
30-second step's, or the next one's (accepted as clock drift), or they wait for the next step.
"""

import threading
import time
from datetime import UTC, datetime

import pyotp
from sqlalchemy import select


class AuthenticatorCodes:
    """The secrets of the accounts signed in as, and the last step each has used."""

    def __init__(self):
        self._secrets: dict[str, str] = {}
        self._used: dict[str, int] = {}
        self._lock = threading.Lock()

    def load(self, emails) -> None:
        """Read (or give) the authenticators of `emails`; in the measured database's app
        context. Accounts that need no second factor (buyers) are left as they are."""
        from webapp.extensions import db
        from webapp.models import TotpAuthenticator, User
        from webapp.services.second_factor import must_use_second_factor, new_totp_secret

        for email in filter(None, emails):
            user = db.session.scalar(select(User).where(User.email == email))
            if user is None or not must_use_second_factor(user):
                continue
            authenticator = db.session.scalar(
                select(TotpAuthenticator).where(TotpAuthenticator.user_id == user.id))
            if authenticator is None:
                authenticator = TotpAuthenticator(user_id=user.id, secret=new_totp_secret(),
                                                  name="Benchmark authenticator")
                db.session.add(authenticator)
            self._secrets[email] = authenticator.secret
            self._used[email] = authenticator.last_used_step or 0
        db.session.commit()

    def code(self, email: str) -> str:
        """A code for `email` that the server has not accepted yet."""
        with self._lock:
            if email not in self._secrets:
                raise SystemExit(f"{email} is asked for a second factor the benchmark does "
                                 "not know")
            totp = pyotp.TOTP(self._secrets[email])
            step = max(totp.timecode(datetime.now(UTC)), self._used[email] + 1)
            while step > totp.timecode(datetime.now(UTC)) + 1:
                time.sleep(0.5)
            self._used[email] = step
            return totp.generate_otp(step)


CODES = AuthenticatorCodes()
