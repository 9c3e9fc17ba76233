from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField

from webapp.services.profiles import JOB_TITLE_LENGTH, NAME_LENGTH, PHONE_LENGTH


class ProfileForm(FlaskForm):
    """What a user changes on their own profile; the service checks it."""

    first_name = StringField("First name", render_kw={"maxlength": NAME_LENGTH,
                                                      "autocomplete": "given-name"})
    last_name = StringField("Last name", render_kw={"maxlength": NAME_LENGTH,
                                                    "autocomplete": "family-name"})
    job_title = StringField("Job title", render_kw={"maxlength": JOB_TITLE_LENGTH,
                                                    "autocomplete": "organization-title"})
    phone = StringField("Phone", render_kw={"maxlength": PHONE_LENGTH, "autocomplete": "tel"})
    notify_registrations = BooleanField(
        "New registrations", description="An email when a buyer you would look after applies.")
    notify_meeting_changes = BooleanField(
        "Meeting changes", description="An email when a meeting you take part in is set up, "
                                       "changed or cancelled.")
