from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SearchField,
    SelectChoice,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from webapp import access
from webapp.models import Company, Region, Role, Territory, UserStatus
from webapp.permissions import Permission
from webapp.web.forms import (
    DATABASE_INT_MAX,
    NONE_CHOICE,
    PASSWORD_HINT,
    CheckboxListField,
    OptionalIdField,
    PasswordPolicy,
    SelectField,
    WholeNumber,
    choices,
    named_choices,
    people_choices,
)

STATUSES = [(UserStatus.ACTIVE, "Active"), (UserStatus.PENDING, "Pending approval"),
            (UserStatus.REJECTED, "Rejected")]


class UserForm(FlaskForm):
    first_name = StringField("First name", validators=[DataRequired(), Length(max=100)])
    last_name = StringField("Last name", validators=[DataRequired(), Length(max=100)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    job_title = StringField("Job title", validators=[Optional(), Length(max=120)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    roles = CheckboxListField("Roles")
    territories = CheckboxListField("Territories")
    region = OptionalIdField("Region")
    company = OptionalIdField("Company")
    account_manager = OptionalIdField(
        "Account Manager", description="For buyers: the AM who looks after them directly.")
    status = SelectField("Status", choices=choices(STATUSES), default=UserStatus.ACTIVE)
    password = PasswordField("Password", validators=[Optional(), PasswordPolicy()],
                             description=PASSWORD_HINT)

    def fill_choices(self):
        self.roles.choices = named_choices(Role)
        self.territories.choices = named_choices(Territory)
        self.region.choices = [NONE_CHOICE, *named_choices(Region)]
        self.company.choices = [NONE_CHOICE, *named_choices(Company)]
        self.account_manager.choices = [NONE_CHOICE, *people_choices(access.account_managers())]
        return self


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField("Search", validators=[Optional(), Length(max=200)])
    role = OptionalIdField("Role")
    territory = OptionalIdField("Territory")
    company = SearchField("Company", validators=[Optional(), Length(max=200)])
    status = SelectField("Status", default="", choices=choices(
        [("", "Any status"), *STATUSES, ("suspended", "Suspended")]))
    am = HiddenField()

    def criteria(self) -> dict:
        """The valid filters; a filter that does not validate is ignored."""
        self.validate()

        def value(field, default):
            return default if field.errors or field.data is None else field.data

        return {"q": value(self.q, ""), "role_id": value(self.role, 0),
                "territory_id": value(self.territory, 0), "company": value(self.company, ""),
                "status": value(self.status, "")}

    def fill_choices(self, only_chosen: bool = False):
        """The role and territory choices. `only_chosen` (for an answer that shows no form):
        a filter left at "any" needs no list of choices to be checked against."""
        for field, model, anything in ((self.role, Role, "Any role"),
                                       (self.territory, Territory, "Any territory")):
            field.choices = [SelectChoice(0, anything)]
            if not only_chosen or field.data:
                field.choices += named_choices(model)
        return self


class SalesCoordinatorForm(FlaskForm):
    sales_coordinator_id = HiddenField(validators=[
        DataRequired(), WholeNumber(1, DATABASE_INT_MAX, "Choose a Sales Coordinator.")])


class RoleForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    description = StringField("Description", validators=[Optional(), Length(max=255)])
    permissions = CheckboxListField(
        "Permissions", coerce=str, choices=choices((p.value, p.label) for p in Permission)
    )


class NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])


class CompanyForm(NameForm):
    region = OptionalIdField("Region")
    territories = CheckboxListField("Territories")

    def fill_choices(self):
        self.region.choices = [NONE_CHOICE, *named_choices(Region)]
        self.territories.choices = named_choices(Territory)
        return self


class ConfirmForm(FlaskForm):
    """An empty form: a CSRF-protected button for actions such as delete or suspend."""
