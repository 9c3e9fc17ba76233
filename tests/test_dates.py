"""Dates and times follow the reader's language: the request's best Accept-Language match
among the supported locales, en_GB otherwise (and always in emails)."""

from datetime import UTC, date, datetime

import pytest

from tests import factories as f
from webapp.extensions import db
from webapp.mail.service import _template_environments
from webapp.models import Meeting, MeetingStatus
from webapp.web.formatting import clock, day, moment

pytestmark = pytest.mark.usefixtures("ctx")

# Tuesday 9 March 2027, 14:30 in London (GMT, so 14:30 UTC).
STARTS = datetime(2027, 3, 9, 14, 30, tzinfo=UTC)
NNBSP = "\u202f"  # CLDR puts a narrow no-break space before AM and PM


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def meeting():
    host = f.account_manager(first_name="Bob")
    item = Meeting(title="Alpenblick × Bob", host=host, created_by=host,
                   status=MeetingStatus.SCHEDULED, timezone="Europe/London", starts_at=STARTS,
                   attendees=[f.buyer()])
    db.session.add(item)
    db.session.commit()
    return item


def index() -> str:
    """The index's tab the meeting is on: upcoming until its day (UTC), past after it."""
    return "/meetings" if STARTS.date() >= datetime.now(UTC).date() else "/meetings?tab=past"


def page_in(client, login, meeting, url, language=None):
    login(meeting.host)
    headers = {"Accept-Language": language} if language is not None else {}
    return text(client.get(url, headers=headers))


@pytest.mark.parametrize("language, expected", [
    ("en-GB,en;q=0.9", "Tuesday, 9 March 2027, 14:30"),
    ("en-US,en;q=0.9", f"Tuesday, March 9, 2027, 2:30{NNBSP}PM"),
    ("de-DE,de;q=0.9", "Dienstag, 9. März 2027, 14:30"),
    ("fr", "mardi 9 mars 2027"),
])
def test_the_meeting_page_writes_its_time_in_the_readers_locale(
        client, login, meeting, language, expected):
    page = page_in(client, login, meeting, f"/meetings/{meeting.id}", language)
    assert expected in page
    assert '<time datetime="2027-03-09T14:30:00+00:00">' in page


def test_the_meetings_index_under_en_us_and_en_gb(client, login, meeting):
    british = page_in(client, login, meeting, index(), "en-GB")
    american = page_in(client, login, meeting, index(), "en-US")
    assert "Tue, 9 Mar 2027<br><strong>14:30</strong>" in british
    assert f"Tue, Mar 9, 2027<br><strong>2:30{NNBSP}PM</strong>" in american
    assert "Mar 9, 2027" not in british and "9 Mar 2027" not in american


@pytest.mark.parametrize("language", [None, "", "ja-JP,ja;q=0.9", "xx", "*"])
def test_an_unknown_or_missing_language_falls_back_to_en_gb(client, login, meeting, language):
    page = page_in(client, login, meeting, index(), language)
    assert "Tue, 9 Mar 2027<br><strong>14:30</strong>" in page


def test_the_best_supported_match_wins_over_an_unsupported_first_choice(client, login, meeting):
    page = page_in(client, login, meeting, index(), "ja-JP, es-ES;q=0.8, en-US;q=0.5")
    assert "mar, 9 mar 2027" in page


def test_the_filters_in_each_supported_locale():
    assert [day(date(2026, 12, 9), locale=code) for code in
            ("en_GB", "en_US", "fr_FR", "de_DE", "es_ES")] == [
        "9 Dec 2026", "Dec 9, 2026", "9 déc. 2026", "09.12.2026", "9 dic 2026"]
    assert clock(STARTS, locale="en_US") == f"2:30{NNBSP}PM"
    assert moment(STARTS, locale="en_GB") == "9 Mar 2027, 14:30"


def test_a_stored_naive_moment_is_read_as_utc():
    assert moment(datetime(2027, 3, 9, 14, 30), locale="en_GB") == "9 Mar 2027, 14:30"


def test_without_a_request_dates_are_en_gb():
    assert day(date(2026, 12, 9)) == "9 Dec 2026"


def test_emails_keep_en_gb_whoever_queues_them(app):
    with app.test_request_context(headers={"Accept-Language": "en-US"}):
        assert day(date(2026, 12, 9)) == "Dec 9, 2026"
        for environment in _template_environments().values():
            assert environment.from_string("{{ d|day }}").render(d=date(2026, 12, 9)) == (
                "9 Dec 2026")
