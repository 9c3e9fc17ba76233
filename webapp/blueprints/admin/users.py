"""Admin > Users: the directory, profiles, editing, suspension and SC links."""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from webapp import access
from webapp.blueprints.admin import bp
from webapp.blueprints.admin.forms import (
    ConfirmForm,
    SalesCoordinatorForm,
    UserFilterForm,
    UserForm,
)
from webapp.extensions import db
from webapp.models import Company, Region, Role, Territory, User
from webapp.permissions import Permission
from webapp.services import DomainError
from webapp.services import users as user_service
from webapp.services.profiles import buyers_block, profile_context
from webapp.web.forms import DATABASE_INT_MAX
from webapp.web.pagination import paginate
from webapp.web.views import get_or_404, is_htmx_request, permission_required, refused, render

manage_users = permission_required(Permission.MANAGE_USERS)


@bp.route("/users")
@manage_users
def users():
    """The user directory: active search, filters and pagination."""
    # An htmx answer is the results alone: the filters' choices only check the chosen ones.
    filters = UserFilterForm(request.args).fill_choices(only_chosen=is_htmx_request())
    am_id = request.args.get("am", type=int)
    account_manager = db.session.get(User, am_id) if am_id and 0 < am_id <= DATABASE_INT_MAX \
        else None
    query = user_service.user_directory(**filters.criteria(), account_manager=account_manager)
    page = paginate(query, request.args.get("page", 1, type=int),
                    current_app.config["USERS_PER_PAGE"])
    return render("admin/users.html", "results", filters=filters, page=page,
                  account_manager=account_manager)


def _save_from_form(form: UserForm, user: User | None) -> User:
    return user_service.save_user(
        user, email=form.email.data, first_name=form.first_name.data,
        last_name=form.last_name.data, job_title=form.job_title.data or "",
        phone=form.phone.data or "",
        roles=[db.session.get(Role, i) for i in form.roles.data],
        territories=[db.session.get(Territory, i) for i in form.territories.data],
        region=db.session.get(Region, form.region.data) if form.region.data else None,
        company=db.session.get(Company, form.company.data) if form.company.data else None,
        account_manager=(db.session.get(User, form.account_manager.data)
                         if form.account_manager.data else None),
        status=form.status.data, password=form.password.data)


def _user_form_page(form: UserForm, user: User | None):
    if form.validate_on_submit():
        try:
            saved = _save_from_form(form, user)
        except DomainError as error:
            refused(error, form, field="email")
        else:
            db.session.commit()
            flash(f"{saved.full_name} saved.", "success")
            return redirect(url_for("admin.user", user_id=saved.id), code=303)
    status = 422 if form.is_submitted() else 200
    return render("admin/user_form.html", form=form, person=user, status=status)


@bp.route("/users/new", methods=["GET", "POST"])
@manage_users
def new_user():
    """Create an internal or external user."""
    return _user_form_page(UserForm().fill_choices(), None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@manage_users
def edit_user(user_id):
    """Edit a user's details, roles and links."""
    user = get_or_404(User, user_id)
    return _user_form_page(UserForm(data=_form_data(user)).fill_choices(), user)


def _form_data(user: User) -> dict:
    """The user as the edit form expects it (ids rather than objects)."""
    return {
        **{name: getattr(user, name)
           for name in ("first_name", "last_name", "email", "job_title", "phone", "status")},
        "roles": [r.id for r in user.roles],
        "territories": [t.id for t in user.territories],
        "region": user.region_id or 0,
        "company": user.company_id or 0,
        "account_manager": user.account_manager_id or 0,
    }


@bp.route("/users/<int:user_id>")
@manage_users
def user(user_id):
    """A user's profile: details and relationships (an AM's SCs and buyers)."""
    person = get_or_404(User, user_id)
    context = profile_context(person, request.args.get("buyers_page", 1, type=int))
    return render("admin/user.html", buyers_block(context), confirm=ConfirmForm(), **context)


@bp.route("/users/<int:user_id>/suspend", methods=["POST"])
@manage_users
def suspend_user(user_id):
    """Suspend a user: every session they have ends."""
    return _set_suspended(get_or_404(User, user_id), True)


@bp.route("/users/<int:user_id>/unsuspend", methods=["POST"])
@manage_users
def unsuspend_user(user_id):
    """Lift a suspension."""
    return _set_suspended(get_or_404(User, user_id), False)


def _set_suspended(person: User, suspended: bool):
    if ConfirmForm().validate_on_submit():
        try:
            user_service.set_suspended(person, suspended, by=current_user)
        except DomainError as error:
            flash(refused(error), "error")
        else:
            db.session.commit()
            flash(f"{person.full_name} is {'suspended' if suspended else 'active again'}.",
                  "success")
    return redirect(url_for("admin.user", user_id=person.id), code=303)


def _account_manager_or_404(user_id) -> User:
    person = get_or_404(User, user_id)
    if not person.is_account_manager:
        abort(404)
    return person


def _coordinators_block(person: User, status: int = 200, search: str | None = None,
                        notice: str | None = None):
    """The SC section; with a `search`, also the matching candidates (the open dropdown)."""
    candidates = None if search is None else db.session.scalars(
        access.sales_coordinator_candidates(person, search).limit(20)).all()
    context = profile_context(person)
    return render("admin/user.html", "coordinators", confirm=ConfirmForm(),
                  candidates=candidates, search=search, notice=notice,
                  notice_error=status >= 400, status=status, **context)


@bp.route("/users/<int:user_id>/sales-coordinators", methods=["GET"])
@manage_users
def sales_coordinator_candidates(user_id):
    """Search the Sales Coordinators that can be linked to this AM."""
    person = _account_manager_or_404(user_id)
    return _coordinators_block(person, search=request.args.get("q", "")[:200])


@bp.route("/users/<int:user_id>/sales-coordinators", methods=["POST"])
@manage_users
def add_sales_coordinator(user_id):
    """Link a Sales Coordinator directly to this AM."""
    person = _account_manager_or_404(user_id)
    form = SalesCoordinatorForm()
    coordinator = (db.session.get(User, int(form.sales_coordinator_id.data))
                   if form.validate_on_submit() and form.sales_coordinator_id.data.isdigit()
                   and int(form.sales_coordinator_id.data) <= DATABASE_INT_MAX else None)
    if coordinator is None:
        abort(400)
    try:
        user_service.link_sales_coordinator(person, coordinator)
    except DomainError as error:
        return _link_answer(person, refused(error), 422)
    db.session.commit()
    return _link_answer(person, f"{coordinator.full_name} now coordinates for {person.first_name}.")


@bp.route("/users/<int:user_id>/sales-coordinators/<int:sc_id>/remove", methods=["POST"])
@manage_users
def remove_sales_coordinator(user_id, sc_id):
    """Remove a direct SC link (links by territory stay)."""
    person = _account_manager_or_404(user_id)
    coordinator = get_or_404(User, sc_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user_service.unlink_sales_coordinator(person, coordinator)
    db.session.commit()
    return _link_answer(person, f"{coordinator.full_name} removed from {person.first_name}.")


def _link_answer(person: User, message: str, status: int = 200):
    if is_htmx_request():
        return _coordinators_block(person, status=status, notice=message)
    flash(message, "success" if status < 400 else "error")
    return redirect(url_for("admin.user", user_id=person.id), code=303)
