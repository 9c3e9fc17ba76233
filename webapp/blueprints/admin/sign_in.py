"""Admin: resetting a user's second factors, and whether buyers must use one."""

from flask import flash, redirect, url_for
from flask_login import current_user

from webapp.audit import security_event
from webapp.blueprints.admin import bp
from webapp.blueprints.admin.forms import ConfirmForm
from webapp.blueprints.auth.forms import SignInSettingsForm
from webapp.extensions import db
from webapp.models import User
from webapp.permissions import Permission
from webapp.services import second_factor as factors
from webapp.services.row_locks import lock
from webapp.web.views import get_or_404, permission_required, render

manage_users = permission_required(Permission.MANAGE_USERS)


@bp.route("/users/<int:user_id>/reset-sign-in", methods=["POST"])
@manage_users
def reset_second_factor(user_id):
    """Remove a user's passkeys, authenticator app and recovery codes (a lost phone)."""
    person = get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        lock(person)  # a double submit resets, and emails, once
        if factors.has_second_factor(person) or factors.recovery_codes_left(person):
            factors.reset_factors(person)
            db.session.commit()
            security_event("second-factor.reset", person, by=current_user.id)
            flash(f"{person.full_name}'s sign-in is reset: they have been emailed and "
                  "signed out everywhere.", "success")
        else:
            flash(f"{person.full_name} has no passkey or authenticator app to reset.", "info")
    return redirect(url_for("admin.user", user_id=person.id), code=303)


@bp.route("/sign-in", methods=["GET", "POST"])
@manage_users
def sign_in_settings():
    """Whether buyers, like the sales team, must use a second factor."""
    form = SignInSettingsForm(data={"buyers_required": factors.buyers_required()})
    if form.validate_on_submit():
        factors.set_buyers_required(form.buyers_required.data)
        db.session.commit()
        security_event("settings.changed", setting=factors.BUYERS_REQUIRED,
                       value=int(bool(form.buyers_required.data)))
        flash("Saved.", "success")
        return redirect(url_for("admin.sign_in_settings"), code=303)
    return render("admin/sign_in.html", form=form, status=422 if form.is_submitted() else 200)
