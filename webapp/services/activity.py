"""Recording what buyers do, for reporting; and the signed links that count email clicks.

The API other code uses:

- ``record(user, kind, *, programme_id=None, list_id=None, meeting_id=None, source=None,
  interest=None, at=None)`` adds an event in the caller's transaction: it is saved when the
  caller commits and dropped if it rolls back: for domain operations that commit.
- ``record_for_each(user_ids, kind, ...)`` does the same for each buyer among several users
  (a list or a select of ids) in a few statements whatever their number: a meeting being
  started (``EventKind.MEETING_ATTENDED`` for each buyer attendee, with meeting_id) or an
  interest mark (``EventKind.INTEREST_MARKED`` with programme_id, meeting_id and
  interest=+1 or -1), a card shown in present mode (``EventKind.PROGRAMME_SHOWN`` with
  programme_id, meeting_id and seconds) or a programme in a summary sent
  (``EventKind.SUMMARY_INCLUDED``); those two have no daily rollup.
- ``record_now(...)``, same arguments as ``record``, saves the event at once in a short
  transaction of its own: for pages whose own work does not commit (a programme page
  viewed, a screener played).

  All three ignore anyone who is not a buyer (internal users are never counted) and never raise:
  a failure is logged and the caller's page carries on.
- ``tracked_link(recipient, target_url, *, source, meeting_id=None, list_id=None,
  programme_id=None) -> str``: an absolute URL (``/r/<signed token>``) for an email to
  `recipient`. Opening it records an ``EMAIL_CLICK`` (``source``: ``EmailSource.MEETING_SUMMARY``
  or ``EmailSource.LIST_SHARE``) for the recipient and redirects to `target_url`, which must
  be a page of this site or the screener link stored on the programme (or one of its seasons
  or episodes). The token is signed with the app's SECRET_KEY: a changed token records
  nothing and leads to the start page.
- ``record_link_event(share, kind, programme_id=None)`` records, in the caller's
  transaction, a view of a shared list or a screener played through a recipient's personal
  link (``ShareLinkEvent``, whoever the recipient), and for a registered buyer the same
  ``LIST_VIEW`` or ``SCREENER_PLAY`` in their activity.
- ``EventKind`` and ``EmailSource`` (from webapp.models) name the kinds and sources.

Each event also adds one to its buyer's ActivityDay row for that UTC day, to that day's
ActivityTotalDay row (every buyer), and, for a programme viewed, played or given a thumbs
up, to the programme's ActivityProgrammeDay row, in the same transaction, so the rollups
never drift from the events; ``rebuild_activity_days()`` recomputes them from the events
after bulk loads.
"""

import logging
from collections import Counter
from datetime import UTC, datetime
from functools import cache
from urllib.parse import urlsplit, urlunsplit

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import Date, case, cast, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from webapp import access
from webapp.extensions import db
from webapp.mail.service import absolute_url
from webapp.models import (
    DAY_COLUMNS,
    PROGRAMME_DAY_COLUMNS,
    ActivityDay,
    ActivityEvent,
    ActivityProgrammeDay,
    ActivityTotalDay,
    EmailSource,
    Episode,
    EventKind,
    LinkEventKind,
    ListShare,
    Meeting,
    Programme,
    ProgrammeList,
    Season,
    ShareLinkEvent,
    User,
)

log = logging.getLogger(__name__)

__all__ = ["EmailSource", "EventKind", "follow_link", "rebuild_activity_days", "record",
           "record_for_each", "record_link_event", "record_now", "record_screener_play",
           "tracked_link"]

LINK_SALT = "activity.tracked-link"
# A plain INSERT of the table rather than the ORM's bulk insert of the model: nothing reads
# the new events back as objects.
EVENTS_INSERT = insert(ActivityEvent.__table__)
LONGEST_TOKEN = 4000


def is_tracked(user) -> bool:
    """Only buyers' activity is recorded; internal users (any other role) never are."""
    # Anonymous visitors have no roles at all (and no is_buyer).
    return bool(getattr(user, "is_buyer", False) and not user.is_internal)


def _event_values(user_id: int, kind: EventKind, at: datetime | None, refs: dict) -> dict:
    at = (at or datetime.now(UTC)).astimezone(UTC)
    return {"user_id": user_id, "kind": EventKind(kind).value, "occurred_at": at, **refs}


def _add(dialect: str, table, column: str, rows: list[dict]) -> tuple:
    """(statement, rows) adding each row's `column` count to the `table` row with the same
    primary key, creating it (other counts 0) when there is none; rows with `last_at` also
    keep the latest time. The rows' keys must differ: PostgreSQL updates a row once per
    statement."""
    counts = [c.name for c in table.c if not c.primary_key and c.name != "last_at"]
    return _adding(dialect, table, column), [{**dict.fromkeys(counts, 0), **row} for row in rows]


@cache
def _adding(dialect: str, table, column: str):
    """The statement of _add, built once per table and column: SQLAlchemy then works out its
    cache key once, not for each event recorded."""
    statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)
    changes = {column: table.c[column] + statement.excluded[column]}
    if "last_at" in table.c:
        later = statement.excluded.last_at > table.c.last_at
        changes["last_at"] = case((later, statement.excluded.last_at), else_=table.c.last_at)
    return statement.on_conflict_do_update(index_elements=list(table.primary_key.columns),
                                           set_=changes)


def _rollups(dialect: str, events: list[dict]):
    """The rollup updates for events of one kind at one moment (one per buyer): each buyer's
    day, every buyer's day and, for what buyers did with a programme, the programme's day."""
    first = events[0]
    kind, at = EventKind(first["kind"]), first["occurred_at"]
    if kind not in DAY_COLUMNS:  # the presenting funnel's kinds have no daily rollup
        return
    day, column = at.date(), DAY_COLUMNS[kind]
    buyers = Counter(values["user_id"] for values in events)
    yield _add(dialect, ActivityDay.__table__, column,
               [{"user_id": user_id, "day": day, column: count, "last_at": at}
                for user_id, count in buyers.items()])
    yield _add(dialect, ActivityTotalDay.__table__, column, [{"day": day, column: len(events)}])
    counted = kind in PROGRAMME_DAY_COLUMNS and (
        kind != EventKind.INTEREST_MARKED or (first.get("interest") or 0) > 0)
    if counted and first.get("programme_id"):
        programme_column = PROGRAMME_DAY_COLUMNS[kind]
        yield _add(dialect, ActivityProgrammeDay.__table__, programme_column,
                   [{"programme_id": first["programme_id"], "day": day,
                     programme_column: len(events)}])


def _write(connection, dialect: str, events: list[dict]) -> None:
    """Events of one kind at one moment, and their rollups, in four statements at most:
    `connection` is the session or a connection."""
    connection.execute(EVENTS_INSERT, events)
    for statement, rows in _rollups(dialect, events):
        connection.execute(statement, rows)


def _refs(programme_id, list_id, meeting_id, source, interest, seconds=None) -> dict:
    return {"programme_id": programme_id, "list_id": list_id, "meeting_id": meeting_id,
            "source": EmailSource(source).value if source else None, "interest": interest,
            "seconds": seconds}


def record(user: User, kind: EventKind, *, programme_id: int | None = None,
           list_id: int | None = None, meeting_id: int | None = None,
           source: str | None = None, interest: int | None = None,
           at: datetime | None = None) -> None:
    """Record an event in the caller's transaction (saved by the caller's commit)."""
    try:
        if is_tracked(user):
            _record([user.id], kind, at, _refs(programme_id, list_id, meeting_id, source,
                                               interest))
    except Exception:  # recording must never break what the user is doing
        log.exception("could not record %s activity for user %s", kind, getattr(user, "id", None))


def record_for_each(user_ids, kind: EventKind, *, programme_id: int | None = None,
                    list_id: int | None = None, meeting_id: int | None = None,
                    source: str | None = None, interest: int | None = None,
                    seconds: int | None = None, at: datetime | None = None) -> None:
    """Record the same event, in the caller's transaction, for each buyer among `user_ids`
    (a list or a select of ids, e.g. a meeting's attendees): a fixed number of statements
    whatever their number. `seconds`: how long a programme was shown (PROGRAMME_SHOWN)."""
    try:
        buyers = db.session.scalars(select(User.id).where(
            User.id.in_(user_ids), access.is_external_buyer()).order_by(User.id)).all()
        if buyers:
            _record(buyers, kind, at, _refs(programme_id, list_id, meeting_id, source,
                                            interest, seconds))
    except Exception:  # recording must never break what the user is doing
        log.exception("could not record %s activity for several buyers", kind)


def _record(user_ids: list[int], kind: EventKind, at: datetime | None, refs: dict) -> None:
    at = (at or datetime.now(UTC)).astimezone(UTC)
    events = [_event_values(user_id, kind, at, refs) for user_id in user_ids]
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        # A failed statement spoils a PostgreSQL transaction: contain it in a savepoint.
        with db.session.begin_nested():
            _write(db.session, dialect, events)
    else:
        _write(db.session, dialect, events)


def record_now(user: User, kind: EventKind, *, programme_id: int | None = None,
               list_id: int | None = None, meeting_id: int | None = None,
               source: str | None = None, interest: int | None = None,
               at: datetime | None = None) -> None:
    """Record an event at once, in a transaction of its own."""
    try:
        if not is_tracked(user):
            return
        values = _event_values(user.id, kind, at, _refs(programme_id, list_id, meeting_id,
                                                        source, interest))
        with db.engine.begin() as connection:
            _write(connection, connection.dialect.name, [values])
    except Exception:  # recording must never break what the user is doing
        log.exception("could not record %s activity for user %s", kind, getattr(user, "id", None))


def record_screener_play(user: User, kind: str, item_id: int) -> None:
    """A screener of a programme, season or episode was opened: count it for the programme."""
    if not is_tracked(user):
        return
    query = {
        "programme": select(Programme.id).where(Programme.id == item_id),
        "season": select(Season.programme_id).where(Season.id == item_id),
        "episode": select(Season.programme_id).join(Episode, Episode.season_id == Season.id)
        .where(Episode.id == item_id),
    }.get(kind)
    programme_id = db.session.scalar(query) if query is not None else None
    record_now(user, EventKind.SCREENER_PLAY, programme_id=programme_id)


def record_link_event(share: ListShare, kind: LinkEventKind, *,
                      programme_id: int | None = None) -> None:
    """A view or play through a share's personal link, in the caller's transaction: kept
    against the share for every recipient, and in a registered buyer's activity."""
    at = datetime.now(UTC)
    db.session.add(ShareLinkEvent(share_id=share.id, kind=LinkEventKind(kind).value,
                                  programme_id=programme_id, occurred_at=at))
    if share.buyer is not None:
        buyer_kind = (EventKind.LIST_VIEW if kind == LinkEventKind.LIST_VIEW
                      else EventKind.SCREENER_PLAY)
        record(share.buyer, buyer_kind, list_id=share.list_id, programme_id=programme_id,
               at=at)


# --- Tracked links in emails --------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def _own_path(url: str) -> str | None:
    """The path (with query and fragment) of a URL on this site; None for anywhere else."""
    parts = urlsplit(url)
    if any(ch.isspace() or ord(ch) < 32 for ch in url) or "\\" in url:
        return None
    if parts.scheme or parts.netloc:
        base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return None
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))


def _screener_urls(programme_id: int | None) -> set[str]:
    """Every screener link stored on the programme, its seasons and its episodes."""
    if not programme_id:
        return set()
    rows = db.session.scalars(
        select(Programme.screener_url).where(Programme.id == programme_id)
        .union_all(select(Season.screener_url).where(Season.programme_id == programme_id),
                   select(Episode.screener_url).join(Season, Episode.season_id == Season.id)
                   .where(Season.programme_id == programme_id)))
    return {url for url in rows if url}


def _safe_target(target: str, programme_id: int | None) -> str | None:
    """The target if a link may lead there: this site, or the programme's screener."""
    if not isinstance(target, str) or not target:
        return None
    own = _own_path(target)
    if own is not None:
        return own
    return target if target in _screener_urls(programme_id) else None


def tracked_link(recipient: User, target_url: str, *, source: str,
                 meeting_id: int | None = None, list_id: int | None = None,
                 programme_id: int | None = None) -> str:
    """An absolute link that counts a click for `recipient`, then leads to `target_url`.

    A target that is neither on this site nor the programme's screener is not wrapped (and
    is logged): the email keeps working, and no link can be made to lead elsewhere.
    """
    target = _safe_target(target_url, programme_id)
    if target is None:
        log.warning("not tracking a link to %r: not this site nor the programme's screener",
                    target_url)
        return target_url
    payload = [recipient.id, target, EmailSource(source).value, meeting_id, list_id,
               programme_id]
    return absolute_url("reporting.click", token=_serializer().dumps(payload))


def _existing(model, ident) -> int | None:
    return ident if isinstance(ident, int) and db.session.get(model, ident) else None


def follow_link(token: str, clicker: User | None) -> str | None:
    """Where a tracked link leads; records the click for the link's recipient.

    None for a token that was not signed here (changed, truncated, made up). A link opened
    by someone signed in as another user (a forwarded email) leads on but records nothing.
    """
    if len(token) > LONGEST_TOKEN:
        return None
    try:
        payload = _serializer().loads(token)
    except BadData:
        return None
    if not (isinstance(payload, list) and len(payload) == 6):
        return None
    recipient_id, target, source, meeting_id, list_id, programme_id = payload
    target = _safe_target(target, programme_id if isinstance(programme_id, int) else None)
    if target is None or source not in set(EmailSource) or not isinstance(recipient_id, int):
        return None
    if _own_path(target) is None and not _may_watch(recipient_id, programme_id):
        return None  # a screener straight from an email: only if the recipient may see it
    if clicker is None or clicker.id == recipient_id:
        recipient = db.session.get(User, recipient_id)
        if recipient is not None:
            record_now(recipient, EventKind.EMAIL_CLICK, source=source,
                       meeting_id=_existing(Meeting, meeting_id),
                       list_id=_existing(ProgrammeList, list_id),
                       programme_id=_existing(Programme, programme_id))
    return target


def _may_watch(recipient_id: int, programme_id) -> bool:
    recipient = db.session.get(User, recipient_id)
    return (recipient is not None and isinstance(programme_id, int)
            and access.may_see_programme(recipient, programme_id))


# --- The daily rollup ---------------------------------------------------------------------


def utc_day(column, dialect: str):
    """The UTC calendar day of a timestamp column, in SQL."""
    if dialect == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)  # SQLite keeps the UTC time as text


def rebuild_activity_days(since=None) -> None:
    """Recompute the rollups from the events (all, or from the day `since` on)."""
    dialect = db.session.get_bind().dialect.name
    event = ActivityEvent
    day = utc_day(event.occurred_at, dialect)
    counts = [func.sum(case((event.kind == kind.value, 1), else_=0)) for kind in DAY_COLUMNS]
    per_buyer = (select(event.user_id, day, *counts, func.max(event.occurred_at))
                 .group_by(event.user_id, day))
    liked = (event.interest > 0) | (event.kind != EventKind.INTEREST_MARKED.value)
    per_programme = (select(event.programme_id, day,
                            *(func.sum(case((event.kind == kind.value, 1), else_=0))
                              for kind in PROGRAMME_DAY_COLUMNS))
                     .where(event.programme_id.is_not(None), liked,
                            event.kind.in_([kind.value for kind in PROGRAMME_DAY_COLUMNS]))
                     .group_by(event.programme_id, day))
    every_buyer = (select(ActivityDay.day, *(func.sum(ActivityDay.__table__.c[column])
                                             for column in DAY_COLUMNS.values()))
                   .group_by(ActivityDay.day))
    tables = (ActivityDay, ActivityProgrammeDay, ActivityTotalDay)
    if since is not None:
        start = datetime(since.year, since.month, since.day, tzinfo=UTC)
        per_buyer = per_buyer.where(event.occurred_at >= start)
        per_programme = per_programme.where(event.occurred_at >= start)
        every_buyer = every_buyer.where(ActivityDay.day >= since)
    for table in tables:
        db.session.execute(delete(table) if since is None else
                           delete(table).where(table.day >= since))
    db.session.execute(insert(ActivityDay).from_select(
        ["user_id", "day", *DAY_COLUMNS.values(), "last_at"], per_buyer))
    db.session.execute(insert(ActivityProgrammeDay).from_select(
        ["programme_id", "day", *PROGRAMME_DAY_COLUMNS.values()], per_programme))
    db.session.execute(insert(ActivityTotalDay).from_select(
        ["day", *DAY_COLUMNS.values()], every_buyer))
