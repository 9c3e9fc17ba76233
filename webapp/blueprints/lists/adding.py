"""Adding titles to a list from where people find them: the catalogue's grid (several
ticked at once) and a programme's page (the programme, a season or an episode)."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from webapp import access
from webapp.blueprints.lists import bp
from webapp.blueprints.lists.forms import AddToListForm
from webapp.extensions import db
from webapp.models import ProgrammeList
from webapp.services import DomainError, form_tokens
from webapp.services import list_adding as service
from webapp.web.views import refused, render


def _back(form: AddToListForm) -> str:
    """The page the form was on (a path of this site), else the catalogue."""
    back = form.back.data or ""
    if back.startswith("/") and not back.startswith("//") and "\\" not in back:
        return back
    return url_for("catalogue.index")


@bp.route("/lists/add", methods=["POST"])
@login_required
def add_to_list():
    """Add the ticked titles to one of the user's lists, or to a new one, once for one
    sending of the form; then back to the page it was sent from."""
    if not access.may_create_lists(current_user):
        abort(403)
    form = AddToListForm().fill_choices(current_user)
    if not form.validate_on_submit():
        abort(400)
    back, values = _back(form), request.form.getlist("items")
    try:
        refs = service.read_catalogue_refs(values)
        form_tokens.use(form.form_token.data, current_user, request.form.items(multi=True))
        programme_list, added, present = service.add_to_list(current_user, form.target.data,
                                                             form.new_name.data, refs)
    except form_tokens.AlreadySubmitted as done:
        flash(refused(done), "info")
        return redirect(back, code=303)
    except DomainError as error:  # the form again, as sent, with what to fix
        refused(error, form, field="target")
        form.form_token.data = form_tokens.new_token()
        status = 409 if isinstance(error, form_tokens.SentWithOtherContent) else 422
        return render("lists/add.html", form=form, back=back, status=status,
                      titles=service.titles_of(current_user, values))
    db.session.commit()
    flash(_added_message(programme_list, added, present), "success")
    return redirect(back, code=303)


def _added_message(programme_list: ProgrammeList, added: int, present: int) -> str:
    message = f"{added} title{'s' if added != 1 else ''} added to “{programme_list.name}”."
    if present:
        message += f" {present} {'was' if present == 1 else 'were'} on it already."
    return message
