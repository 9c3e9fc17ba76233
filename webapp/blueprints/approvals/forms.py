from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webapp import access
from webapp.extensions import db
from webapp.forms import (
    DATABASE_INT_MAX,
    NONE_CHOICE,
    CheckboxListField,
    OptionalIdField,
    choices,
)
from webapp.models import Region, Territory, User


def _named(model):
    return choices((item.id, item.name)
                   for item in db.session.scalars(select(model).order_by(model.name)))


class ApproveForm(FlaskForm):
    company_id = IntegerField("Existing company", validators=[
        Optional(), NumberRange(min=0, max=DATABASE_INT_MAX)])
    company_name = StringField("Company", validators=[Optional(), Length(max=120)])
    account_manager = OptionalIdField("Account Manager")
    territories = CheckboxListField("Territories")
    region = OptionalIdField("Region")

    def fill_choices(self):
        names = access.account_managers().with_only_columns(User.id, User.first_name,
                                                            User.last_name)
        self.account_manager.choices = [NONE_CHOICE, *choices(
            (id_, f"{first} {last}".strip()) for id_, first, last in db.session.execute(names))]
        self.territories.choices = _named(Territory)
        self.region.choices = [NONE_CHOICE, *_named(Region)]
        return self


class RejectForm(FlaskForm):
    reason = TextAreaField("Reason for rejecting", description="The applicant reads this.",
                           validators=[DataRequired(), Length(max=2000)])
