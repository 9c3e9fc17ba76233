from flask_wtf import FlaskForm
from wtforms import SearchField, SelectChoice
from wtforms.validators import Length, Optional

from webapp.extensions import db
from webapp.models import PROGRAMME_TYPES
from webapp.services import catalogue
from webapp.web.forms import OptionalIdField, SelectField, choices


class CatalogueFilterForm(FlaskForm):
    """The catalogue's search and filters, read from the query string."""

    class Meta:
        csrf = False

    q = SearchField("Search", validators=[Optional(), Length(max=200)])
    genre = OptionalIdField("Genre")
    type = SelectField("Type", default="", choices=choices(
        [("", "Any type"), *((name, name) for name in PROGRAMME_TYPES)]))

    def fill_choices(self):
        self.genre.choices = [SelectChoice(0, "Any genre"), *choices(
            (g.id, g.name) for g in db.session.scalars(catalogue.genres_in_use()))]
        return self

    def criteria(self) -> dict:
        """The valid filters as programme_search arguments; an invalid one is ignored."""
        self.validate()

        def value(field, default):
            return default if field.errors or field.data is None else field.data

        return {"q": value(self.q, ""), "genre_id": value(self.genre, 0),
                "programme_type": value(self.type, "")}
