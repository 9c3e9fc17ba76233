"""Finding meetings: the website's index (tabs, filters, search), the host's day in the
in-meeting view, and a meeting's list as present mode shows it."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, false, or_, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from webapp import access, search
from webapp.extensions import db
from webapp.models import Company, ListItem, Meeting, MeetingStatus, Programme, User
from webapp.times import as_utc

TABS = {"upcoming": "Upcoming", "past": "Past"}


@dataclass
class MeetingFilters:
    tab: str = "upcoming"
    search: str = ""
    host_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def _start_of_today() -> datetime:
    return datetime.combine(datetime.now(UTC).date(), time(), tzinfo=UTC)


def meeting_index(user: User, filters: MeetingFilters) -> Select:
    """The meetings this user may see that match the filters: upcoming (from today on, soonest
    first) or past (latest first)."""
    query = access.meetings_visible_to(user).options(
        joinedload(Meeting.host).lazyload(User.roles),
        selectinload(Meeting.attendees).options(joinedload(User.company),
                                                lazyload(User.roles)))
    today = _start_of_today()
    if filters.tab == "past":
        query = query.where(Meeting.starts_at < today).order_by(Meeting.starts_at.desc())
    else:
        query = query.where(Meeting.starts_at >= today).order_by(Meeting.starts_at)
    if filters.host_id:
        query = query.where(Meeting.host_id == filters.host_id)
    if filters.date_from or filters.date_to:
        query = query.where(_on_local_dates(filters.date_from, filters.date_to))
    if filters.search.strip():
        attendee = search.matches_person(filters.search) | User.company.has(
            search.text_matches(Company.name, filters.search))
        query = query.where(search.text_matches(Meeting.title, filters.search)
                            | Meeting.attendees.any(attendee))
    return query.order_by(Meeting.id)


def _on_local_dates(first: date | None, last: date | None):
    """A where-clause: the meeting starts between `first` and `last` (either may be open),
    both included, by the calendar of the meeting's own time zone. A meeting at 00:30 in
    Paris on the 13th is on the 13th, though it starts on the 12th in UTC.

    Each zone the meetings use gets its own window of UTC instants (its local midnights),
    so the database compares starts_at against constants and can use its index."""
    def local_midnight(day: date, zone: str) -> datetime:
        return datetime.combine(day, time(), tzinfo=ZoneInfo(zone)).astimezone(UTC)

    zones = db.session.scalars(select(Meeting.timezone).distinct()).all()
    windows = []
    for zone in zones:
        window = [Meeting.timezone == zone]
        if first:
            window.append(Meeting.starts_at >= local_midnight(first, zone))
        if last:
            window.append(Meeting.starts_at < local_midnight(last + timedelta(days=1), zone))
        windows.append(and_(*window))
    return or_(*windows) if windows else false()


def starting_on_local_dates(first: date | None, last: date | None):
    """A where-clause: the meeting starts from `first` to `last`, both included, each on its
    own time zone's calendar."""
    return _on_local_dates(first, last)


# --- The host's day in the in-meeting view ------------------------------------------------


def _hosted_by(host: User) -> Select:
    return (select(Meeting).where(Meeting.host_id == host.id,
                                  Meeting.status != MeetingStatus.CANCELLED)
            .order_by(Meeting.starts_at, Meeting.id))


def meeting_days(host: User, now: datetime | None = None) -> tuple[list[date], date]:
    """The dates, each in its meeting's own time zone, on which the host has meetings; and
    today's date where the host is, taken to be the zone of their meeting nearest in time
    (UTC when they have none): at a market in Singapore, today is Singapore's date."""
    now = now or datetime.now(UTC)
    rows = [(as_utc(starts_at), ZoneInfo(zone)) for starts_at, zone in db.session.execute(
        _hosted_by(host).with_only_columns(Meeting.starts_at, Meeting.timezone))]
    days = sorted({starts_at.astimezone(zone).date() for starts_at, zone in rows})
    here = min(rows, key=lambda row: abs(row[0] - now))[1] if rows else UTC
    return days, now.astimezone(here).date()


def default_day(days: list[date], today: date) -> date:
    """Today if it has meetings, else the next date that has, else the last one."""
    return next((d for d in days if d >= today), days[-1] if days else today)


def meetings_on(host: User, day: date) -> list[Meeting]:
    """The host's meetings on a date of their own time zones (a day either side in UTC)."""
    around = datetime.combine(day, time(), tzinfo=UTC)
    query = _hosted_by(host).where(Meeting.starts_at >= around - timedelta(days=1),
                                   Meeting.starts_at < around + timedelta(days=2)).options(
        selectinload(Meeting.attendees).options(joinedload(User.company),
                                                lazyload(User.roles)))
    return [m for m in db.session.scalars(query) if m.local_start.date() == day]


# --- A market day's agenda ----------------------------------------------------------------


def agenda_hosts(user: User) -> list[User]:
    """Whose day this user may print: the hosts they may set meetings up for (an AM
    themselves, an SC their AMs and themselves; everyone for "manage meetings on behalf")."""
    return db.session.scalars(access.hosts_available_to(user)
                              .options(lazyload(User.roles))).all()


def agenda(user: User, day: date, hosts: list[User]) -> list[Meeting]:
    """The meetings, not cancelled, these hosts hold on `day` (by each meeting's own time
    zone) among those the user may see, in order of time."""
    query = (access.meetings_visible_to(user)
             .where(Meeting.host_id.in_([host.id for host in hosts]),
                    Meeting.status != MeetingStatus.CANCELLED, _on_local_dates(day, day))
             .options(joinedload(Meeting.host).lazyload(User.roles),
                      selectinload(Meeting.attendees).options(joinedload(User.company),
                                                              lazyload(User.roles)))
             .order_by(Meeting.starts_at, Meeting.id))
    return db.session.scalars(query).all()


def presented_items(meeting: Meeting) -> list[ListItem]:
    """The meeting's list in its order, with what each present-mode card shows loaded."""
    if meeting.list_id is None:
        return []
    programme = joinedload(ListItem.programme)
    return list(db.session.scalars(
        select(ListItem).where(ListItem.list_id == meeting.list_id)
        .order_by(ListItem.position, ListItem.id)
        .options(programme.selectinload(Programme.genres),
                 programme.selectinload(Programme.seasons),
                 joinedload(ListItem.season), joinedload(ListItem.episode))))
