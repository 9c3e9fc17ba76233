from flask import current_app, redirect, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from webapp.blueprints.registration import bp
from webapp.blueprints.registration.forms import RegistrationForm
from webapp.extensions import db, limiter
from webapp.models import Region, Territory, User
from webapp.services.registrations import register
from webapp.views import render


def _registration_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_registration_limit, methods=["POST"])
def register_buyer():
    """The public registration form for buyers."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegistrationForm().fill_choices()
    if form.validate_on_submit():
        try:
            register(
                first_name=form.first_name.data, last_name=form.last_name.data,
                email=form.email.data, password=form.password.data,
                company_name=form.company_name.data, job_title=form.job_title.data,
                phone=form.phone.data or "",
                territory=db.session.get(Territory, form.territory.data),
                region=db.session.get(Region, form.region.data) if form.region.data else None,
                account_manager=(db.session.get(User, form.account_manager.data)
                                 if form.account_manager.data else None),
                marketing_consent=form.marketing_consent.data)
            db.session.commit()
        except IntegrityError:
            # The same email registered a moment ago by a parallel request: same answer.
            db.session.rollback()
        return redirect(url_for("registration.thanks"), code=303)
    status = 422 if form.is_submitted() else 200
    return render("registration/register.html", form=form, status=status)


@bp.route("/register/thanks")
def thanks():
    """What an applicant sees after applying (the same whatever the email)."""
    return render("registration/thanks.html")
