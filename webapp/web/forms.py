"""Form pieces shared by several blueprints."""

import email_validator
import wtforms
from markupsafe import Markup, escape
from sqlalchemy import Select, select
from wtforms import SelectChoice
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.extensions import db
from webapp.models import User, person_name
from webapp.services.passwords import password_problem

NONE_CHOICE = SelectChoice(0, "—")
# The numbers a database integer column holds (PostgreSQL's integer).
DATABASE_INT_MIN, DATABASE_INT_MAX = -(2**31), 2**31 - 1

# The demo and test accounts live under the reserved .test domain; let forms accept it.
if "test" in email_validator.SPECIAL_USE_DOMAIN_NAMES:
    email_validator.SPECIAL_USE_DOMAIN_NAMES.remove("test")


def whole_number(value, low: int = DATABASE_INT_MIN, high: int = DATABASE_INT_MAX) -> int:
    """A number sent by a client, from `low` to `high` (by default any a database integer
    holds), else ValueError. Only ASCII digits after an optional sign: int() would also take
    "1_000" and other scripts' digits. Nothing longer than the bounds is converted, so a
    400-digit number costs nothing and never reaches a comparison or the database."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip()
        digits = text[1:] if text[:1] in ("+", "-") else text
        if not (digits.isascii() and digits.isdigit()) or len(digits.lstrip("0")) > 10:
            raise ValueError("not a whole number")
        number = int(text)
    if not low <= number <= high:
        raise ValueError("out of range")
    return number


def database_id(value) -> int:
    """An id sent by a client: a whole number a database integer holds, else ValueError
    (so `request.args.get(name, type=database_id)` gives None for anything else)."""
    return whole_number(value, 1, DATABASE_INT_MAX)


def choice_id(value) -> int:
    """An id chosen in a select, 0 standing for none; anything else is ValueError."""
    return whole_number(value, 0, DATABASE_INT_MAX)


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def named_choices(model) -> list[SelectChoice]:
    """Every row of a model with a name (regions, territories, roles...), by name."""
    return choices(db.session.execute(select(model.id, model.name).order_by(model.name)))


def people_choices(users: Select) -> list[SelectChoice]:
    """The users of `users` (a select of User, in its order) as (id, full name) choices,
    reading their names only."""
    names = users.with_only_columns(User.id, User.first_name, User.last_name)
    return choices((user_id, person_name(first, last))
                   for user_id, first, last in db.session.execute(names))


class QuickSelect(wtforms.widgets.Select):
    """WTForms' select, a plain option written in one step instead of through html_params:
    the same HTML, several times faster for the long lists (time zones, people, places)."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = choice.label or choice.value
        return Markup(f'<option {selected}value="{escape(choice.value)}">{escape(label)}</option>')


class SelectField(wtforms.SelectField):
    widget = QuickSelect()


class SelectMultipleField(wtforms.SelectMultipleField):
    widget = QuickSelect(multiple=True)


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", database_id)
        super().__init__(*args, **kwargs)


class OptionalIdField(SelectField):
    """A select of database ids where 0 stands for 'none'. Anything but an id a database
    integer holds is refused (`invalid_value_message`) without asking the field's validators."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", choice_id)
        kwargs.setdefault("default", 0)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] == "":
            valuelist = ["0"]
        super().process_formdata(valuelist)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()
        super().pre_validate(form)


class WholeNumber:
    """Validator for a field that keeps the text sent (a hidden id the view reads itself):
    a whole number from `low` to `high`, as whole_number reads it."""

    def __init__(self, low: int = DATABASE_INT_MIN, high: int = DATABASE_INT_MAX,
                 message: str | None = None):
        self.low, self.high = low, high
        self.message = message or f"Enter a number from {low:,} to {high:,}."

    def __call__(self, form, field):
        try:
            whole_number(field.data, self.low, self.high)
        except ValueError:
            raise ValidationError(self.message) from None


class WholeNumberField(wtforms.IntegerField):
    """A whole number from `low` to `high`, by default any a database integer holds.

    Text, decimals and numbers no database integer holds (one of 400 digits) are a form
    error as the field is read, and its validators are not asked: WTForms' NumberRange makes
    a float of the number, which a huge one overflows. The range is checked after the
    validators, so DataRequired or InputRequired speak first. `message`, when given, is the
    error for every wrong number."""

    def __init__(self, label=None, validators=None, low: int = DATABASE_INT_MIN,
                 high: int = DATABASE_INT_MAX, message: str | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.low, self.high, self.message = low, high, message

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return  # empty: for Optional, DataRequired or InputRequired to judge
        try:
            self.data = whole_number(valuelist[0])
        except ValueError:
            text = valuelist[0].strip()
            digits = text[1:] if text[:1] in ("+", "-") else text
            too_long = digits.isascii() and digits.isdigit()
            raise ValueError(self.message or (self._range_message() if too_long else
                                              self.gettext("Not a valid integer value."))) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()

    def post_validate(self, form, validation_stopped):
        if not validation_stopped and self.data is not None \
                and not self.low <= self.data <= self.high:
            raise ValidationError(self.message or self._range_message())

    def _range_message(self) -> str:
        return f"Enter a number from {self.low:,} to {self.high:,}."


PASSWORD_HINT = "At least 8 characters. A few words you will remember make a good password."


class PasswordPolicy:
    """Validator: the password policy (webapp.services.passwords.password_problem).

    The account's own words come from the form's email and name fields, or from
    `form.account` when the form is about an existing user (change, reset).
    """

    def __call__(self, form, field):
        if not field.data:
            return
        account = getattr(form, "account", None)

        def value(name):
            if name in form and form[name].data:
                return str(form[name].data)
            return str(getattr(account, name, "") or "")

        problem = password_problem(field.data, email=value("email"),
                                   names=(value("first_name"), value("last_name")))
        if problem:
            raise ValidationError(problem)
