"""The catalogue: searching it, and keeping programmes, seasons and episodes valid.

Every check lives here, so the admin forms, the CSV import and any later caller refuse the
same things with the same words. Callers commit.
"""

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from webapp import access
from webapp.extensions import db
from webapp.models import PROGRAMME_TYPES, Episode, Genre, Programme, Season, programme_genres
from webapp.search import text_matches
from webapp.services import DomainError

MAX_COUNT = 10_000  # episodes, minutes, numbers: well past any real programme, inside INT
MAX_SYNOPSIS = 10_000
GENRE_SEPARATORS = re.compile(r"[;|,]")
SCREENER_KINDS = {"programme": Programme, "season": Season, "episode": Episode}


class InvalidFields(DomainError):
    """Several fields are wrong at once; `problems` holds one DomainError per field."""

    def __init__(self, problems: list[DomainError]):
        super().__init__(str(problems[0]), field=problems[0].field)
        self.problems = problems


# --- Searching ---------------------------------------------------------------------------


def programme_search(q: str = "", genre_id: int = 0, programme_type: str = "") -> Select:
    """Programmes whose title contains `q` (case-insensitive, wildcards taken literally),
    optionally of one genre and one type, by title, with their genres loaded."""
    query = (select(Programme).options(selectinload(Programme.genres))
             .order_by(Programme.title, Programme.id))
    q = _without_nul(q)
    if q.strip():
        query = query.where(text_matches(Programme.title, q))
    if genre_id:
        query = query.where(Programme.genres.any(Genre.id == genre_id))
    if programme_type:
        query = query.where(Programme.programme_type == programme_type)
    return query


def genres() -> Select:
    """Every genre, by name."""
    return select(Genre).order_by(Genre.name)


def genres_in_use() -> Select:
    """Genres at least one programme has, by name (what is worth filtering by)."""
    return genres().where(Genre.id.in_(select(programme_genres.c.genre_id)))


def programme_with_seasons(programme_id: int) -> Programme | None:
    """A programme with its genres, seasons and episodes loaded for its page."""
    return db.session.scalar(
        select(Programme).where(Programme.id == programme_id).options(
            selectinload(Programme.genres),
            selectinload(Programme.seasons).selectinload(Season.episodes)))


def screener_url_of(kind: str, item_id: int) -> str | None:
    """The screener link of a programme, season or episode; None when it has none."""
    model = SCREENER_KINDS.get(kind)
    item = db.session.get(model, item_id) if model else None
    url = item.screener_url if item is not None else None
    return url if url and (_is_web_url(url) or _is_site_path(url)) else None


def image_visible(viewer, image_path: str) -> bool:
    """An uploaded image may be shown unless it is only the image of programmes the viewer
    may not see."""
    owners = select(Programme.id).where(Programme.image_path == image_path)
    if db.session.scalar(owners.limit(1)) is None:
        return True
    return db.session.scalar(owners.where(access.programme_visible(viewer)).limit(1)) \
        is not None


# --- Checks ------------------------------------------------------------------------------


def _without_nul(value) -> str:
    """The text without NUL characters, which PostgreSQL refuses in any text column."""
    return str(value or "").replace("\x00", "")



def _text(value, field: str, label: str, max_length: int, required=False) -> str:
    value = " ".join(_without_nul(value).split())
    if required and not value:
        raise DomainError(f"Enter a {label.lower()}.", field=field)
    if len(value) > max_length:
        raise DomainError(f"{label} is too long (at most {max_length} characters).", field=field)
    return value


def _number(value, field: str, label: str, low: int = 1, high: int = MAX_COUNT) -> int | None:
    """An optional whole number between low and high; strings (from a CSV) are parsed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(value.strip()) if isinstance(value, str) else int(value)
    except ValueError:
        raise DomainError(f"{label} must be a whole number, not “{value}”.",
                          field=field) from None
    if not low <= number <= high:
        message = (f"{label} must be between {low} and {high}." if low != 1
                   else f"{label} must be a positive whole number (at most {high:,}).")
        raise DomainError(message, field=field)
    return number


def _year(value, field="year") -> int | None:
    return _number(value, field, "Year", 1900, datetime.now(UTC).year + 1)


def _synopsis(value, field="synopsis") -> str:
    text = _without_nul(value).strip().replace("\r\n", "\n")
    if len(text) > MAX_SYNOPSIS:
        raise DomainError(f"The synopsis is too long (at most {MAX_SYNOPSIS:,} characters).",
                          field=field)
    return text


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(
        ch.isspace() or ord(ch) < 32 for ch in url)


VIDEO_FILE_TYPES = (".mp4", ".m4v", ".mov", ".webm", ".ogv")


def is_video_file(url: str | None) -> bool:
    """Whether a screener link is a video file a browser plays itself (by its extension):
    the in-meeting view plays those inline and opens any other link in a new tab."""
    return bool(url) and urlsplit(url).path.lower().endswith(VIDEO_FILE_TYPES)


def _is_site_path(url: str) -> bool:
    """A file on this site, such as a screener under /media/."""
    return url.startswith("/") and not url.startswith("//") and "\\" not in url and not any(
        ch.isspace() or ord(ch) < 32 for ch in url)


def _screener(value, field="screener_url") -> str | None:
    url = (value or "").strip()
    if not url:
        return None
    if len(url) > 500:
        raise DomainError("The screener link is too long (at most 500 characters).", field=field)
    try:
        valid = _is_web_url(url) or _is_site_path(url)
    except ValueError:  # urlsplit refuses some malformed hosts, such as "http://[oops"
        valid = False
    if not valid:
        raise DomainError("The screener link must be a web address starting with http:// "
                          "or https://, or a path on this site.", field=field)
    return url


def _programme_type(value) -> str:
    wanted = " ".join(str(value or "").split()).casefold()
    for name in PROGRAMME_TYPES:
        if name.casefold() == wanted:
            return name
    if not wanted:
        raise DomainError("Choose a programme type.", field="programme_type")
    raise DomainError(f"“{value}” is not a programme type. Use one of: "
                      f"{', '.join(PROGRAMME_TYPES)}.", field="programme_type")


def _genre_names(names: Iterable[str]) -> list[str]:
    cleaned, seen = [], set()
    for name in names:
        name = _text(name, "genres", "A genre name", 120)
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            cleaned.append(name)
    return cleaned


def split_genres(text: str) -> list[str]:
    """Genre names typed in one field, separated by commas, semicolons or bars."""
    return [name for name in GENRE_SEPARATORS.split(text or "") if name.strip()]


class _Checks:
    """Runs each check, collecting every problem instead of stopping at the first."""

    def __init__(self):
        self.problems: list[DomainError] = []

    def __call__(self, check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except DomainError as problem:
            self.problems.append(problem)
            return None

    def raise_problems(self):
        if self.problems:
            raise InvalidFields(self.problems)


# --- Genres ------------------------------------------------------------------------------


def find_or_create_genres(names: Iterable[str]) -> list[Genre]:
    """The genres with these names, matched case-insensitively, created when missing."""
    found = []
    for name in _genre_names(names):
        genre = db.session.scalar(select(Genre).where(Genre.name_key == name.casefold()))
        if genre is None:
            genre = Genre(name=name)
            db.session.add(genre)
            db.session.flush()
        found.append(genre)
    return found


# --- Programmes --------------------------------------------------------------------------


def _check_not_duplicate(title: str, programme_type: str, year: int | None,
                         exclude_id: int | None) -> None:
    query = select(Programme.id).where(
        func.lower(Programme.title) == title.lower(),
        Programme.programme_type == programme_type,
        Programme.year.is_(None) if year is None else Programme.year == year)
    if exclude_id is not None:
        query = query.where(Programme.id != exclude_id)
    if db.session.scalar(query.limit(1)) is not None:
        when = f" from {year}" if year else ""
        raise DomainError(f"The catalogue already has a {programme_type.lower()} called "
                          f"“{title}”{when}.", field="title")


def _apply_programme(programme: Programme, *, title, programme_type, genres=(), year=None,
                     episode_count=None, runtime_minutes=None, synopsis="",
                     screener_url=None) -> Programme:
    check = _Checks()
    values = {
        "title": check(_text, title, "title", "Title", 200, required=True),
        "programme_type": check(_programme_type, programme_type),
        "year": check(_year, year),
        "episode_count": check(_number, episode_count, "episode_count", "Episodes"),
        "runtime_minutes": check(_number, runtime_minutes, "runtime_minutes", "Runtime"),
        "synopsis": check(_synopsis, synopsis),
        "screener_url": check(_screener, screener_url),
    }
    genre_names = check(_genre_names, genres)
    check.raise_problems()
    _check_not_duplicate(values["title"], values["programme_type"], values["year"],
                         programme.id)
    for name, value in values.items():
        setattr(programme, name, value)
    programme.genres = find_or_create_genres(genre_names)
    db.session.add(programme)
    db.session.flush()
    return programme


def create_programme(**fields) -> Programme:
    """A new programme. Fields: title, programme_type, genres (names), year, episode_count,
    runtime_minutes, synopsis, screener_url. Raises InvalidFields listing every problem."""
    return _apply_programme(Programme(), **fields)


def update_programme(programme: Programme, **fields) -> Programme:
    """Change a programme's details (the same fields as create_programme)."""
    return _apply_programme(programme, **fields)


def set_programme_image(programme: Programme, image_path: str | None) -> str | None:
    """Point the programme at a stored image (or none); returns the path it replaced, for
    the caller to discard once the change is committed."""
    previous = programme.image_path
    programme.image_path = image_path
    db.session.flush()
    return previous if previous != image_path else None


def delete_programme(programme: Programme) -> str | None:
    """Delete a programme with its seasons and episodes (lists lose it too); returns its
    image path, for the caller to discard once the deletion is committed."""
    image_path = programme.image_path
    db.session.delete(programme)
    db.session.flush()
    return image_path


# --- Seasons and episodes ----------------------------------------------------------------


def next_season_number(programme: Programme) -> int:
    return max((s.number for s in programme.seasons), default=0) + 1


def next_episode_number(season: Season) -> int:
    return max((e.number for e in season.episodes), default=0) + 1


def _number_required(value, label: str, high: int) -> int:
    number = _number(value, "number", label, 1, high)
    if number is None:
        raise DomainError(f"Enter the {label.lower()}.", field="number")
    return number


def create_season(programme: Programme, **fields) -> Season:
    """A new season of `programme`. Fields: number, title, year, screener_url."""
    return _save_season(None, programme, **fields)


def update_season(season: Season, **fields) -> Season:
    return _save_season(season, season.programme, **fields)


def _save_season(season: Season | None, programme: Programme, *, number, title="", year=None,
                 screener_url=None) -> Season:
    """Numbers are unique within a programme."""
    check = _Checks()
    number = check(_number_required, number, "Season number", 1000)
    values = {"title": check(_text, title, "title", "Title", 200),
              "year": check(_year, year), "screener_url": check(_screener, screener_url)}
    check.raise_problems()
    clash = select(Season.id).where(Season.programme_id == programme.id,
                                    Season.number == number)
    if season is not None:
        clash = clash.where(Season.id != season.id)
    if db.session.scalar(clash) is not None:
        raise DomainError(f"{programme.title} already has a season {number}.", field="number")
    season = season or Season(programme=programme)
    season.number = number
    for name, value in values.items():
        setattr(season, name, value)
    db.session.add(season)
    db.session.flush()
    return season


def create_episode(season: Season, **fields) -> Episode:
    """A new episode of `season`. Fields: number, title, runtime_minutes, synopsis,
    screener_url."""
    return _save_episode(None, season, **fields)


def update_episode(episode: Episode, **fields) -> Episode:
    return _save_episode(episode, episode.season, **fields)


def _save_episode(episode: Episode | None, season: Season, *, number, title="",
                  runtime_minutes=None, synopsis="", screener_url=None) -> Episode:
    """Numbers are unique within a season."""
    check = _Checks()
    number = check(_number_required, number, "Episode number", MAX_COUNT)
    values = {"title": check(_text, title, "title", "Title", 200),
              "runtime_minutes": check(_number, runtime_minutes, "runtime_minutes", "Runtime"),
              "synopsis": check(_synopsis, synopsis),
              "screener_url": check(_screener, screener_url)}
    check.raise_problems()
    clash = select(Episode.id).where(Episode.season_id == season.id, Episode.number == number)
    if episode is not None:
        clash = clash.where(Episode.id != episode.id)
    if db.session.scalar(clash) is not None:
        raise DomainError(f"{season} already has an episode {number}.", field="number")
    episode = episode or Episode(season=season)
    episode.number = number
    for name, value in values.items():
        setattr(episode, name, value)
    db.session.add(episode)
    db.session.flush()
    return episode


def delete_season(season: Season) -> None:
    """Delete a season and its episodes."""
    db.session.delete(season)
    db.session.flush()


def delete_episode(episode: Episode) -> None:
    db.session.delete(episode)
    db.session.flush()
