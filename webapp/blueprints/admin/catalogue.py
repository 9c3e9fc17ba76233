"""Admin > Catalogue: programmes with their seasons and episodes, and the CSV import."""

from flask import Response, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.blueprints.admin import bp
from webapp.blueprints.admin.catalogue_forms import (
    EpisodeForm,
    ImportForm,
    ProgrammeForm,
    SeasonForm,
)
from webapp.blueprints.admin.forms import ConfirmForm
from webapp.blueprints.catalogue.forms import CatalogueFilterForm
from webapp.extensions import db
from webapp.jobs import jobs
from webapp.models import PROGRAMME_TYPES, CatalogueImport, Episode, Genre, Programme, Season
from webapp.permissions import Permission
from webapp.services import DomainError, catalogue_import, form_tokens
from webapp.services import catalogue as service
from webapp.services import programme_images as images
from webapp.web.pagination import paginate
from webapp.web.views import get_or_404, permission_required, refused, render

manage_catalogue = permission_required(Permission.MANAGE_CATALOGUE)
FORM_FIELD_OF = {"genres": "new_genres"}  # service field -> form field, where they differ


@bp.route("/catalogue")
@manage_catalogue
def catalogue():
    """The programmes: active search, filters and pagination."""
    filters = CatalogueFilterForm(request.args).fill_choices()
    criteria = filters.criteria()
    query = service.programme_search(**criteria).options(selectinload(Programme.seasons))
    page = paginate(query, request.args.get("page", 1, type=int),
                    current_app.config["USERS_PER_PAGE"])
    return render("admin/catalogue/index.html", "results", filters=filters, page=page,
                  filtered=any(criteria.values()), confirm=ConfirmForm())


def _programme_fields(form: ProgrammeForm) -> dict:
    checked = db.session.scalars(select(Genre.name).where(Genre.id.in_(form.genres.data or [])))
    return {
        "title": form.title.data, "programme_type": form.programme_type.data,
        "genres": [*checked, *service.split_genres(form.new_genres.data)],
        "year": form.year.data, "episode_count": form.episode_count.data,
        "runtime_minutes": form.runtime_minutes.data, "synopsis": form.synopsis.data,
        "screener_url": form.screener_url.data,
    }


def _save_programme(form: ProgrammeForm, programme: Programme | None) -> Programme | None:
    """Save the details, then the image; on any problem nothing is kept and None returned."""
    new_image = replaced = None
    try:
        fields = _programme_fields(form)
        saved = (service.update_programme(programme, **fields) if programme
                 else service.create_programme(**fields))
        if form.image.data:
            new_image = images.store_image(form.image.data.stream)
        if new_image or form.remove_image.data:
            replaced = service.set_programme_image(saved, new_image)
    except DomainError as error:
        refused(error, form, field="title", fields=FORM_FIELD_OF)
        images.discard_image(new_image)
        return None
    db.session.commit()
    images.discard_image(replaced)
    return saved


def _programme_page(form: ProgrammeForm, programme: Programme | None):
    if form.validate_on_submit():
        saved = _save_programme(form, programme)
        if saved is not None:
            flash(f"“{saved.title}” saved.", "success")
            return redirect(url_for("admin.edit_programme", programme_id=saved.id), code=303)
    return render("admin/catalogue/programme_form.html", form=form, programme=programme,
                  confirm=ConfirmForm(), status=422 if form.is_submitted() else 200)


@bp.route("/catalogue/new", methods=["GET", "POST"])
@manage_catalogue
def new_programme():
    """Add a programme."""
    return _programme_page(ProgrammeForm().fill_choices(), None)


@bp.route("/catalogue/<int:programme_id>/edit", methods=["GET", "POST"])
@manage_catalogue
def edit_programme(programme_id):
    """Edit a programme; its seasons and episodes are managed on the same page."""
    programme = get_or_404(Programme, programme_id)
    form = ProgrammeForm(data={
        **{name: getattr(programme, name) for name in (
            "title", "programme_type", "year", "episode_count", "runtime_minutes",
            "synopsis", "screener_url")},
        "genres": [g.id for g in programme.genres]}).fill_choices()
    return _programme_page(form, programme)


@bp.route("/catalogue/<int:programme_id>/delete", methods=["POST"])
@manage_catalogue
def delete_programme(programme_id):
    """Delete a programme with its seasons and episodes."""
    programme = get_or_404(Programme, programme_id)
    if not ConfirmForm().validate_on_submit():
        flash("The deletion was not confirmed; nothing was deleted.", "error")
        return redirect(url_for("admin.edit_programme", programme_id=programme.id), code=303)
    title = programme.title
    image = service.delete_programme(programme)
    db.session.commit()
    images.discard_image(image)
    flash(f"“{title}” deleted.", "success")
    return redirect(url_for("admin.catalogue"), code=303)


# --- Seasons and episodes ----------------------------------------------------------------


def _part_page(form, save, *, programme: Programme, heading: str, back: str, anchor=None):
    """The season and episode forms: save, then back to the programme at `anchor`."""
    if form.validate_on_submit():
        data = {name: value for name, value in form.data.items() if name != "csrf_token"}
        try:
            saved = save(**data)
        except DomainError as error:
            refused(error, form, field="number", fields=FORM_FIELD_OF)
        else:
            db.session.commit()
            flash(f"{_label(saved)} saved.", "success")
            return redirect(url_for("admin.edit_programme", programme_id=programme.id,
                                    _anchor=anchor or f"season-{_season_id(saved)}"), code=303)
    return render("admin/catalogue/part_form.html", form=form, programme=programme,
                  heading=heading, back=back, status=422 if form.is_submitted() else 200)


def _season_id(item: Season | Episode) -> int:
    return item.id if isinstance(item, Season) else item.season_id


def _label(item: Season | Episode) -> str:
    return str(item) if isinstance(item, Season) else f"Episode {item.number}"


@bp.route("/catalogue/<int:programme_id>/seasons/new", methods=["GET", "POST"])
@manage_catalogue
def new_season(programme_id):
    """Add a season to a programme."""
    programme = get_or_404(Programme, programme_id)
    form = SeasonForm(data={"number": service.next_season_number(programme)})
    return _part_page(form, lambda **data: service.create_season(programme, **data),
                      programme=programme, heading=f"New season: {programme.title}",
                      back=url_for("admin.edit_programme", programme_id=programme.id,
                                   _anchor="seasons"))


@bp.route("/catalogue/seasons/<int:season_id>/edit", methods=["GET", "POST"])
@manage_catalogue
def edit_season(season_id):
    """Edit a season's number, title, year and screener."""
    season = get_or_404(Season, season_id)
    form = SeasonForm(obj=season)
    return _part_page(form, lambda **data: service.update_season(season, **data),
                      programme=season.programme,
                      heading=f"{season}: {season.programme.title}",
                      back=url_for("admin.edit_programme", programme_id=season.programme_id,
                                   _anchor=f"season-{season.id}"))


@bp.route("/catalogue/seasons/<int:season_id>/delete", methods=["POST"])
@manage_catalogue
def delete_season(season_id):
    """Delete a season and its episodes."""
    season = get_or_404(Season, season_id)
    programme_id, label = season.programme_id, str(season)
    if ConfirmForm().validate_on_submit():
        service.delete_season(season)
        db.session.commit()
        flash(f"{label} deleted.", "success")
    return redirect(url_for("admin.edit_programme", programme_id=programme_id,
                            _anchor="seasons"), code=303)


@bp.route("/catalogue/seasons/<int:season_id>/episodes/new", methods=["GET", "POST"])
@manage_catalogue
def new_episode(season_id):
    """Add an episode to a season."""
    season = get_or_404(Season, season_id)
    form = EpisodeForm(data={"number": service.next_episode_number(season)})
    return _part_page(form, lambda **data: service.create_episode(season, **data),
                      programme=season.programme,
                      heading=f"New episode: {season.programme.title}, {season}",
                      back=url_for("admin.edit_programme", programme_id=season.programme_id,
                                   _anchor=f"season-{season.id}"))


@bp.route("/catalogue/episodes/<int:episode_id>/edit", methods=["GET", "POST"])
@manage_catalogue
def edit_episode(episode_id):
    """Edit an episode."""
    episode = get_or_404(Episode, episode_id)
    season = episode.season
    form = EpisodeForm(obj=episode)
    return _part_page(form, lambda **data: service.update_episode(episode, **data),
                      programme=season.programme,
                      heading=f"Episode {episode.number}: {season.programme.title}, {season}",
                      back=url_for("admin.edit_programme", programme_id=season.programme_id,
                                   _anchor=f"season-{season.id}"))


@bp.route("/catalogue/episodes/<int:episode_id>/delete", methods=["POST"])
@manage_catalogue
def delete_episode(episode_id):
    """Delete an episode."""
    episode = get_or_404(Episode, episode_id)
    season = episode.season
    programme_id, season_id, number = season.programme_id, season.id, episode.number
    if ConfirmForm().validate_on_submit():
        service.delete_episode(episode)
        db.session.commit()
        flash(f"Episode {number} of {season} deleted.", "success")
    return redirect(url_for("admin.edit_programme", programme_id=programme_id,
                            _anchor=f"season-{season_id}"), code=303)


# --- CSV import --------------------------------------------------------------------------


@bp.route("/catalogue/import", methods=["GET", "POST"])
@manage_catalogue
def import_programmes():
    """Upload a CSV file: it is checked as a whole here, then imported in the background."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_form(form, status=422 if form.is_submitted() else 200)
    try:
        used = form_tokens.use(form.form_token.data, current_user, request.form.items(multi=True))
        job = catalogue_import.start_import(catalogue_import.read_upload(form.file.data.stream),
                                            form.file.data.filename or "", current_user)
    except form_tokens.AlreadySubmitted as done:  # the same upload sent twice: one import
        refused(done)
        return redirect(done.earlier.result_url or url_for("admin.import_programmes"), code=303)
    except DomainError as error:
        refused(error, form, field="file")
        form.form_token.data = form_tokens.new_token()
        return _import_form(form, status=422)
    page = url_for("admin.import_progress", import_id=job.id)
    if used is not None:
        used.result_url = page
    db.session.commit()
    jobs().import_catalogue(job.id)
    return redirect(page, code=303)


def _import_form(form, status=200):
    recent = db.session.scalars(select(CatalogueImport).order_by(CatalogueImport.id.desc())
                                .limit(5).options(selectinload(CatalogueImport.started_by)))
    return render("admin/catalogue/import.html", form=form, recent=list(recent),
                  programme_types=PROGRAMME_TYPES, max_rows=catalogue_import.MAX_ROWS,
                  status=status)


@bp.route("/catalogue/import/<int:import_id>")
@manage_catalogue
def import_progress(import_id):
    """An import's progress (htmx polls it until it ends), then its report."""
    job = get_or_404(CatalogueImport, import_id)
    return render("admin/catalogue/import_progress.html", "progress", job=job)


@bp.route("/catalogue/import/<int:import_id>/refused.csv")
@manage_catalogue
def import_refused_rows(import_id):
    """The rows an import refused, with what was wrong, to correct and import again."""
    job = get_or_404(CatalogueImport, import_id)
    return Response(catalogue_import.refused_rows_csv(job), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="import-{job.id}-refused-rows.csv"'})


@bp.route("/catalogue/import/template.csv")
@manage_catalogue
def import_template():
    """A CSV file with the import's columns and two example rows."""
    return Response(catalogue_import.template_csv(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="catalogue-import-template.csv"'})
