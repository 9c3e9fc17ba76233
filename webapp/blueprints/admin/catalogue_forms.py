"""Forms of Admin > Catalogue. They check types and lengths; the catalogue service checks
the rest (ranges, links, duplicates), so the CSV import refuses the same things."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from webapp.extensions import db
from webapp.models import PROGRAMME_TYPES
from webapp.services import catalogue, form_tokens
from webapp.web.forms import CheckboxListField, SelectField, WholeNumberField, choices

SCREENER_HINT = "A link to the video, starting with https://. Buyers open it in a new tab."


def _screener_field():
    return URLField("Screener link", description=SCREENER_HINT,
                    validators=[Optional(), Length(max=500)])


class ProgrammeForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    programme_type = SelectField("Type", choices=choices((t, t) for t in PROGRAMME_TYPES))
    year = WholeNumberField("Year", validators=[Optional()])
    episode_count = WholeNumberField("Episodes", validators=[Optional()])
    runtime_minutes = WholeNumberField("Runtime (minutes)", validators=[Optional()],
                                       description="Per episode for a series.")
    genres = CheckboxListField("Genres")
    new_genres = StringField("New genres", validators=[Optional(), Length(max=500)],
                             description="Genres not in the list above, separated by commas.")
    synopsis = TextAreaField("Synopsis", validators=[Optional(), Length(max=10_000)],
                             render_kw={"rows": 6})
    screener_url = _screener_field()
    # The name's extension is checked here, the content when the image is stored.
    image = FileField("Image", description="PNG, JPEG or WebP, at most 2 MB. "
                                           "Landscape (16:9) looks best.",
                      validators=[FileAllowed(["png", "jpg", "jpeg", "webp"],
                                              "The image must be a PNG, JPEG or WebP file.")],
                      render_kw={"accept": "image/png,image/jpeg,image/webp"})
    remove_image = BooleanField("Remove the current image")

    def fill_choices(self):
        self.genres.choices = choices((g.id, g.name) for g in db.session.scalars(
            catalogue.genres()))
        return self


class SeasonForm(FlaskForm):
    number = WholeNumberField("Season number", validators=[InputRequired(
        message="Enter the season number.")])
    title = StringField("Title", validators=[Optional(), Length(max=200)],
                        description="Leave empty to call it “Season <number>”.")
    year = WholeNumberField("Year", validators=[Optional()])
    screener_url = _screener_field()


class EpisodeForm(FlaskForm):
    number = WholeNumberField("Episode number", validators=[InputRequired(
        message="Enter the episode number.")])
    title = StringField("Title", validators=[Optional(), Length(max=200)])
    runtime_minutes = WholeNumberField("Runtime (minutes)", validators=[Optional()])
    synopsis = TextAreaField("Synopsis", validators=[Optional(), Length(max=10_000)],
                             render_kw={"rows": 4})
    screener_url = _screener_field()


class ImportForm(FlaskForm):
    form_token = HiddenField(default=form_tokens.new_token)
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to import."),
                                             FileAllowed(["csv"], "Choose a file ending in .csv.")],
                     render_kw={"accept": ".csv,text/csv"})
