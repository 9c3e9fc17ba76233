from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import BooleanField, HiddenField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation

from webapp import access
from webapp.extensions import db
from webapp.models import User
from webapp.services import form_tokens
from webapp.services.list_sharing import DEFAULT_DAYS, LONGEST_DAYS, MOST_VIEWS
from webapp.services.lists import KIND_LABELS, kinds_for
from webapp.web.forms import (
    DATABASE_INT_MAX,
    NONE_CHOICE,
    CheckboxListField,
    OptionalIdField,
    SelectField,
    WholeNumberField,
    choices,
)


def _catalogue_id(required: bool = False) -> WholeNumberField:
    return WholeNumberField(validators=[DataRequired() if required else Optional()], low=1,
                            high=DATABASE_INT_MAX, message="Choose from the catalogue.")


def _buyer_choices(user):
    buyers = db.session.scalars(access.buyers_looked_after_by(user)
                                .options(joinedload(User.company))).all()
    return [NONE_CHOICE, *choices(
        (b.id, f"{b.full_name} · {b.company.name}" if b.company else b.full_name)
        for b in buyers)]


class NewListForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind")
    buyer = OptionalIdField("For buyer", description="Buyer lists are built for one buyer.")

    def fill_choices(self, user):
        kinds = kinds_for(user)
        self.kind.choices = choices((k.value, KIND_LABELS[k]) for k in kinds)
        if len(kinds) == 1:
            self.kind.data = kinds[0].value
        self.buyer.choices = _buyer_choices(user) if "buyer" in kinds else [NONE_CHOICE]
        return self


class AddToListForm(FlaskForm):
    """Titles ticked in the catalogue or on a programme's page, added to one of the user's
    lists or to a new one. `items` are "programme:12", "season:3" or "episode:40"."""

    # Checked by the service ("Choose one of your lists"), not by the field, for a clear 422.
    target = OptionalIdField("Add to", description="One of your lists, or a new one.",
                             validate_choice=False)
    new_name = StringField("New list's name", validators=[Optional(), Length(max=200)])
    back = HiddenField()
    form_token = HiddenField(default=form_tokens.new_token)

    def fill_choices(self, user):
        lists = db.session.scalars(access.lists_to_add_to(user)).all()
        self.target.choices = [SelectChoice(0, "A new list (name it below)"),
                               *choices((pl.id, pl.name) for pl in lists)]
        return self


class RenameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])


class AddItemForm(FlaskForm):
    programme_id = _catalogue_id(required=True)
    season_id = _catalogue_id()
    episode_id = _catalogue_id()


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[DataRequired()])

    @property
    def offset(self) -> int:
        return {"up": -1, "down": 1, "top": -10**6, "bottom": 10**6}.get(self.direction.data, 0)


class ReorderForm(FlaskForm):
    order = HiddenField(validators=[DataRequired()])


class NoteForm(FlaskForm):
    note = TextAreaField("Note", validators=[Optional(), Length(max=5000)])
    # The version the note was read at: without it a save could overwrite someone else's.
    version = WholeNumberField(validators=[
        InputRequired(message="Reload the page and save again: the note's version is missing.")],
        low=0, message="Reload the page and save again: the note's version is not a valid one.")


class BuyerChoices(CheckboxListField):
    """Buyers ticked from a search: the boxes offered change with the search, so any id is
    taken here and the service checks each is the sharer's."""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class ShareForm(FlaskForm):
    buyers = BuyerChoices("Buyers", choices=[])
    emails = TextAreaField(
        "Email addresses (optional)", validators=[Optional(), Length(max=5000)],
        description="People without an account: one address a line, or separated by commas.")
    days = WholeNumberField("Link works for (days)", validators=[InputRequired(
        message="Say how many days the links work.")], low=1, high=LONGEST_DAYS,
        default=DEFAULT_DAYS)
    max_views = WholeNumberField("Views allowed per link (optional)", validators=[Optional()],
                                 low=1, high=MOST_VIEWS,
                                 description="Empty: as many as they like until it expires.")
    message = TextAreaField("Message (optional)", validators=[Optional(), Length(max=2000)])
    grant_access = BooleanField("Grant the buyers access to the restricted titles in this list")
    form_token = HiddenField(default=form_tokens.new_token)

    def chosen_buyers(self) -> list[User]:
        ids = self.buyers.data or []
        return db.session.scalars(select(User).where(User.id.in_(ids))).all() if ids else []
