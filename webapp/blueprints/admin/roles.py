"""Admin > Roles: roles and the permissions each holds."""

from flask import flash, redirect, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp.blueprints.admin import bp
from webapp.blueprints.admin.forms import ConfirmForm, RoleForm
from webapp.extensions import db
from webapp.models import Role, user_roles
from webapp.permissions import Permission
from webapp.services import DomainError
from webapp.services import roles as role_service
from webapp.web.views import get_or_404, permission_required, refused, render

manage_roles = permission_required(Permission.MANAGE_ROLES)


@bp.route("/roles")
@manage_roles
def roles():
    """Every role, its permissions and how many users hold it."""
    holders = dict(db.session.execute(
        select(user_roles.c.role_id, func.count()).group_by(user_roles.c.role_id)).all())
    all_roles = db.session.scalars(select(Role).options(selectinload(Role.grants))
                                   .order_by(Role.kind.is_(None), Role.name)).all()
    return render("admin/roles.html", roles=all_roles, holders=holders,
                  permissions=list(Permission), confirm=ConfirmForm())


def _role_form_page(form: RoleForm, role: Role | None):
    if form.validate_on_submit():
        try:
            saved = role_service.save_role(role, name=form.name.data,
                                           description=form.description.data or "",
                                           permissions=form.permissions.data)
        except DomainError as error:
            refused(error, form, field="name")
        else:
            db.session.commit()
            flash(f"Role “{saved.name}” saved.", "success")
            return redirect(url_for("admin.roles"), code=303)
    status = 422 if form.is_submitted() else 200
    return render("admin/role_form.html", form=form, role=role, permissions=list(Permission),
                  status=status)


@bp.route("/roles/new", methods=["GET", "POST"])
@manage_roles
def new_role():
    """Create a role."""
    return _role_form_page(RoleForm(), None)


@bp.route("/roles/<int:role_id>", methods=["GET", "POST"])
@manage_roles
def edit_role(role_id):
    """Rename a role and choose its permissions."""
    role = get_or_404(Role, role_id)
    data = {"name": role.name, "description": role.description,
            "permissions": [p.value for p in role.permissions]}
    return _role_form_page(RoleForm(data=data), role)


@bp.route("/roles/<int:role_id>/delete", methods=["POST"])
@manage_roles
def delete_role(role_id):
    """Delete a role that is not built in."""
    role = get_or_404(Role, role_id)
    if ConfirmForm().validate_on_submit():
        try:
            role_service.delete_role(role)
        except DomainError as error:
            flash(refused(error), "error")
        else:
            db.session.commit()
            flash(f"Role “{role.name}” deleted.", "success")
    return redirect(url_for("admin.roles"), code=303)
