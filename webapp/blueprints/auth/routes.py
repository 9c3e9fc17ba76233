import logging
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from webapp.audit import security_event
from webapp.blueprints.auth import bp
from webapp.blueprints.auth.forms import LoginForm, LogoutForm, PasskeyForm
from webapp.blueprints.auth.sign_in import (
    PENDING_NEXT,
    begin_second_step,
    complete_login,
    pending_user,
)
from webapp.extensions import db, limiter
from webapp.services import DomainError
from webapp.services.accounts import (
    accept_password,
    authenticate,
    end_all_sessions,
    find_by_email,
    normalise_email,
)
from webapp.services.second_factor import has_second_factor, must_enrol, must_use_second_factor
from webapp.web.views import refused, render

CLEAR_SITE_DATA = '"cache", "storage"'


def _safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("main.home")


def _submitted_email() -> str:
    return "login-account:" + normalise_email(request.form.get("email", ""))[:254]


def _failed(response) -> bool:
    return response.status_code == 422


@bp.route("/login", methods=["GET", "POST"])
# Failed attempts are counted per account (wherever they come from) and per address.
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"], methods=["POST"],
               key_func=_submitted_email, deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"], methods=["POST"],
               deduct_when=_failed)
def login():
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except DomainError as error:
            refused(error, form, field="password")
            # The account's id when the email is one; never what was typed.
            security_event("login.failure", find_by_email(form.email.data),
                           level=logging.WARNING)
        else:
            accept_password(user, form.password.data)
            next_url = _safe_next(request.args.get("next"))
            if not (has_second_factor(user) or must_use_second_factor(user)):
                session.clear()
                session[PENDING_NEXT] = next_url
                return complete_login(user, "password")
            begin_second_step(user, next_url)
            security_event("login.password-accepted", user)
            return redirect(url_for("auth.enrol" if must_enrol(user) else "auth.second_step"),
                            code=303)
    status = 422 if form.is_submitted() else 200
    return render("auth/login.html", form=form, passkey_form=PasskeyForm(formdata=None),
                  status=status)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """Ask to confirm (GET); log out everywhere (POST). Halfway through a login (password
    given, second factor not yet), the login is abandoned."""
    if not current_user.is_authenticated:
        if pending_user() is None:
            return current_app.login_manager.unauthorized()
        session.clear()
        return redirect(url_for("auth.login"), code=303)
    form = LogoutForm()
    if form.validate_on_submit():
        security_event("logout", current_user)
        end_all_sessions(current_user)
        db.session.commit()
        logout_user()
        session.clear()
        flash("You have been logged out.", "info")
        response = redirect(url_for("auth.login"), code=303)
        # The browser drops what it kept for this site (the iPad's offline store included).
        response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response
    return render("auth/logout.html", form=form)
