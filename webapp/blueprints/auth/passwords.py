"""Changing one's password, and resetting a forgotten one by email."""

import logging

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user

from webapp.audit import security_event
from webapp.blueprints.auth import bp
from webapp.blueprints.auth.forms import ChangePasswordForm, ForgotPasswordForm, NewPasswordForm
from webapp.extensions import db, limiter
from webapp.services import DomainError
from webapp.services.accounts import change_password as change_own_password
from webapp.services.accounts import normalise_email
from webapp.services.password_reset import (
    LINK_UNUSABLE,
    request_reset,
    user_for_token,
)
from webapp.services.password_reset import (
    reset_password as reset_with_token,
)
from webapp.web.views import refused, render

# The token from the emailed link waits here, so the page with the form has a URL without it
# (nothing to leak through the Referer header, browser history or access logs).
RESET_TOKEN = "password_reset_token"


def _failed(response) -> bool:
    return response.status_code == 422


def _own_account() -> str:
    # Limits are checked before login_required answers, so the user may be anonymous.
    return f"password-change:{getattr(current_user, 'id', '-')}"


@bp.route("/password", methods=["GET", "POST"])
@login_required
# Wrong current passwords count like failed logins: at most so many per account.
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"], methods=["POST"],
               key_func=_own_account, deduct_when=_failed)
def change_password():
    """Change one's own password; other devices are signed out, this one stays in."""
    form = ChangePasswordForm(current_user)
    if form.validate_on_submit():
        try:
            change_own_password(current_user, form.current_password.data, form.password.data)
        except DomainError as error:
            refused(error, form, field="password")
        else:
            db.session.commit()
            # The new session version, for this session only.
            login_user(current_user._get_current_object())
            security_event("password.changed", current_user)
            flash("Your password has been changed. Other devices have been signed out.",
                  "success")
            return redirect(url_for("main.profile"), code=303)
    status = 422 if form.is_submitted() else 200
    return render("auth/change_password.html", form=form, status=status)


def _submitted_email() -> str:
    return "password-reset:" + normalise_email(request.form.get("email", ""))[:254]


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESETS_PER_ACCOUNT"], methods=["POST"],
               key_func=_submitted_email)
@limiter.limit(lambda: current_app.config["PASSWORD_RESETS_PER_ADDRESS"], methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer never says whether the email has an account."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_reset(form.email.data)
        db.session.commit()
        security_event("password.reset-requested")
        flash("If that address belongs to an account, we have emailed it a link to choose a "
              "new password. The link works once, within "
              f"{int(current_app.config['PASSWORD_RESET_MAX_AGE_MINUTES'])} minutes.", "info")
        return redirect(url_for("auth.login"), code=303)
    status = 422 if form.is_submitted() else 200
    return render("auth/forgot_password.html", form=form, status=status)


@bp.route("/reset-password/<token>")
def reset_link(token):
    """The emailed link: keep its token in the session and move on to the form."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    session[RESET_TOKEN] = token[:1000]
    return redirect(url_for("auth.reset_password"), code=303)


@bp.route("/reset-password", methods=["GET", "POST"])
def reset_password():
    """Choose a new password with the token of an emailed link."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    token = session.get(RESET_TOKEN, "")
    account = user_for_token(token) if token else None
    if account is None:
        security_event("password.reset-refused", level=logging.WARNING, reason="bad-token")
        return render("auth/reset_password.html", form=None, problem=LINK_UNUSABLE,
                      status=400)
    form = NewPasswordForm(account)
    if form.validate_on_submit():
        try:
            reset_with_token(token, form.password.data)
        except DomainError as error:
            refused(error, form, field="password")
        else:
            db.session.commit()
            session.pop(RESET_TOKEN, None)
            security_event("password.reset", account)
            flash("Your password has been changed. Log in with the new one.", "success")
            return redirect(url_for("auth.login"), code=303)
    status = 422 if form.is_submitted() else 200
    return render("auth/reset_password.html", form=form, problem=None, status=status)
