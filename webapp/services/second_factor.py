"""The second factor: authenticator-app codes (RFC 6238), recovery codes, who must use one,
and the emails sent when a factor is added or removed. Passkeys are in services.passkeys."""

import hmac
import secrets
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, func, select

from webapp.extensions import db
from webapp.mail.service import absolute_url, queue_email
from webapp.models import Passkey, RecoveryCode, SiteSetting, TotpAuthenticator, User
from webapp.services import DomainError
from webapp.services.accounts import end_all_sessions
from webapp.services.passwords import hash_password, verify_password
from webapp.services.row_locks import lock

ISSUER = "Sales CMS"
RECOVERY_CODE_COUNT = 10
# Unambiguous letters and digits (no 0/o, 1/l/i): 10 of them carry 48 bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
BUYERS_REQUIRED = "buyers_need_second_factor"
DEMO_SECRET_FILE = "demo_totp_secret"
CODE_REFUSED = "That code is not right, or it has been used already. Try the next one."
LAST_FACTOR = ("You need a way to sign in: add another passkey or an authenticator app "
               "before you remove this one.")


# Who must use a second factor ----------------------------------------------------------

def buyers_required() -> bool:
    setting = db.session.get(SiteSetting, BUYERS_REQUIRED)
    return setting is not None and setting.value == "1"


def set_buyers_required(required: bool) -> None:
    setting = db.session.get(SiteSetting, BUYERS_REQUIRED) or SiteSetting(name=BUYERS_REQUIRED)
    setting.value = "1" if required else "0"
    db.session.add(setting)


def must_use_second_factor(user: User) -> bool:
    """Everyone with access to the sales team's data, and buyers if an administrator says so."""
    return user.is_internal or buyers_required()


def authenticator_of(user: User) -> TotpAuthenticator | None:
    return db.session.scalar(select(TotpAuthenticator).where(TotpAuthenticator.user_id == user.id))


def passkeys_of(user: User) -> list[Passkey]:
    return list(db.session.scalars(select(Passkey).where(Passkey.user_id == user.id)
                                   .order_by(Passkey.created_at, Passkey.id)))


def factor_count(user: User) -> int:
    passkeys = db.session.scalar(select(func.count()).where(Passkey.user_id == user.id))
    return passkeys + (authenticator_of(user) is not None)


def has_second_factor(user: User) -> bool:
    return factor_count(user) > 0


def must_enrol(user: User) -> bool:
    return must_use_second_factor(user) and not has_second_factor(user)


# Authenticator app ----------------------------------------------------------------------

def new_totp_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code(uri: str) -> str:
    """The enrolment QR code as an SVG data URI (the CSP allows data: images)."""
    return segno.make(uri, error="m").svg_data_uri(scale=4, border=2)


def _clean(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()[:32]


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The step whose code `code` is: this one, or one either side (clocks drift)."""
    if len(code) != 6 or not code.isdigit() or _demo_secret_refused(secret):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enrol_authenticator(user: User, secret: str, code: str, name: str = "",
                        now: datetime | None = None) -> TotpAuthenticator:
    """Add the authenticator app whose secret the user scanned, once a code proves it."""
    now = now or datetime.now(UTC)
    if authenticator_of(user) is not None:
        raise DomainError("You already have an authenticator app. Remove it to set up another.")
    step = _matching_step(secret, _clean(code), now)
    if step is None:
        raise DomainError("That code does not match. Check the phone's clock and type the "
                          "code the app shows now.", field="code")
    authenticator = TotpAuthenticator(user_id=user.id, name=name.strip()[:100]
                                      or "Authenticator app", secret=secret,
                                      last_used_at=now, last_used_step=step)
    db.session.add(authenticator)
    factor_added(user, f"the authenticator app “{authenticator.name}”")
    return authenticator


def _use_authenticator_code(user: User, code: str, now: datetime) -> bool:
    authenticator = authenticator_of(user)
    if authenticator is None:
        return False
    lock(authenticator)  # two requests with one code: the second sees the step used
    step = _matching_step(authenticator.secret, code, now)
    if step is None or step <= authenticator.last_used_step:
        return False
    authenticator.last_used_step, authenticator.last_used_at = step, now
    return True


def verify_code(user: User, code: str, now: datetime | None = None) -> str:
    """Accept an authenticator code (each once) or a recovery code (each once); return which,
    or raise DomainError."""
    now = now or datetime.now(UTC)
    code = _clean(code)
    if code.isdigit() and _use_authenticator_code(user, code, now):
        return "authenticator"
    if not code.isdigit() and use_recovery_code(user, code, now):
        return "recovery-code"
    raise DomainError(CODE_REFUSED, field="code")


# Recovery codes -------------------------------------------------------------------------

def _recovery_code() -> str:
    letters = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{letters[:5]}-{letters[5:]}"


def new_recovery_codes(user: User) -> list[str]:
    """Ten new codes, replacing any the user had; only their hashes are kept."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_password(_clean(code)))
                       for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).where(RecoveryCode.user_id == user.id,
                                                        RecoveryCode.used_at.is_(None)))


def use_recovery_code(user: User, code: str, now: datetime | None = None) -> bool:
    code = _clean(code)
    if len(code) != 10:
        return False
    unused = db.session.scalars(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .order_by(RecoveryCode.id).with_for_update()).all()
    for recovery_code in unused:
        if verify_password(recovery_code.code_hash, code):
            recovery_code.used_at = now or datetime.now(UTC)
            return True
    return False


# Removing factors -----------------------------------------------------------------------

def check_removable(user: User) -> None:
    """Refuse to remove the last factor of a user who must have one."""
    if must_use_second_factor(user) and factor_count(user) <= 1:
        raise DomainError(LAST_FACTOR)


def remove_authenticator(user: User) -> None:
    authenticator = authenticator_of(user)
    if authenticator is None:
        raise DomainError("You have no authenticator app to remove.")
    check_removable(user)
    db.session.delete(authenticator)
    db.session.flush()
    factor_removed(user, f"the authenticator app “{authenticator.name}”")


def reset_factors(user: User) -> None:
    """An administrator's reset: every factor and recovery code goes, every session ends;
    a user who must have a factor enrols again at the next login."""
    for model in (TotpAuthenticator, Passkey, RecoveryCode):
        db.session.execute(delete(model).where(model.user_id == user.id))
    end_all_sessions(user)
    queue_email(user.email, "second_factor_reset", "Your Sales CMS sign-in was reset",
                person=user, login_url=absolute_url("auth.login"))


# Emails ---------------------------------------------------------------------------------

def factor_added(user: User, factor: str) -> None:
    queue_email(user.email, "second_factor_changed", "A way to sign in was added",
                person=user, factor=factor, added=True, url=absolute_url("auth.security"))


def factor_removed(user: User, factor: str) -> None:
    if not has_second_factor(user):
        # Recovery codes stand in for a factor; with none left they would be a way round.
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    queue_email(user.email, "second_factor_changed", "A way to sign in was removed",
                person=user, factor=factor, added=False, url=absolute_url("auth.security"))


# The demo's shared secret ---------------------------------------------------------------

def demo_secret(create: bool = False) -> str | None:
    """The demo accounts' authenticator secret: DEMO_TOTP_SECRET, or one generated into the
    instance folder. Served over HTTPS (HTTPS=1) it is refused, since it is no secret."""
    if current_app.config["DEMO_TOTP_SECRET"]:
        return current_app.config["DEMO_TOTP_SECRET"].strip().upper()
    path = Path(current_app.instance_path) / DEMO_SECRET_FILE
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new_totp_secret())
    return path.read_text().strip()


def _demo_secret_refused(secret: str) -> bool:
    return bool(current_app.config["HTTPS"]) and secret == demo_secret()
