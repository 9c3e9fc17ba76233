from datetime import UTC, datetime

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from webapp.blueprints.main import bp
from webapp.blueprints.main.forms import ProfileForm
from webapp.extensions import db
from webapp.permissions import Permission
from webapp.services import DomainError, work_queues
from webapp.services.profiles import buyers_block, profile_context, update_own_profile
from webapp.web.views import refused, render


@bp.route("/")
@login_required
def home():
    """The start page: the day's work, a section per queue, each loaded on its own."""
    return render("main/home.html", sections=work_queues.sections_for(current_user),
                  today_label=f"{datetime.now(UTC):%A %d %B %Y}")


def _home_section(name: str):
    def view():
        """One home section: for htmx, the section alone; otherwise a page of its own."""
        section = work_queues.SECTIONS_BY_NAME[name]
        if not section.for_user(current_user):
            abort(403)
        return render("main/home_section.html", "section", section=section,
                      queue=section.load(current_user), waited=work_queues.waited,
                      view_reporting=Permission.VIEW_REPORTING)

    view.__name__ = f"home_{name.replace('-', '_')}"
    return login_required(view)


for _section in work_queues.SECTIONS:
    bp.add_url_rule(f"/home/{_section.name}", view_func=_home_section(_section.name))


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
