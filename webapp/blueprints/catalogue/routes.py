"""The website catalogue: browse and search programmes, open one, watch its screeners."""

from flask import abort, current_app, redirect, request, send_from_directory
from flask_login import current_user, login_required

from webapp import access
from webapp.blueprints.catalogue import bp
from webapp.blueprints.catalogue.forms import CatalogueFilterForm
from webapp.blueprints.lists.forms import AddToListForm
from webapp.models import EventKind
from webapp.permissions import Permission
from webapp.services import activity, catalogue
from webapp.services.catalogue import SCREENER_KINDS
from webapp.services.programme_images import upload_root
from webapp.web.pagination import paginate
from webapp.web.views import render

KINDS = ",".join(SCREENER_KINDS)


def _adding() -> dict:
    """The "Add to list" form, for those who keep lists, and the page to come back to."""
    if not access.may_create_lists(current_user):
        return {"add_form": None}
    return {"add_form": AddToListForm().fill_choices(current_user),
            "back": request.full_path.rstrip("?")}


@bp.route("/catalogue")
@login_required
def index():
    """The catalogue: active search by title, genre and type filters, pages of cards."""
    filters = CatalogueFilterForm(request.args).fill_choices()
    criteria = filters.criteria()
    page = paginate(catalogue.programme_search(**criteria)
                    .where(access.programme_visible(current_user)),
                    request.args.get("page", 1, type=int),
                    current_app.config.get("CATALOGUE_PER_PAGE", 24))
    return render("catalogue/index.html", "results", filters=filters, page=page,
                  filtered=any(criteria.values()), **_adding())


@bp.route("/catalogue/<int:programme_id>")
@login_required
def programme(programme_id):
    """A programme's page: its details, seasons, episodes and screeners."""
    item = catalogue.programme_with_seasons(programme_id)
    if item is None or not access.may_see_programme(current_user, item.id):
        abort(404)
    activity.record_now(current_user, EventKind.PROGRAMME_VIEW, programme_id=item.id)
    hidden_seasons, hidden_episodes = access.hidden_parts(current_user, item)
    seasons = [(season, [e for e in season.episodes if e.id not in hidden_episodes])
               for season in item.seasons if season.id not in hidden_seasons]
    return render("catalogue/programme.html", programme=item, seasons=seasons,
                  can_edit=current_user.can(Permission.MANAGE_CATALOGUE), **_adding())


@bp.route(f"/catalogue/screeners/<any({KINDS}):kind>/<int:item_id>")
@login_required
def screener(kind, item_id):
    """Send the viewer on to a screener, counting the play."""
    url = catalogue.screener_url_of(kind, item_id)
    if url is None or not access.may_see_item(current_user, kind, item_id):
        abort(404)
    activity.record_screener_play(current_user, kind, item_id)
    return redirect(url, code=302)


@bp.route("/media/<path:filename>")
@login_required
def media(filename):
    """An uploaded programme image (not of a programme the viewer may not see)."""
    if not catalogue.image_visible(current_user, filename):
        abort(404)
    return send_from_directory(upload_root(), filename)
