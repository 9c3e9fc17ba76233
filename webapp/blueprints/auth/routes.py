import logging
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from webapp.audit import security_event
from webapp.blueprints.auth import bp
from webapp.blueprints.auth.forms import LoginForm, LogoutForm
from webapp.extensions import db, limiter
from webapp.services import DomainError
from webapp.services.accounts import (
    authenticate,
    end_all_sessions,
    find_by_email,
    normalise_email,
    record_login,
)
from webapp.web.auth_session import start_session
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
            session.clear()  # a fresh session on every login
            login_user(user)
            start_session()
            record_login(user, form.password.data)
            security_event("login.success", user)
            return redirect(_safe_next(request.args.get("next")), code=303)
    status = 422 if form.is_submitted() else 200
    return render("auth/login.html", form=form, status=status)


@bp.route("/logout", methods=["GET", "POST"])
@login_required
def logout():
    """Ask to confirm (GET); log out everywhere (POST)."""
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
