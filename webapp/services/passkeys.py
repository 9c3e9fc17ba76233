"""Passkeys (WebAuthn): registering one, and signing in with one.

A passkey is both factors at once (the device, and Face ID, a fingerprint or a PIN on it),
so user verification is required and a passkey alone completes a login. The relying party
(the site's domain, and the origin the browser reports) comes from the caller: the request's
host, or the WEBAUTHN_RP_ID / WEBAUTHN_ORIGIN settings.
"""

import json
from datetime import UTC, datetime

from sqlalchemy import select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from webapp.extensions import db
from webapp.models import Passkey, User
from webapp.services import DomainError
from webapp.services.second_factor import check_removable, factor_added, factor_removed

RP_NAME = "Sales CMS"
NOT_ACCEPTED = "That passkey was not accepted. Try again, or use another way to sign in."
TRANSPORTS = {transport.value for transport in AuthenticatorTransport}


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    transports = [AuthenticatorTransport(value) for value in passkey.transports.split()
                  if value in TRANSPORTS]
    return PublicKeyCredentialDescriptor(id=passkey.credential_id, transports=transports or None)


def _user_passkeys(user: User) -> list[Passkey]:
    return list(db.session.scalars(select(Passkey).where(Passkey.user_id == user.id)))


def user_handle(user: User) -> bytes:
    return str(user.id).encode()


def registration_options(user: User, rp_id: str) -> tuple[str, bytes]:
    """The options for navigator.credentials.create (JSON), and the challenge to keep."""
    options = generate_registration_options(
        rp_id=rp_id, rp_name=RP_NAME, user_id=user_handle(user), user_name=user.email,
        user_display_name=user.full_name,
        # Discoverable, so the login page can offer "Sign in with a passkey" before any email
        # is typed; verified on the device, since it stands for both factors.
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=[_descriptor(p) for p in _user_passkeys(user)])
    return options_to_json(options), options.challenge


def register(user: User, credential: str, challenge: bytes, rp_id: str, origin: str,
             name: str = "") -> Passkey:
    """Keep the passkey the browser made, once its response checks out; raise DomainError."""
    if not challenge:
        raise DomainError(NOT_ACCEPTED)
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id,
            expected_origin=origin, require_user_verification=True)
        transports = json.loads(credential).get("response", {}).get("transports", [])
    except (WebAuthnException, ValueError, TypeError, AttributeError) as error:
        raise DomainError(NOT_ACCEPTED) from error
    if db.session.scalar(select(Passkey.id).where(
            Passkey.credential_id == verified.credential_id)) is not None:
        raise DomainError("That passkey is registered already.")
    passkey = Passkey(user_id=user.id, name=name.strip()[:100] or "Passkey",
                      credential_id=verified.credential_id,
                      public_key=verified.credential_public_key,
                      sign_count=verified.sign_count,
                      transports=" ".join(t for t in transports if t in TRANSPORTS)[:200])
    db.session.add(passkey)
    factor_added(user, f"the passkey “{passkey.name}”")
    return passkey


def authentication_options(rp_id: str, user: User | None = None) -> tuple[str, bytes]:
    """Options for navigator.credentials.get: the user's passkeys, or (no user yet) any
    passkey of this site the device holds."""
    options = generate_authentication_options(
        rp_id=rp_id, user_verification=UserVerificationRequirement.REQUIRED,
        allow_credentials=[_descriptor(p) for p in _user_passkeys(user)] if user else None)
    return options_to_json(options), options.challenge


def authenticate(credential: str, challenge: bytes, rp_id: str, origin: str,
                 user: User | None = None) -> Passkey:
    """The passkey that signed the challenge (of `user`, when given); raise DomainError."""
    try:
        data = json.loads(credential)
        credential_id = base64url_to_bytes(data["rawId"])
    except (ValueError, TypeError, KeyError) as error:
        raise DomainError(NOT_ACCEPTED) from error
    passkey = db.session.scalar(select(Passkey).where(Passkey.credential_id == credential_id)
                                .with_for_update())
    if passkey is None or not challenge or (user is not None and passkey.user_id != user.id):
        raise DomainError(NOT_ACCEPTED)
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id,
            expected_origin=origin, credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count, require_user_verification=True)
        handle = (data.get("response") or {}).get("userHandle")
    except (WebAuthnException, ValueError, TypeError, AttributeError) as error:
        raise DomainError(NOT_ACCEPTED) from error
    if handle and base64url_to_bytes(handle) != str(passkey.user_id).encode():
        raise DomainError(NOT_ACCEPTED)
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = datetime.now(UTC)
    return passkey


def remove_passkey(user: User, passkey_id: int) -> None:
    passkey = db.session.scalar(select(Passkey).where(Passkey.id == passkey_id,
                                                      Passkey.user_id == user.id))
    if passkey is None:
        raise DomainError("That passkey is not one of yours.")
    check_removable(user)
    db.session.delete(passkey)
    db.session.flush()
    factor_removed(user, f"the passkey “{passkey.name}”")
