"""The second step of a login: an authenticator or recovery code, or a passkey (which can
also be the whole login); and the enrolment internal users go through before their first
login completes."""

import logging

from flask import current_app, flash, jsonify, redirect, request, session, url_for
from flask_login import current_user

from webapp.audit import security_event
from webapp.blueprints.auth import bp
from webapp.blueprints.auth.forms import AuthenticatorForm, LoginForm, PasskeyForm, SecondStepForm
from webapp.blueprints.auth.routes import _safe_next
from webapp.blueprints.auth.sign_in import (
    PENDING_NEXT,
    complete_login,
    keep_challenge,
    pending_user,
    relying_party,
    take_challenge,
)
from webapp.extensions import db, limiter
from webapp.models import User
from webapp.services import DomainError, passkeys
from webapp.services import second_factor as factors
from webapp.services.row_locks import lock
from webapp.web.views import refused, render

ENROL_SECRET = "_enrol_totp_secret"


def _failed(response) -> bool:
    return response.status_code == 422


def _pending_account() -> str:
    user_id = str(session.get("_pending_user", "-")).partition(":")[0]
    return f"second-step:{user_id}"


def _start_again():
    flash("Please log in to continue.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/login/verify", methods=["GET", "POST"])
# Wrong codes count like wrong passwords: per account and per address.
@limiter.limit(lambda: current_app.config["SECOND_FACTOR_FAILURES_PER_ACCOUNT"],
               methods=["POST"], key_func=_pending_account, deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"], methods=["POST"],
               deduct_when=_failed)
def second_step():
    """The second step: a code from the authenticator app, a recovery code, or a passkey."""
    user = pending_user()
    if user is None:
        return _start_again()
    if factors.must_enrol(user):
        return redirect(url_for("auth.enrol"))
    form = SecondStepForm()
    if form.validate_on_submit():
        try:
            used = factors.verify_code(user, form.code.data)
        except DomainError as error:
            refused(error, form, field="code")
            security_event("login.failure", user, level=logging.WARNING, step="second-factor")
        else:
            if used == "recovery-code":
                flash(f"You used a recovery code: {factors.recovery_codes_left(user)} left. "
                      "You can make new ones on your sign-in page.", "info")
            return complete_login(user, used)
    return _second_step_page(user, form, 422 if form.is_submitted() else 200)


def _second_step_page(user, form, status, passkey_form=None):
    return render("auth/second_step.html", form=form, user=user,
                  has_authenticator=factors.authenticator_of(user) is not None,
                  has_passkey=bool(factors.passkeys_of(user)),
                  passkey_form=passkey_form or PasskeyForm(), status=status)


@bp.route("/login/passkey/options", methods=["POST"])
def passkey_login_options():
    """A challenge for navigator.credentials.get: the pending user's passkeys, or any."""
    if current_user.is_authenticated:
        return jsonify(error="You are signed in already."), 409
    options, challenge = passkeys.authentication_options(relying_party()[0], pending_user())
    keep_challenge(challenge)
    return current_app.response_class(options, mimetype="application/json")


@bp.route("/login/passkey", methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"], deduct_when=_failed)
def passkey_login():
    """Sign in with a passkey: the second step, or (discoverable) the whole login."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    user = pending_user()
    form = PasskeyForm()
    if form.validate_on_submit():
        rp_id, origin = relying_party()
        try:
            passkey = passkeys.authenticate(form.credential.data, take_challenge(), rp_id,
                                            origin, user=user)
            owner = db.session.get(User, passkey.user_id)
            if not owner.is_active:
                raise DomainError(passkeys.NOT_ACCEPTED)
        except DomainError as error:
            refused(error, form, field="credential")
            security_event("login.failure", user, level=logging.WARNING, step="passkey")
        else:
            if user is None:  # the whole login: no password step kept a `next`
                session[PENDING_NEXT] = _safe_next(request.args.get("next"))
            return complete_login(owner, "passkey")
    form.form_errors.extend(form.credential.errors)
    if user is not None:
        return _second_step_page(user, SecondStepForm(formdata=None), 422, passkey_form=form)
    return render("auth/login.html", form=LoginForm(formdata=None), passkey_form=form,
                  status=422)


@bp.route("/login/enrol", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SECOND_FACTOR_FAILURES_PER_ACCOUNT"],
               methods=["POST"], key_func=_pending_account, deduct_when=_failed)
def enrol():
    """Before a first login completes: set up a passkey or an authenticator app."""
    user = pending_user()
    if user is None:
        return _start_again()
    if not factors.must_enrol(user):
        return redirect(url_for("auth.second_step"))
    form = AuthenticatorForm()
    secret = session.setdefault(ENROL_SECRET, factors.new_totp_secret())
    if form.validate_on_submit():
        lock(user)
        try:
            factors.enrol_authenticator(user, secret, form.code.data, form.name.data)
        except DomainError as error:
            refused(error, form, field="code")
        else:
            security_event("second-factor.added", user, factor="authenticator")
            return complete_login(user, "authenticator", show_new_codes=True)
    return render("auth/enrol.html", form=form, user=user, secret=secret,
                  qr_code=factors.qr_code(factors.provisioning_uri(user, secret)),
                  passkey_form=PasskeyForm(), status=422 if form.is_submitted() else 200)
