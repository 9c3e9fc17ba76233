from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from webapp.blueprints.main import bp
from webapp.blueprints.main.forms import ProfileForm
from webapp.extensions import db
from webapp.services import DomainError
from webapp.services.profiles import buyers_block, profile_context, update_own_profile
from webapp.web.views import refused, render


@bp.route("/")
@login_required
def home():
    """The start page: what this user can do here."""
    return render("main/home.html")


@bp.route("/profile")
@login_required
def profile():
    """The signed-in user's own profile and relationships."""
    page = request.args.get("buyers_page", 1, type=int)
    context = profile_context(current_user, page)
    return render("main/profile.html", buyers_block(context), **context)


@bp.route("/profile/edit", methods=["GET", "POST"])
@login_required
def edit_profile():
    """The user's own name, job title, phone and which emails they receive."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            update_own_profile(current_user, **{name: form[name].data for name in (
                "first_name", "last_name", "job_title", "phone", "notify_registrations",
                "notify_meeting_changes")})
        except DomainError as error:
            refused(error, form)
            return render("main/profile_form.html", form=form, status=422)
        db.session.commit()
        flash("Your profile is saved.", "success")
        return redirect(url_for("main.profile"), code=303)
    return render("main/profile_form.html", form=form,
                  status=422 if form.errors else 200)
