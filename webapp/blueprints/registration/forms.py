from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    StringField,
    TelField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from webapp import access
from webapp.models import Region, Territory
from webapp.services import form_tokens
from webapp.web.forms import (
    NONE_CHOICE,
    PASSWORD_HINT,
    OptionalIdField,
    PasswordPolicy,
    named_choices,
    people_choices,
)


class RegistrationForm(FlaskForm):
    first_name = StringField("First name", validators=[DataRequired(), Length(max=100)])
    last_name = StringField("Last name", validators=[DataRequired(), Length(max=100)])
    email = EmailField("Work email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), PasswordPolicy()],
                             description=PASSWORD_HINT)
    confirm = PasswordField("Repeat the password", validators=[
        DataRequired(), EqualTo("password", message="The two passwords do not match.")])
    company_name = StringField("Company", validators=[DataRequired(), Length(max=200)])
    job_title = StringField("Job title", validators=[DataRequired(), Length(max=120)])
    phone = TelField("Phone", validators=[Optional(), Length(max=40), Regexp(
        r"^[0-9+()./ -]*$", message="Use digits, spaces and + ( ) - . / only.")])
    territory = OptionalIdField("Territory", description="Where you buy programmes for.")
    region = OptionalIdField("Region (optional)")
    account_manager = OptionalIdField(
        "Your contact (optional)", description="The Account Manager you usually deal with.")
    marketing_consent = BooleanField("Send me news about new programmes and screenings.")
    # One-time: the same form sent twice (a double click, a retried request) applies once.
    form_token = HiddenField(default=form_tokens.new_token)

    def fill_choices(self):
        self.territory.choices = [SelectChoice(0, "Choose a territory…"),
                                  *named_choices(Territory)]
        self.region.choices = [NONE_CHOICE, *named_choices(Region)]
        self.account_manager.choices = [NONE_CHOICE, *people_choices(access.account_managers())]
        return self

    def validate_territory(self, field):
        if not field.data:
            raise ValidationError("Choose the territory you buy for.")

