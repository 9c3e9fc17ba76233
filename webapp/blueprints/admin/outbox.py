"""Admin > Outbox: every email the CMS sends, and a retry for those that did not go."""

from flask import abort, flash, redirect, request, url_for

from webapp.blueprints.admin import bp
from webapp.blueprints.admin.forms import ConfirmForm
from webapp.extensions import db
from webapp.mail import service as mail
from webapp.models import OutboxMessage, OutboxStatus
from webapp.permissions import Permission
from webapp.services import DomainError
from webapp.times import as_utc
from webapp.web import formatting
from webapp.web.pagination import paginate
from webapp.web.views import email_html_response, get_or_404, permission_required, refused, render

manage_outbox = permission_required(Permission.MANAGE_OUTBOX)

MESSAGES_PER_PAGE = 25
STATUS_TABS = [("", "All"), (OutboxStatus.PENDING, "Pending"), (OutboxStatus.SENT, "Sent"),
               (OutboxStatus.FAILED, "Failed")]


@bp.app_template_filter("utc_time")
def utc_time(moment) -> str:
    return f"{formatting.moment(as_utc(moment))} UTC" if moment else "—"


@bp.route("/outbox")
@manage_outbox
def outbox():
    """The outbox, newest first: status tabs, search by recipient or subject, pages."""
    tab = request.args.get("status", "")
    if tab not in {value for value, _label in STATUS_TABS}:
        tab = ""
    search = request.args.get("q", "").strip()[:200]
    page = paginate(mail.outbox_messages(tab, search), request.args.get("page", 1, type=int),
                    MESSAGES_PER_PAGE)
    return render("admin/outbox.html", "results", page=page, tab=tab, search=search,
                  tabs=STATUS_TABS, counts=mail.status_counts())


@bp.route("/outbox/<int:message_id>")
@manage_outbox
def outbox_message(message_id):
    """One email: its headers, its text part and its HTML part in a sandboxed frame."""
    message = get_or_404(OutboxMessage, message_id)
    return render("admin/outbox_message.html", message=message, confirm=ConfirmForm())


@bp.route("/outbox/<int:message_id>/html")
@manage_outbox
def outbox_message_html(message_id):
    """The stored HTML part, for the message page's sandboxed iframe."""
    return email_html_response(get_or_404(OutboxMessage, message_id).html_body)


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@manage_outbox
def retry_outbox_message(message_id):
    """Send a pending or failed email again now; its attempts and last error stay."""
    message = get_or_404(OutboxMessage, message_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        mail.retry(message)
    except DomainError as error:
        flash(refused(error), "error")
    else:
        db.session.commit()
        flash("The email will be sent again in a moment.", "success")
    return redirect(url_for("admin.outbox_message", message_id=message_id), code=303)
