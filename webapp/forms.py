"""Form pieces shared by several blueprints."""

import email_validator
import wtforms
from markupsafe import Markup, escape
from sqlalchemy import Select, select
from wtforms import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.extensions import db
from webapp.models import User, person_name
from webapp.services.passwords import password_problem

NONE_CHOICE = SelectChoice(0, "—")
# The largest id or count a database integer column holds (PostgreSQL's integer).
DATABASE_INT_MAX = 2**31 - 1

# The demo and test accounts live under the reserved .test domain; let forms accept it.
if "test" in email_validator.SPECIAL_USE_DOMAIN_NAMES:
    email_validator.SPECIAL_USE_DOMAIN_NAMES.remove("test")


def database_id(value) -> int:
    """An id sent by a client: a whole number a database integer holds, else ValueError
    (so `request.args.get(name, type=database_id)` gives None for anything else)."""
    number = int(value)
    if not 0 < number <= DATABASE_INT_MAX:
        raise ValueError("not an id")
    return number


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
        kwargs.setdefault("coerce", int)
        super().__init__(*args, **kwargs)


class OptionalIdField(SelectField):
    """A select of database ids where 0 stands for 'none'."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("default", 0)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] == "":
            valuelist = ["0"]
        super().process_formdata(valuelist)

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
