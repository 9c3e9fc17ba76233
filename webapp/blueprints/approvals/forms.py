from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from webapp import access
from webapp.models import Region, Territory
from webapp.web.forms import (
    DATABASE_INT_MAX,
    NONE_CHOICE,
    CheckboxListField,
    OptionalIdField,
    WholeNumberField,
    named_choices,
    people_choices,
)


class ApproveForm(FlaskForm):
    company_id = WholeNumberField("Existing company", validators=[Optional()], low=0,
                                  high=DATABASE_INT_MAX, message="Choose a company from the list.")
    company_name = StringField("Company", validators=[Optional(), Length(max=120)])
    account_manager = OptionalIdField("Account Manager")
    territories = CheckboxListField("Territories")
    region = OptionalIdField("Region")

    def fill_choices(self):
        self.account_manager.choices = [NONE_CHOICE, *people_choices(access.account_managers())]
        self.territories.choices = named_choices(Territory)
        self.region.choices = [NONE_CHOICE, *named_choices(Region)]
        return self


class RejectForm(FlaskForm):
    reason = TextAreaField("Reason for rejecting", description="The applicant reads this.",
                           validators=[DataRequired(), Length(max=2000)])
