"""The home page as the day's work: for each role, a few queues of what needs doing.

Each queue is a count, its first rows and nothing else, read in a fixed number of
statements whatever the data's size. Who is in scope comes from `webapp.access`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.orm import aliased, joinedload, lazyload, selectinload

from webapp import access
from webapp.extensions import db
from webapp.models import (
    ActivityEvent,
    EmailSource,
    EventKind,
    ListShare,
    Meeting,
    MeetingStatus,
    MeetingSummarySend,
    OutboxMessage,
    OutboxStatus,
    Programme,
    Registration,
    RegistrationStatus,
    User,
)
from webapp.permissions import Permission
from webapp.services.meeting_index import meetings_on, starting_on_local_dates
from webapp.times import as_utc

ROWS = 8  # rows each queue shows; its full page has the rest
DAYS_AHEAD = 7
FOLLOW_UP_DUE = timedelta(hours=48)  # a held meeting's summary is due within this
RECENT = timedelta(days=7)
NEW_PROGRAMMES = timedelta(days=30)


@dataclass
class Queue:
    """What one home section shows: how many in all, the first few, and anything else."""

    count: int
    rows: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def _count(query: Select) -> int:
    return db.session.scalar(query.with_only_columns(func.count()).order_by(None))


def _now() -> datetime:
    return datetime.now(UTC)


def waited(since: datetime) -> str:
    """How long ago `since` was, roughly: "3 days", "5 hours", "12 minutes"."""
    seconds = max(0, int((_now() - as_utc(since)).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            amount = seconds // size
            return f"{amount} {unit}{'s' if amount != 1 else ''}"
    return "under a minute"


# --- Sales Coordinators (and administrators): applications --------------------------------


def waiting_applications(user: User) -> Queue:
    """Applications waiting for a decision, the oldest first, with the oldest's wait."""
    pending = access.registrations_visible_to(user).where(
        Registration.status == RegistrationStatus.PENDING)
    count, oldest = db.session.execute(pending.with_only_columns(
        func.count(), func.min(Registration.submitted_at)).order_by(None)).one()
    rows = db.session.scalars(pending.options(
        joinedload(Registration.user).lazyload(User.roles), joinedload(Registration.territory))
        .order_by(Registration.submitted_at, Registration.id).limit(ROWS)).all()
    return Queue(count, rows, {"oldest": oldest})


def recent_registrations(user: User) -> Queue:
    """Registrations of the last seven days among those this user may see (their AMs' and
    their own territories), whatever became of them, the newest first."""
    recent = access.registrations_visible_to(user).where(
        Registration.submitted_at >= _now() - RECENT)
    rows = db.session.scalars(recent.options(
        joinedload(Registration.user).lazyload(User.roles), joinedload(Registration.territory))
        .order_by(Registration.submitted_at.desc(), Registration.id.desc()).limit(ROWS)).all()
    return Queue(_count(recent), rows)


# --- Meetings ------------------------------------------------------------------------------


def _shown(query: Select) -> Select:
    return query.options(joinedload(Meeting.host).lazyload(User.roles),
                         selectinload(Meeting.attendees).lazyload(User.roles))


def meetings_ahead(user: User, today: date | None = None) -> Queue:
    """Meetings of this user's day (an SC's: their AMs') from today to a week ahead, each on
    the calendar of its own time zone; cancelled ones left out."""
    today = today or _now().date()
    ahead = access.meetings_worked_on_by(user).where(
        Meeting.status != MeetingStatus.CANCELLED,
        starting_on_local_dates(today, today + timedelta(days=DAYS_AHEAD)))
    rows = db.session.scalars(_shown(ahead).order_by(Meeting.starts_at, Meeting.id)
                              .limit(ROWS)).all()
    return Queue(_count(ahead), rows,
                 {"today": today, "last_day": today + timedelta(days=DAYS_AHEAD)})


# The host, joined to sort by: an alias, so the relationship rules' subqueries of users are
# never correlated with it.
_HOST = aliased(User, name="host")


def overdue_follow_ups(user: User) -> Queue:
    """Meetings held 48 hours ago or more whose summary was never sent: the follow-ups
    overdue, by host (an SC sees their AMs'), then oldest first."""
    sent = exists().where(MeetingSummarySend.meeting_id == Meeting.id)
    overdue = access.meetings_worked_on_by(user).where(
        Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.starts_at <= _now() - FOLLOW_UP_DUE, ~sent)
    rows = db.session.scalars(
        _shown(overdue).join(_HOST, _HOST.id == Meeting.host_id)
        .order_by(_HOST.first_name, _HOST.last_name, Meeting.host_id, Meeting.starts_at,
                  Meeting.id).limit(ROWS)).all()
    return Queue(_count(overdue), rows)


def todays_meetings(user: User) -> Queue:
    """The host's meetings today (on their own time zones' calendars), for the meeting view."""
    rows = meetings_on(user, _now().date())
    return Queue(len(rows), rows)


# --- Account Managers: buyers showing interest -----------------------------------------------


def buyers_showing_interest(account_manager: User) -> Queue:
    """The AM's buyers who clicked a link in a meeting summary or played a screener in the
    last seven days: per buyer, how many of each and when last, the latest first."""
    buyer_ids = access.buyers_of(account_manager).with_only_columns(User.id).order_by(None)
    clicked = (ActivityEvent.kind == EventKind.EMAIL_CLICK) & (
        ActivityEvent.source == EmailSource.MEETING_SUMMARY)
    played = ActivityEvent.kind == EventKind.SCREENER_PLAY
    per_buyer = (
        select(ActivityEvent.user_id,
               func.sum(case((clicked, 1), else_=0)).label("clicks"),
               func.sum(case((played, 1), else_=0)).label("plays"),
               func.max(ActivityEvent.occurred_at).label("last_at"))
        .where(ActivityEvent.occurred_at >= _now() - RECENT, clicked | played,
               ActivityEvent.user_id.in_(buyer_ids))
        .group_by(ActivityEvent.user_id)
        .subquery())
    count = db.session.scalar(select(func.count()).select_from(per_buyer))
    rows = db.session.execute(
        select(User, per_buyer.c.clicks, per_buyer.c.plays, per_buyer.c.last_at)
        .join(per_buyer, per_buyer.c.user_id == User.id)
        .options(joinedload(User.company), lazyload(User.roles))
        .order_by(per_buyer.c.last_at.desc(), User.id).limit(ROWS)).all()
    return Queue(count, rows)


# --- Buyers ----------------------------------------------------------------------------------


def buyer_meetings(buyer: User) -> Queue:
    """The buyer's meetings with the distributor: upcoming (soonest first) and past (latest
    first)."""
    attended = (access.meetings_attended_by(buyer)
                .where(Meeting.status == MeetingStatus.SCHEDULED)
                .options(joinedload(Meeting.host).lazyload(User.roles)))
    now = _now()
    total, upcoming_count = db.session.execute(attended.with_only_columns(
        func.count(), func.sum(case((Meeting.starts_at >= now, 1), else_=0))).order_by(None)
    ).one()
    upcoming = db.session.scalars(attended.where(Meeting.starts_at >= now)
                                  .order_by(Meeting.starts_at, Meeting.id).limit(ROWS)).all()
    past = db.session.scalars(attended.where(Meeting.starts_at < now)
                              .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
                              .limit(ROWS)).all()
    return Queue(total, upcoming, {"past": past, "upcoming_count": upcoming_count or 0,
                                   "past_count": total - (upcoming_count or 0)})


def shared_lists(buyer: User) -> Queue:
    """Lists shared with the buyer, the latest share first."""
    shares = access.latest_shares_with(buyer)
    rows = db.session.scalars(shares.options(
        joinedload(ListShare.list), joinedload(ListShare.shared_by).lazyload(User.roles))
        .order_by(ListShare.shared_at.desc(), ListShare.id.desc()).limit(ROWS)).all()
    return Queue(_count(shares), rows)


def new_programmes(user: User) -> Queue:
    """Programmes added to the catalogue in the last 30 days, the newest first."""
    added = select(Programme).where(Programme.created_at >= _now() - NEW_PROGRAMMES)
    rows = db.session.scalars(added.options(lazyload("*"))
                              .order_by(Programme.created_at.desc(), Programme.id.desc())
                              .limit(ROWS)).all()
    return Queue(_count(added), rows)


# --- Administrators --------------------------------------------------------------------------


def outbox_trouble(user: User) -> Queue:
    """Emails that failed, and emails still waiting to go, the failed ones listed."""
    by_status = dict(db.session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.status.in_([OutboxStatus.FAILED, OutboxStatus.PENDING]))
        .group_by(OutboxMessage.status)).all())
    failed = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(ROWS)).all()
    failed_count = by_status.get(OutboxStatus.FAILED, 0)
    return Queue(failed_count + by_status.get(OutboxStatus.PENDING, 0), failed,
                 {"failed": failed_count, "waiting": by_status.get(OutboxStatus.PENDING, 0)})


def suspended_users(user: User) -> Queue:
    suspended = select(User).where(User.is_suspended.is_(True))
    rows = db.session.scalars(suspended.options(lazyload(User.roles))
                              .order_by(User.first_name, User.last_name, User.id)
                              .limit(ROWS)).all()
    return Queue(_count(suspended), rows)


# --- Which sections whom --------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    load: Callable[[User], Queue]
    for_user: Callable[[User], bool]


def _coordinator(user: User) -> bool:
    return user.is_sales_coordinator


def _account_manager(user: User) -> bool:
    return user.is_account_manager


def _approver(user: User) -> bool:
    return (user.is_sales_coordinator or user.is_admin) and user.can(
        Permission.APPROVE_REGISTRATIONS)


# In the order the home page shows them: a Sales Coordinator's, an Account Manager's, an
# administrator's, a buyer's; someone with several roles sees each role's, each once.
SECTIONS = [
    Section("applications", "Applications waiting", waiting_applications, _approver),
    Section("meetings-ahead", "Meetings this week", meetings_ahead, _coordinator),
    Section("today", "Today's meetings", todays_meetings, _account_manager),
    Section("follow-ups", "Follow-ups overdue", overdue_follow_ups,
            lambda u: u.is_sales_coordinator or u.is_account_manager),
    Section("recent-registrations", "Recent registrations", recent_registrations,
            _coordinator),
    Section("buyer-activity", "Buyers showing interest", buyers_showing_interest,
            _account_manager),
    Section("outbox", "Emails failed and waiting", outbox_trouble,
            lambda u: u.can(Permission.MANAGE_OUTBOX)),
    Section("suspended-users", "Suspended users", suspended_users,
            lambda u: u.is_admin and u.can(Permission.MANAGE_USERS)),
    Section("my-meetings", "Your meetings with us", buyer_meetings, lambda u: u.is_buyer),
    Section("shared-lists", "Lists shared with you", shared_lists, lambda u: u.is_buyer),
    Section("new-programmes", "New programmes", new_programmes, lambda u: u.is_buyer),
]
SECTIONS_BY_NAME = {section.name: section for section in SECTIONS}


def sections_for(user: User) -> list[Section]:
    """The home sections this user's roles give them, in the page's order."""
    return [section for section in SECTIONS if section.for_user(user)]
