from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from webapp.blueprints.registration import bp
from webapp.blueprints.registration.forms import RegistrationForm
from webapp.extensions import db, limiter
from webapp.models import Region, Territory, User
from webapp.services import form_tokens
from webapp.services.registrations import register
from webapp.web.views import refused, render

# What the same form sent again is told; the first sending's answer says the rest.
ALREADY_RECEIVED = "This application had already reached us: it counts once."
SENT_CHANGED = ("This form was sent already, and what you sent now differs: check the "
                "details and send it again.")


def _registration_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_registration_limit, methods=["POST"])
def register_buyer():
    """The public registration form for buyers; the same form sent twice applies once."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegistrationForm().fill_choices()
    if not form.validate_on_submit():
        return render("registration/register.html", form=form,
                      status=422 if form.is_submitted() else 200)
    try:
        form_tokens.use(form.form_token.data, None, request.form.items(multi=True))
    except form_tokens.AlreadySubmitted as done:  # this very form, sent again
        refused(done)
        flash(ALREADY_RECEIVED, "info")
        return redirect(url_for("registration.thanks"), code=303)
    except form_tokens.SentWithOtherContent as changed:  # brought back and changed
        refused(changed)
        form.form_errors.append(SENT_CHANGED)
        form.form_token.data = form_tokens.new_token()
        return render("registration/register.html", form=form, status=409)
    register(**_application(form))
    db.session.commit()
    return redirect(url_for("registration.thanks"), code=303)


def _application(form: RegistrationForm) -> dict:
    return dict(
        first_name=form.first_name.data, last_name=form.last_name.data, email=form.email.data,
        password=form.password.data, company_name=form.company_name.data,
        job_title=form.job_title.data, phone=form.phone.data or "",
        territory=db.session.get(Territory, form.territory.data),
        region=db.session.get(Region, form.region.data) if form.region.data else None,
        account_manager=(db.session.get(User, form.account_manager.data)
                         if form.account_manager.data else None),
        marketing_consent=form.marketing_consent.data)


@bp.route("/register/thanks")
def thanks():
    """What an applicant sees after applying (the same whatever the email)."""
    return render("registration/thanks.html")
