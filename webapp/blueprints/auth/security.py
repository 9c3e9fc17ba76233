"""Account > Sign-in: the user's passkeys, authenticator app and recovery codes."""

import logging

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_required

from webapp.audit import security_event
from webapp.blueprints.auth import bp
from webapp.blueprints.auth.forms import AuthenticatorForm, LogoutForm, PasskeyForm
from webapp.blueprints.auth.routes import _safe_next
from webapp.blueprints.auth.second_step import ENROL_SECRET
from webapp.blueprints.auth.sign_in import (
    NEW_CODES,
    complete_login,
    keep_challenge,
    pending_user,
    relying_party,
    take_challenge,
)
from webapp.extensions import db
from webapp.services import DomainError, passkeys
from webapp.services import second_factor as factors
from webapp.services.row_locks import lock
from webapp.web.views import refused, render


def _security_page(status=200, passkey_form=None):
    user = current_user
    return render("auth/security.html", authenticator=factors.authenticator_of(user),
                  passkeys=factors.passkeys_of(user), required=factors.must_use_second_factor(user),
                  codes_left=factors.recovery_codes_left(user), confirm=LogoutForm(),
                  passkey_form=passkey_form or PasskeyForm(), status=status)


@bp.route("/account/security")
@login_required
def security():
    """The user's ways to sign in, each with its date added and last use."""
    return _security_page()


def _after_adding(had_factor: bool):
    """A first factor comes with recovery codes, shown once (so does one added by someone
    with none left)."""
    if had_factor and factors.recovery_codes_left(current_user):
        return redirect(url_for("auth.security"), code=303)
    session[NEW_CODES] = factors.new_recovery_codes(current_user)
    db.session.commit()
    return redirect(url_for("auth.recovery_codes", next=url_for("auth.security")), code=303)


@bp.route("/account/security/authenticator", methods=["GET", "POST"])
@login_required
def add_authenticator():
    """Set up an authenticator app: scan the code, type what the app shows."""
    user = current_user._get_current_object()
    if factors.authenticator_of(user) is not None:
        flash("You have an authenticator app already.", "info")
        return redirect(url_for("auth.security"), code=303)
    form = AuthenticatorForm()
    secret = session.setdefault(ENROL_SECRET, factors.new_totp_secret())
    if form.validate_on_submit():
        lock(user)
        had_factor = factors.has_second_factor(user)
        try:
            factors.enrol_authenticator(user, secret, form.code.data, form.name.data)
        except DomainError as error:
            refused(error, form, field="code")
        else:
            db.session.commit()
            session.pop(ENROL_SECRET, None)
            security_event("second-factor.added", user, factor="authenticator")
            flash("Your authenticator app is set up.", "success")
            return _after_adding(had_factor)
    return render("auth/enrol.html", form=form, user=user, secret=secret,
                  qr_code=factors.qr_code(factors.provisioning_uri(user, secret)),
                  passkey_form=None, status=422 if form.is_submitted() else 200)


@bp.route("/account/security/authenticator/remove", methods=["POST"])
@login_required
def remove_authenticator():
    """Remove the authenticator app (not the last way in of someone who needs one)."""
    return _remove(lambda user: factors.remove_authenticator(user), "authenticator")


@bp.route("/account/security/passkeys/<int:passkey_id>/remove", methods=["POST"])
@login_required
def remove_passkey(passkey_id):
    """Remove one of the user's passkeys."""
    return _remove(lambda user: passkeys.remove_passkey(user, passkey_id), "passkey")


def _remove(removal, factor: str):
    if not LogoutForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    lock(user)  # two removals at once must not both find another factor left
    try:
        removal(user)
    except DomainError as error:
        flash(refused(error), "error")
        return _security_page(status=422)
    db.session.commit()
    security_event("second-factor.removed", user, factor=factor)
    flash("Removed.", "success")
    return redirect(url_for("auth.security"), code=303)


@bp.route("/account/security/recovery-codes", methods=["GET", "POST"])
@login_required
def recovery_codes():
    """New recovery codes (POST), shown once on the page it leads to."""
    user = current_user._get_current_object()
    if request.method == "POST":
        if not LogoutForm().validate_on_submit():
            abort(400)
        if not factors.has_second_factor(user):
            flash("Recovery codes come with a passkey or an authenticator app: add one first.",
                  "error")
            return redirect(url_for("auth.security"), code=303)
        lock(user)
        session[NEW_CODES] = factors.new_recovery_codes(user)
        db.session.commit()
        security_event("second-factor.recovery-codes", user)
        return redirect(url_for("auth.recovery_codes"), code=303)
    return render("auth/recovery_codes.html", codes=session.pop(NEW_CODES, None),
                  next_url=_safe_next(request.args.get("next") or url_for("auth.security")))


def _enrolling_user():
    """Who may add a passkey: the signed-in user, or one whose first login needs one."""
    if current_user.is_authenticated:
        return current_user._get_current_object()
    user = pending_user()
    return user if user is not None and factors.must_enrol(user) else None


@bp.route("/passkeys/options", methods=["POST"])
def passkey_registration_options():
    """A challenge for navigator.credentials.create."""
    user = _enrolling_user()
    if user is None:
        return current_app.login_manager.unauthorized()
    options, challenge = passkeys.registration_options(user, relying_party()[0])
    keep_challenge(challenge)
    return current_app.response_class(options, mimetype="application/json")


@bp.route("/passkeys", methods=["POST"])
def add_passkey():
    """Keep the passkey the browser made; during a first login, that login completes."""
    user = _enrolling_user()
    if user is None:
        return current_app.login_manager.unauthorized()
    form = PasskeyForm()
    if form.validate_on_submit():
        lock(user)
        had_factor = factors.has_second_factor(user)
        rp_id, origin = relying_party()
        try:
            passkeys.register(user, form.credential.data, take_challenge(), rp_id, origin,
                              form.name.data)
        except DomainError as error:
            refused(error)
            flash(str(error), "error")
            security_event("second-factor.refused", user, level=logging.WARNING,
                           factor="passkey")
        else:
            db.session.commit()
            security_event("second-factor.added", user, factor="passkey")
            if not current_user.is_authenticated:
                return complete_login(user, "passkey", show_new_codes=True)
            flash("Your passkey is set up.", "success")
            return _after_adding(had_factor)
    elif form.is_submitted():
        flash("The passkey was not set up: the browser sent nothing. Try again.", "error")
    return redirect(url_for("auth.security" if current_user.is_authenticated
                            else "auth.enrol"), code=303)
