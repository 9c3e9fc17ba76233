from datetime import UTC, date, datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import DateField, SearchField, SelectChoice
from wtforms.validators import Length, Optional

from webapp import access
from webapp.models import Region, Territory, User
from webapp.services.reporting import LONGEST_PERIOD, ReportFilters
from webapp.web.forms import OptionalIdField, SelectField, choices, named_choices, people_choices

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
DEFAULT_DAYS = 90
FILTER_NAMES = ("start", "end", "am", "territory", "region", "company", "q", "interval")


class ReportFilterForm(FlaskForm):
    """The filters every report takes, read from the query string."""

    class Meta:
        csrf = False

    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])
    am = OptionalIdField("Account Manager")
    territory = OptionalIdField("Territory")
    region = OptionalIdField("Region")
    company = SearchField("Company", validators=[Optional(), Length(max=200)])
    q = SearchField("Buyer", validators=[Optional(), Length(max=200)])
    interval = SelectField("Chart by", default="auto", choices=choices(
        [("auto", "Day or week"), ("day", "Day"), ("week", "Week")]))

    def fill_choices(self, viewer: User):
        self.am.choices = [SelectChoice(0, "Any Account Manager"),
                           *people_choices(access.report_account_managers(viewer))]
        self.territory.choices = [SelectChoice(0, "Any territory"), *named_choices(Territory)]
        self.region.choices = [SelectChoice(0, "Any region"), *named_choices(Region)]
        return self

    def _in_range(self, field):
        if field.data is not None and not EARLIEST <= field.data <= LATEST:
            field.errors.append(f"Choose a date between {EARLIEST.year} and {LATEST.year}.")
            return False
        return True

    def period(self) -> tuple[date, date] | None:
        """The period asked for, with defaults for a missing end; None (with errors) if bad."""
        if not (self._in_range(self.start) and self._in_range(self.end)):
            return None
        today = datetime.now(UTC).date()
        end = self.end.data or max(today, self.start.data or today)
        start = self.start.data or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            self.end.errors.append("The end date must be on or after the start date.")
            return None
        if (end - start).days + 1 > LONGEST_PERIOD:
            self.end.errors.append(
                f"Choose a period of at most {LONGEST_PERIOD // 366} years.")
            return None
        return start, end

    def filters(self) -> ReportFilters | None:
        """The report filters; None when one is invalid (the form then holds the errors)."""
        valid = self.validate()
        period = self.period() if not (self.start.errors or self.end.errors) else None
        if not valid or period is None:
            return None
        self.start.data, self.end.data = period  # the form shows the period reported on
        return ReportFilters(start=period[0], end=period[1],
                             account_manager_id=self.am.data or 0,
                             territory_id=self.territory.data or 0,
                             region_id=self.region.data or 0,
                             company=(self.company.data or "").strip(),
                             search=(self.q.data or "").strip(),
                             interval=self.interval.data or "auto")

    @property
    def problems(self) -> list[str]:
        return [f"{getattr(self, name).label.text}: {error}"
                for name, errors in self.errors.items() if name for error in errors]
