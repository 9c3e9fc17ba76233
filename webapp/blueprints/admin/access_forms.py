"""Forms of Admin > Catalogue > Access and Admin > Buyer groups."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired

from webapp.web.forms import DATABASE_INT_MAX, WholeNumber


class RestrictionForm(FlaskForm):
    restricted = BooleanField("Restricted: only internal users and the buyers, companies and "
                              "groups granted it see it")


class GranteeForm(FlaskForm):
    """A buyer, company or group chosen from the search results below the tabs."""

    grantee_id = HiddenField(validators=[
        DataRequired(), WholeNumber(1, DATABASE_INT_MAX, "Choose who to grant it to.")])

    @property
    def grantee(self) -> int | None:
        return int(self.grantee_id.data) if self.validate_on_submit() else None
