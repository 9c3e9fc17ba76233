"""Admin > Territories, Regions and Companies: managed lists with unique names."""

from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.blueprints.admin import bp
from webapp.blueprints.admin.forms import CompanyForm, ConfirmForm, NameForm
from webapp.extensions import db
from webapp.models import Company, Region, Territory
from webapp.permissions import Permission
from webapp.search import text_matches
from webapp.services import DomainError
from webapp.services import places as place_service
from webapp.web.pagination import paginate
from webapp.web.views import permission_required, refused, render

manage_places = permission_required(Permission.MANAGE_TERRITORIES)
KINDS = "territories,regions,companies"


@dataclass(frozen=True)
class Kind:
    model: type
    noun: str
    plural: str

    def form(self, **kwargs):
        if self.model is Company:
            return CompanyForm(**kwargs).fill_choices()
        return NameForm(**kwargs)

    def fields(self, form) -> dict:
        if self.model is not Company:
            return {}
        return {
            "region": db.session.get(Region, form.region.data) if form.region.data else None,
            "territories": [db.session.get(Territory, i) for i in form.territories.data],
        }


PLACE_KINDS = {
    "territories": Kind(Territory, "territory", "Territories"),
    "regions": Kind(Region, "region", "Regions"),
    "companies": Kind(Company, "company", "Companies"),
}


def _item_or_404(kind: Kind, item_id: int):
    item = db.session.get(kind.model, item_id)
    if item is None:
        abort(404)
    return item


def _list_page(kind_name: str, form, status: int = 200):
    kind = PLACE_KINDS[kind_name]
    search = request.args.get("q", "")[:200]
    query = select(kind.model).order_by(kind.model.name_key)
    if kind.model is Company:
        query = query.options(selectinload(Company.territories), selectinload(Company.region))
    if search.strip():
        query = query.where(text_matches(kind.model.name, search))
    page = paginate(query, request.args.get("page", 1, type=int),
                    current_app.config["USERS_PER_PAGE"])
    return render("admin/places.html", "results", kind=kind, kind_name=kind_name, page=page,
                  form=form, search=search, confirm=ConfirmForm(), status=status)


@bp.route(f"/<any({KINDS}):kind_name>", methods=["GET", "POST"])
@manage_places
def places(kind_name):
    """List territories, regions or companies (GET) and add one (POST)."""
    kind = PLACE_KINDS[kind_name]
    form = kind.form()
    if form.validate_on_submit():
        try:
            item = place_service.create_named(kind.model, form.name.data, **kind.fields(form))
        except DomainError as error:
            refused(error, form, field="name")
        else:
            db.session.commit()
            flash(f"{kind.noun.capitalize()} “{item.name}” added.", "success")
            return redirect(url_for("admin.places", kind_name=kind_name), code=303)
    return _list_page(kind_name, form, 422 if form.is_submitted() else 200)


@bp.route(f"/<any({KINDS}):kind_name>/<int:item_id>/edit", methods=["GET", "POST"])
@manage_places
def edit_place(kind_name, item_id):
    """Rename a territory, region or company (companies also take region and territories)."""
    kind = PLACE_KINDS[kind_name]
    item = _item_or_404(kind, item_id)
    data = {"name": item.name}
    if kind.model is Company:
        data.update(region=item.region_id or 0, territories=[t.id for t in item.territories])
    form = kind.form(data=data)
    if form.validate_on_submit():
        try:
            place_service.rename(item, form.name.data, **kind.fields(form))
        except DomainError as error:
            refused(error, form, field="name")
        else:
            db.session.commit()
            flash(f"{kind.noun.capitalize()} “{item.name}” saved.", "success")
            return redirect(url_for("admin.places", kind_name=kind_name), code=303)
    return render("admin/place_form.html", kind=kind, kind_name=kind_name, item=item, form=form,
                  usage=place_service.usage(item), status=422 if form.is_submitted() else 200)


@bp.route(f"/<any({KINDS}):kind_name>/<int:item_id>/delete", methods=["POST"])
@manage_places
def delete_place(kind_name, item_id):
    """Delete a territory, region or company (not a company that still has users)."""
    kind = PLACE_KINDS[kind_name]
    item = _item_or_404(kind, item_id)
    if ConfirmForm().validate_on_submit():
        try:
            place_service.delete_named(item)
        except DomainError as error:
            flash(refused(error), "error")
        else:
            db.session.commit()
            flash(f"{kind.noun.capitalize()} “{item.name}” deleted.", "success")
    return redirect(url_for("admin.places", kind_name=kind_name), code=303)
