"""Admin > Settings: the distributor's name, logo, sending address, email footer and colour."""

from flask import flash, redirect, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length

from webapp.blueprints.admin import bp
from webapp.extensions import db
from webapp.permissions import Permission
from webapp.services import DomainError
from webapp.services import distributor as service
from webapp.web.views import permission_required, refused, render

manage_settings = permission_required(Permission.MANAGE_SETTINGS)


class SettingsForm(FlaskForm):
    name = StringField("Distributor's name", validators=[Length(max=120)],
                       description="Shown in every page's header and title, and as the "
                                   "sender of every email.")
    sending_address = StringField(
        "Sending address", validators=[Length(max=254)],
        description="The address emails come from. Emails to buyers carry the Account "
                    "Manager's name (“Alice Morgan via …”) and reply to them.")
    footer_address = TextAreaField("Postal address", validators=[Length(max=1000)],
                                   description="At the foot of every email.")
    footer_contact = StringField("Contact", validators=[Length(max=200)],
                                 description="A phone number or an address for questions, "
                                             "at the foot of every email.")
    accent_colour = StringField("Accent colour", validators=[Length(max=20)],
                                description="# and six hex digits, such as #1d3557: the "
                                            "header's background behind white text, so a "
                                            "dark one.")
    logo = FileField("Logo", description=f"PNG, JPEG, WebP or GIF, at most "
                                         f"{service.MAX_LOGO_BYTES // 1024} KB and "
                                         f"{service.MAX_LOGO_SIDE} pixels a side.")
    remove_logo = BooleanField("Remove the logo")


def _filled(form: SettingsForm) -> SettingsForm:
    row = service.settings_row()
    if row is not None:
        form.process(obj=row)
    return form


@bp.route("/settings", methods=["GET", "POST"])
@manage_settings
def settings():
    """The distributor's settings; every field is checked before any is saved."""
    form = SettingsForm() if request.method == "POST" else _filled(SettingsForm())
    if not form.validate_on_submit():
        return _page(form, 422 if form.is_submitted() else 200)
    upload = form.logo.data
    try:
        service.update_settings(service.SettingsChange(
            name=form.name.data or "", sending_address=form.sending_address.data or "",
            footer_address=form.footer_address.data or "",
            footer_contact=form.footer_contact.data or "",
            accent_colour=form.accent_colour.data or "",
            logo=upload.read(service.MAX_LOGO_BYTES + 1) if upload else None,
            remove_logo=form.remove_logo.data))
    except DomainError as error:
        refused(error, form)
        return _page(form, 422)
    db.session.commit()
    flash("Settings saved.", "success")
    return redirect(url_for("admin.settings"), code=303)


def _page(form: SettingsForm, status: int):
    return render("admin/settings.html", form=form, current=service.current(), status=status)
