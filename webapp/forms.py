"""Form pieces shared by several blueprints."""

import email_validator
from wtforms import SelectChoice, SelectField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

NONE_CHOICE = SelectChoice(0, "—")

# The demo and test accounts live under the reserved .test domain; let forms accept it.
if "test" in email_validator.SPECIAL_USE_DOMAIN_NAMES:
    email_validator.SPECIAL_USE_DOMAIN_NAMES.remove("test")


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


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
