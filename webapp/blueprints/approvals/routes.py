"""Approvals: Sales Coordinators review the applications linked to their AMs and decide."""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from webapp import access
from webapp.blueprints.approvals import bp
from webapp.blueprints.approvals.forms import ApproveForm, RejectForm
from webapp.extensions import db
from webapp.models import Company, Region, Registration, RegistrationStatus, Territory, User
from webapp.permissions import Permission
from webapp.search import contains_pattern, registration_matches
from webapp.services import DomainError
from webapp.services import registrations as service
from webapp.web.pagination import paginate
from webapp.web.views import permission_required, refused, render

approvers = permission_required(Permission.APPROVE_REGISTRATIONS)
TABS = [RegistrationStatus.PENDING, RegistrationStatus.APPROVED, RegistrationStatus.REJECTED]
COMPANY_FIELD = {"company": "company_name"}  # the service's field -> the approval form's


def _visible():
    return access.registrations_visible_to(current_user)


# What a row of the list shows of the people and the territory, read in the same statement.
_LISTED = [joinedload(Registration.user).load_only(User.first_name, User.last_name, User.email)
           .lazyload(User.roles),
           joinedload(Registration.territory).load_only(Territory.name),
           joinedload(Registration.requested_account_manager)
           .load_only(User.first_name, User.last_name).lazyload(User.roles)]


@bp.route("")
@approvers
def index():
    """Applications in one tab (pending / approved / rejected), searchable, with counts."""
    tab = request.args.get("tab", RegistrationStatus.PENDING)
    if tab not in TABS:
        tab = RegistrationStatus.PENDING
    search = request.args.get("q", "")[:200]
    visible = _visible()
    if search.strip():
        visible = visible.where(registration_matches(search))
    counts = dict(db.session.execute(
        visible.with_only_columns(Registration.status, func.count())
        .group_by(Registration.status)).all())
    query = (visible.where(Registration.status == tab).options(*_LISTED)
             .order_by(Registration.submitted_at.desc(), Registration.id.desc()))
    page = paginate(query, request.args.get("page", 1, type=int),
                    current_app.config["USERS_PER_PAGE"], total=counts.get(tab, 0))
    return render("approvals/index.html", "results", tab=tab, tabs=TABS, counts=counts,
                  page=page, search=search)


# What a review shows of the registration, read with it; the people's roles are not shown.
_REVIEWED = [joinedload(Registration.user).lazyload(User.roles),
             joinedload(Registration.territory), joinedload(Registration.region),
             joinedload(Registration.requested_account_manager).lazyload(User.roles),
             joinedload(Registration.decided_by).lazyload(User.roles)]


def _registration_or_404(applicant_id: int) -> Registration:
    registration = db.session.scalar(_visible().where(Registration.user_id == applicant_id)
                                     .options(*_REVIEWED))
    if registration is None:
        abort(404)
    return registration


def _approve_form(registration: Registration) -> ApproveForm:
    user = registration.user
    return ApproveForm(data={
        "company_id": user.company_id or 0,
        "company_name": user.company.name if user.company else registration.company_name,
        "account_manager": user.account_manager_id or 0,
        "territories": [t.id for t in user.territories],
        "region": user.region_id or 0,
    }).fill_choices()


def _review_page(registration, approve_form, reject_form, status=200, block=None):
    name = approve_form.company_name.data or ""
    # Decisions posted from this page carry what it shows, so one made meanwhile is not
    # overridden (drawn afresh after a refused decision, as the page shows the news).
    return render("approvals/review.html", block, registration=registration,
                  person=registration.user,
                  seen=service.latest_event_id(registration) if block is None else None,
                  approve_form=approve_form, reject_form=reject_form,
                  matches=_company_matches(name), similar=service.similar_companies(name),
                  status=status)


def _company_matches(name: str) -> list[Company]:
    query = select(Company).order_by(Company.name_key).limit(8)
    if name.strip():
        # The lower-cased key, not the name: on PostgreSQL its trigram index serves this.
        query = query.where(Company.name_key.like(contains_pattern(name.casefold()),
                                                  escape="\\"))
    return db.session.scalars(query).all()


@bp.route("/<int:applicant_id>")
@approvers
def review(applicant_id):
    """Review an application: company, AM, territories, region; approve or reject."""
    registration = _registration_or_404(applicant_id)
    return _review_page(registration, _approve_form(registration), RejectForm())


@bp.route("/<int:applicant_id>/companies")
@approvers
def companies(applicant_id):
    """The company picker's options for what the reviewer typed."""
    registration = _registration_or_404(applicant_id)
    name = request.args.get("company_name", "")[:120]
    form = _approve_form(registration)
    form.company_name.data, form.company_id.data = name, 0
    return _review_page(registration, form, RejectForm(), block="company_picker")


def _seen() -> int | None:
    """The registration's latest event when the reviewer's page was drawn (hidden input)."""
    return request.form.get("seen", type=int)


@bp.route("/<int:applicant_id>/approve", methods=["POST"])
@approvers
def approve(applicant_id):
    """Approve the application; the applicant is emailed a login link."""
    registration = _registration_or_404(applicant_id)
    form = ApproveForm().fill_choices()
    if form.validate_on_submit():
        try:
            service.approve(
                registration, by=current_user, company_id=form.company_id.data,
                company_name=form.company_name.data,
                account_manager=(db.session.get(User, form.account_manager.data)
                                 if form.account_manager.data else None),
                territories=[db.session.get(Territory, i) for i in form.territories.data or ()],
                region=db.session.get(Region, form.region.data) if form.region.data else None,
                seen=_seen())
        except DomainError as error:
            refused(error, form, fields=COMPANY_FIELD)
        else:
            db.session.commit()
            flash(f"{registration.user.full_name} is approved and has been emailed.", "success")
            return redirect(url_for("approvals.index"), code=303)
    return _review_page(registration, form, RejectForm(), status=422)


@bp.route("/<int:applicant_id>/reject", methods=["POST"])
@approvers
def reject(applicant_id):
    """Reject the application with a reason the applicant is emailed."""
    registration = _registration_or_404(applicant_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            service.reject(registration, by=current_user, reason=form.reason.data,
                           seen=_seen())
        except DomainError as error:
            refused(error, form, fields=COMPANY_FIELD)
        else:
            db.session.commit()
            flash(f"{registration.user.full_name}’s application is rejected; they have been "
                  "told why.", "success")
            return redirect(url_for("approvals.index"), code=303)
    return _review_page(registration, _approve_form(registration), form, status=422)
