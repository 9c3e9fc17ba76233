"""Jinja filters that write numbers, dates and times for the reader.

`plural` for counts; `day`, `moment` and `clock` for dates and times in the request's best
Accept-Language match among SUPPORTED_LOCALES (en_GB without a request, as in emails), so the
pages print dates the way the browser's own date pickers show them.
"""

from datetime import UTC, date, datetime, time
from functools import partial

from babel.dates import format_date, format_skeleton, format_time, get_datetime_format
from flask import g, has_request_context, request

DEFAULT_LOCALE = "en_GB"
SUPPORTED_LOCALES = ("en_GB", "en_US", "fr_FR", "de_DE", "es_ES")
WIDTHS = ("short", "medium", "long", "full")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """"1 buyer", "2 buyers", "1,204 buyers"; `plural_form` for words not made with an s."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


def request_locale() -> str:
    """The supported locale the request's Accept-Language asks for most; en_GB otherwise."""
    if not has_request_context():
        return DEFAULT_LOCALE
    if "locale" not in g:
        # Werkzeug matches "en-gb" to "en-GB", and a bare "fr" or "fr-CA" to "fr-FR".
        tags = [code.replace("_", "-") for code in SUPPORTED_LOCALES]
        best = request.accept_languages.best_match(tags, default=tags[0])
        g.locale = best.replace("-", "_")
    return g.locale


def _aware(value: datetime) -> datetime:
    # SQLite hands stored moments back naive, in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def day(value: date | datetime | None, format: str = "medium", locale: str | None = None) -> str:
    """A date: "9 Dec 2026" (en_GB), "Dec 9, 2026" (en_US). `format` is a width (short,
    medium, long, full) or a CLDR skeleton such as "EEE" or "yMMM"."""
    if value is None:
        return ""
    locale = locale or request_locale()
    if isinstance(value, datetime):
        value = _aware(value)
        if format not in WIDTHS:
            return format_skeleton(format, value, tzinfo=value.tzinfo, locale=locale)
        value = value.date()
    elif format not in WIDTHS:
        return format_skeleton(format, value, locale=locale)
    return format_date(value, format, locale=locale)


def clock(value: datetime | time | None, locale: str | None = None) -> str:
    """A time of day in the locale's short form: "14:30" (en_GB), "2:30 PM" (en_US)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _aware(value)
        return format_time(value, "short", tzinfo=value.tzinfo, locale=locale or request_locale())
    return format_time(value, "short", locale=locale or request_locale())


def moment(value: datetime | None, format: str = "medium", locale: str | None = None) -> str:
    """A date and time in the datetime's own time zone: "9 Dec 2026, 14:30" (en_GB),
    "Dec 9, 2026, 2:30 PM" (en_US); `format` is the date's width."""
    if value is None:
        return ""
    locale = locale or request_locale()
    return get_datetime_format(format, locale=locale).format(
        clock(value, locale=locale), day(value, format, locale=locale))


def fixed_locale_filters(locale: str = DEFAULT_LOCALE) -> dict:
    """The date filters bound to one locale, for text that is not read in a browser (emails,
    rendered while a request from any locale is being answered)."""
    return {function.__name__: partial(function, locale=locale)
            for function in (day, clock, moment)}


def init_app(app) -> None:
    for function in (plural, day, clock, moment):
        app.add_template_filter(function)
