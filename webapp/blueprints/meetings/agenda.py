"""A market day's meetings as a PDF agenda: one host's, or those of every host the user
may set meetings up for (an SC: their AMs and themselves)."""

from datetime import date

from flask import Response, abort, request
from flask_login import current_user

from webapp.blueprints.meetings import bp
from webapp.services import pdf_documents
from webapp.services.meeting_index import agenda as day_meetings
from webapp.services.meeting_index import agenda_hosts
from webapp.web.errors import render_error
from webapp.web.forms import database_id


@bp.route("/meetings/agenda.pdf")
def agenda():
    """?day=YYYY-MM-DD (today by default) and ?host=<id> (all one's hosts by default)."""
    try:
        day = date.fromisoformat(request.args.get("day", "").strip() or date.today().isoformat())
    except ValueError:
        return render_error(422, "Choose the day as a date, in the form 2026-10-13.")
    hosts = agenda_hosts(current_user)
    if request.args.get("host", "").strip():
        host_id = request.args.get("host", type=database_id)
        hosts = [host for host in hosts if host.id == host_id]
        if not hosts:
            abort(404)
    names = [host.full_name for host in hosts]
    heading = ", ".join(names) if len(names) <= 4 else f"{len(names)} hosts"
    document = pdf_documents.day_agenda(day_meetings(current_user, day, hosts), day,
                                        current_user, heading)
    return Response(document, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="agenda-{day.isoformat()}.pdf"'})
