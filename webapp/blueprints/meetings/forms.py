from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from webapp import access
from webapp.extensions import db
from webapp.models import ProgrammeList, User
from webapp.services import form_tokens
from webapp.services.meetings import COMMON_TIMEZONES, LONGEST_MEETING
from webapp.web.forms import (
    NONE_CHOICE,
    OptionalIdField,
    SelectField,
    SelectMultipleField,
    WholeNumberField,
    choices,
    database_id,
)


class MeetingForm(FlaskForm):
    # Checked by the service, which says why a host cannot be chosen.
    host = OptionalIdField("Host", validate_choice=False,
                           invalid_value_message="Choose from the list.")
    title = StringField("Title", validators=[DataRequired("Give the meeting a title."),
                                             Length(max=200)])
    day = DateField("Date", validators=[DataRequired("Give the date, e.g. 2026-10-13.")])
    start = TimeField("Start time",
                      validators=[DataRequired("Give the start time, e.g. 14:30.")])
    timezone = SelectField("Time zone")
    duration = WholeNumberField(
        "Duration (minutes)", default=30,
        validators=[DataRequired("Give the duration in minutes.")], low=5, high=LONGEST_MEETING,
        message="A meeting lasts between 5 minutes and 12 hours.")
    market = StringField("Market", validators=[Optional(), Length(max=120)],
                         description="e.g. MIPCOM 2026")
    stand = StringField("Stand", validators=[Optional(), Length(max=60)])
    room = StringField("Room", validators=[Optional(), Length(max=60)])
    pre_meeting_notes = TextAreaField(
        "Pre-meeting notes", validators=[Optional(), Length(max=10000)],
        description="Internal: for the host's preparation, never sent to buyers.")
    # The chosen buyers, kept in hidden inputs by the buyer picker.
    attendees = SelectMultipleField("Buyers", coerce=database_id, validate_choice=False)
    source_list = OptionalIdField(
        "Start the meeting list from", invalid_value_message="Choose from the list.",
        description="Its items and notes are copied into the meeting: later changes to that "
                    "list leave the meeting alone.")
    allow_clash = HiddenField()

    def fill_choices(self, user: User, current_host: User | None = None):
        hosts = list(db.session.scalars(access.hosts_available_to(user)))
        if current_host is not None and current_host not in hosts:
            hosts.insert(0, current_host)
        self.host.choices = choices((h.id, h.full_name) for h in hosts)
        if len(hosts) != 1:
            self.host.choices.insert(0, NONE_CHOICE)
        zones = list(COMMON_TIMEZONES)
        if self.timezone.data and self.timezone.data not in zones:
            zones.insert(0, self.timezone.data)
        self.timezone.choices = choices((z, z.replace("_", " ")) for z in zones)
        lists = db.session.scalars(access.lists_visible_to(user)
                                   .order_by(ProgrammeList.name)).all()
        self.source_list.choices = [NONE_CHOICE, *choices((pl.id, pl.name) for pl in lists)]
        return self


class NotesForm(FlaskForm):
    notes = TextAreaField("Meeting notes", validators=[Optional(), Length(max=20000)])
    # The version the notes were read at: without it a save could overwrite someone else's.
    version = WholeNumberField(validators=[
        InputRequired(message="Reload the page and save again: the notes' version is missing.")],
        low=0, message="Reload the page and save again: the notes' version is not a valid one.")


class CopyListForm(FlaskForm):
    source_list = OptionalIdField("Add the items of", validators=[DataRequired("Choose a list.")],
                                  invalid_value_message="Choose a list.")
    # One-time: the same form sent twice (a double click, a retried request) copies once.
    form_token = HiddenField(default=form_tokens.new_token)

    def fill_choices(self, user: User):
        lists = db.session.scalars(access.lists_visible_to(user)
                                   .order_by(ProgrammeList.name)).all()
        self.source_list.choices = [NONE_CHOICE, *choices((pl.id, pl.name) for pl in lists)]
        return self


class SendSummaryForm(FlaskForm):
    resend = HiddenField()
    before_start = BooleanField("Send it before the meeting has started")
    grant_access = BooleanField("Grant the buyers access to the restricted titles in it")
