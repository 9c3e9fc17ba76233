"""Who is associated with whom, and who may see what: the product's relationship rules.

Every function returns a SQLAlchemy select so callers can filter, count and paginate it
further. The two relationship paths are always united without duplicates:

- a Sales Coordinator is associated with an Account Manager directly (the link set on the
  AM's profile) or by territory (they share a territory);
- a buyer belongs to an Account Manager directly (the buyer's Account Manager field) or by
  territory (one of the buyer's territories, own or through the company, is one the AM covers).

Suspended users and users who are not active (pending or rejected registrations) take part
in no relationship.
"""

from sqlalchemy import (
    ARRAY,
    CompoundSelect,
    Integer,
    Select,
    any_,
    cast,
    exists,
    false,
    func,
    literal,
    select,
    true,
)
from sqlalchemy import union as sql_union
from sqlalchemy.orm import aliased, lazyload

from webapp.extensions import db
from webapp.models import (
    AccessGrant,
    Episode,
    ListItem,
    ListKind,
    ListShare,
    Meeting,
    MeetingStatus,
    Programme,
    ProgrammeList,
    Registration,
    Role,
    RoleKind,
    Season,
    User,
    UserStatus,
    account_manager_coordinators,
    buyer_group_members,
    company_territories,
    meeting_attendees,
    user_roles,
    user_territories,
)
from webapp.permissions import Permission
from webapp.search import found_per_row, matches_person

_amc = account_manager_coordinators


def union(*parts: Select | CompoundSelect) -> CompoundSelect:
    """UNION of the parts, nested unions flattened (SQLite cannot parenthesise them)."""
    flat = []
    for part in parts:
        flat.extend(part.selects if isinstance(part, CompoundSelect) else [part])
    return sql_union(*flat)


def _usable():
    # The status written into the statement, not sent as a parameter: PostgreSQL then plans a
    # prepared list of users from the statistics of active users rather than of any status.
    active = literal(UserStatus.ACTIVE.value, literal_execute=True)
    return (User.status == active) & (User.is_suspended == false())


def holds_role(kind: RoleKind):
    """A where-clause: the user holds the built-in role `kind`. Phrased as a lookup of the
    user's own row in user_roles (the role's id found once), so the database checks just the
    users at hand instead of gathering every holder first (nearly every user holds Buyer)."""
    return exists().where(user_roles.c.user_id == User.id, user_roles.c.role_id == _role_id(kind))


def _holds_role_among_few(kind: RoleKind):
    """holds_role for the few users a query has already narrowed to. For Buyer, held by
    nearly every user, a lookup per user in the key of user_roles, written so the database
    cannot turn it into a pass over every buyer; the other roles' few holders are best
    gathered once, as holds_role does."""
    if kind != RoleKind.BUYER:
        return holds_role(kind)
    return found_per_row(select(user_roles.c.user_id).where(
        user_roles.c.user_id == User.id, user_roles.c.role_id == _role_id(kind)))





def _role_id(kind: RoleKind):
    """The built-in role's id, looked up by its kind inside the statement (roles.kind is
    unique, so an index finds it, once per statement). Never kept between requests: a
    demo reset or a restore gives the roles new ids while the app runs."""
    return select(Role.id).where(Role.kind == kind).scalar_subquery()


def _held_by(column, kind: RoleKind):
    """A where-clause: `column` is the id of a user holding the built-in role `kind`, one
    few users hold (not Buyer), its holders gathered first. On PostgreSQL they are gathered
    into an array: from `= ANY (array)` the planner expects a handful of ids and looks them
    up by key, where from `IN (holders of the role of this kind)` it expects a fifth of
    user_roles and reads every user (the list of the generated distributor's 120 AMs among
    20,500 users: 3.0 ms, 0.2 ms this way)."""
    holders = select(user_roles.c.user_id).where(user_roles.c.role_id == _role_id(kind))
    if db.session.get_bind().dialect.name != "postgresql":
        return column.in_(holders)
    gathered = holders.with_only_columns(func.array_agg(user_roles.c.user_id)).scalar_subquery()
    return column == any_(cast(gathered, ARRAY(Integer)))  # an array, not ANY (subquery)


def users_with_role(kind: RoleKind) -> Select:
    """Active, unsuspended users holding the built-in role `kind`, by name."""
    held = holds_role(kind) if kind == RoleKind.BUYER else _held_by(User.id, kind)
    return (
        select(User)
        .where(held, _usable())
        .order_by(User.first_name, User.last_name, User.id)
    )


def account_managers() -> Select:
    return users_with_role(RoleKind.ACCOUNT_MANAGER)


def sales_coordinators() -> Select:
    return users_with_role(RoleKind.SALES_COORDINATOR)


def _territory_ids_of(user: User) -> Select:
    return select(user_territories.c.territory_id).where(user_territories.c.user_id == user.id)


def _users_in_territories(territory_ids: Select) -> Select:
    """Ids of users holding one of the territories themselves."""
    return select(user_territories.c.user_id).where(
        user_territories.c.territory_id.in_(territory_ids)
    )


def _buyers_in_territories(territory_ids: Select) -> Select:
    """Ids of users in one of the territories, their own or their company's."""
    through_company = (
        select(User.id)
        .join(company_territories, company_territories.c.company_id == User.company_id)
        .where(company_territories.c.territory_id.in_(territory_ids))
    )
    return union(_users_in_territories(territory_ids), through_company)


def _linked(subject: User, subject_kind: RoleKind, kind: RoleKind, direct_ids: Select,
            territory_ids: Select) -> Select:
    """Users of `kind` reached from `subject` by either path, each once, with how.

    Rows are (User, direct: bool, by_territory: bool). A subject that does not hold
    `subject_kind` has no such relationships at all.
    """
    direct = User.id.in_(direct_ids)
    by_territory = User.id.in_(territory_ids)
    # One IN over both paths (not "in one OR in the other"), so the database looks the
    # few linked users up by id instead of testing every user against both.
    query = (
        select(User, direct.label("direct"), by_territory.label("by_territory"))
        .where(User.id.in_(union(direct_ids, territory_ids)), _holds_role_among_few(kind),
               _usable(), User.id != subject.id)
        .order_by(User.first_name, User.last_name, User.id)
    )
    return query if subject.has_role(subject_kind) else query.where(false())


def account_manager_links(sales_coordinator: User) -> Select:
    """The SC's Account Managers as (User, direct, by_territory) rows."""
    direct = select(_amc.c.account_manager_id).where(
        _amc.c.sales_coordinator_id == sales_coordinator.id
    )
    by_territory = _users_in_territories(_territory_ids_of(sales_coordinator))
    return _linked(sales_coordinator, RoleKind.SALES_COORDINATOR, RoleKind.ACCOUNT_MANAGER,
                   direct, by_territory)


def sales_coordinator_links(account_manager: User) -> Select:
    """The AM's Sales Coordinators as (User, direct, by_territory) rows."""
    direct = select(_amc.c.sales_coordinator_id).where(
        _amc.c.account_manager_id == account_manager.id
    )
    by_territory = _users_in_territories(_territory_ids_of(account_manager))
    return _linked(account_manager, RoleKind.ACCOUNT_MANAGER, RoleKind.SALES_COORDINATOR,
                   direct, by_territory)


def buyer_links(account_manager: User) -> Select:
    """The AM's buyers as (User, direct, by_territory) rows."""
    direct = select(User.id).where(User.account_manager_id == account_manager.id)
    by_territory = _buyers_in_territories(_territory_ids_of(account_manager))
    return _linked(account_manager, RoleKind.ACCOUNT_MANAGER, RoleKind.BUYER, direct,
                   by_territory)


def _users_only(links: Select) -> Select:
    return links.with_only_columns(User)


def account_managers_of(sales_coordinator: User) -> Select:
    """The SC's Account Managers: direct and by territory, each once."""
    return _users_only(account_manager_links(sales_coordinator))


def sales_coordinators_of(account_manager: User) -> Select:
    """The AM's Sales Coordinators: direct and by territory, each once."""
    return _users_only(sales_coordinator_links(account_manager))


def buyers_of(account_manager: User) -> Select:
    """The AM's buyers: direct and by territory, each once."""
    return _users_only(buyer_links(account_manager))


def sales_coordinator_candidates(account_manager: User, search: str = "") -> Select:
    """SCs that may still be linked directly to the AM, filtered by name or email."""
    already = select(_amc.c.sales_coordinator_id).where(
        _amc.c.account_manager_id == account_manager.id
    )
    query = sales_coordinators().where(User.id.not_in(already), User.id != account_manager.id)
    return query.where(matches_person(search)) if search.strip() else query


# --- Registrations -------------------------------------------------------------------------


def _territories_of_buyer(buyer: User) -> Select:
    """The buyer's territories: their own and their company's."""
    own = _territory_ids_of(buyer)
    if buyer.company_id is None:
        return own
    through_company = select(company_territories.c.territory_id).where(
        company_territories.c.company_id == buyer.company_id)
    return union(own, through_company)


def account_managers_of_buyer(buyer: User) -> Select:
    """The AMs a buyer (or an applicant) belongs to: their direct AM and every AM covering
    one of their territories, each once. The buyer's own status does not matter."""
    covering = _users_in_territories(_territories_of_buyer(buyer))
    return (
        account_managers()
        .where((User.id == buyer.account_manager_id) | User.id.in_(covering))
        .where(User.id != buyer.id)
    )


def registration_recipients(applicant: User) -> Select:
    """Who hears of a new registration, each once: the applicant's AMs, every SC associated
    with one of those AMs (directly or by territory), and every SC whose territories include
    the applicant's."""
    am_ids = account_managers_of_buyer(applicant).with_only_columns(User.id).order_by(None)
    am_territory_ids = select(user_territories.c.territory_id).where(
        user_territories.c.user_id.in_(am_ids))
    linked_directly = select(_amc.c.sales_coordinator_id).where(
        _amc.c.account_manager_id.in_(am_ids))
    sharing_territory = _users_in_territories(
        union(am_territory_ids, _territories_of_buyer(applicant)))
    coordinators = (
        select(User.id)
        .where(holds_role(RoleKind.SALES_COORDINATOR), User.id.in_(
            union(linked_directly, sharing_territory)))
    )
    return (
        select(User)
        .where(_usable(), User.id.in_(union(am_ids, coordinators)))
        .order_by(User.first_name, User.last_name, User.id)
    )


def _people_linked_to(account_manager_ids: Select | list[int],
                     own_territory_ids: Select | None = None) -> Select:
    """Ids of users whose direct AM is one of these AMs, or who are (themselves or through
    their company) in a territory one of these AMs covers, or in one of `own_territory_ids`."""
    territories = select(user_territories.c.territory_id).where(
        user_territories.c.user_id.in_(account_manager_ids))
    if own_territory_ids is not None:
        territories = union(territories, own_territory_ids)
    return union(
        select(User.id).where(User.account_manager_id.in_(account_manager_ids)),
        _buyers_in_territories(territories),
    )


def registrations_visible_to(user: User) -> Select:
    """Registrations this user may see and decide on.

    Administrators see all. A Sales Coordinator sees those linked to their AMs (directly or
    by territory) or to their own territories; an Account Manager those linked to them. Any
    other role holding "approve registrations" sees all; everyone else none.
    """
    query = select(Registration)
    if user.is_admin:
        return query
    if not user.can(Permission.APPROVE_REGISTRATIONS):
        return query.where(false())
    if user.is_sales_coordinator:
        am_ids = list(db.session.scalars(
            account_managers_of(user).with_only_columns(User.id).order_by(None)))
        own_territory_ids = _territory_ids_of(user)
    elif user.is_account_manager:
        am_ids, own_territory_ids = [user.id], None
    else:
        return query
    return query.where(_applicant_linked(am_ids, own_territory_ids))





# Aliases of User made once: SQLAlchemy adapts an alias's columns the first time each is
# used, about a millisecond for a new alias on every request. (Neither appears twice in
# one statement: the callers' selects of ids are of User itself.)
_APPLICANT = aliased(User, name="applicant")
_AM, _BUYER = aliased(User, name="am"), aliased(User, name="buyer")


def _applicant_linked(am_ids: list[int], own_territory_ids: Select | None):
    """A where-clause on Registration: the applicant's direct AM is one of `am_ids`, or the
    applicant is (themselves or through their company) in a territory one of those AMs
    covers or in one of `own_territory_ids`.

    The AMs and territories are looked up first and the clause tests each registration's
    applicant by key, so the database never gathers every person those AMs look after.
    """
    territories = select(user_territories.c.territory_id).where(
        user_territories.c.user_id.in_(am_ids))
    if own_territory_ids is not None:
        territories = union(territories, own_territory_ids)
    territory_ids = list(db.session.scalars(territories))
    applicant = _APPLICANT
    in_own_territory = exists().where(user_territories.c.user_id == Registration.user_id,
                                      user_territories.c.territory_id.in_(territory_ids))
    company_in_territory = exists().where(
        company_territories.c.company_id == applicant.company_id,
        company_territories.c.territory_id.in_(territory_ids))
    direct_or_by_company = exists().where(
        applicant.id == Registration.user_id,
        applicant.account_manager_id.in_(am_ids) | company_in_territory)
    return in_own_territory | direct_or_by_company


# --- Buyers a user looks after -----------------------------------------------------------


def buyers_looked_after_by(user: User) -> Select:
    """Active buyers this user works for: an AM's own buyers, the buyers of all of an SC's
    AMs (direct and by territory, each once), every buyer for an administrator."""
    query = users_with_role(RoleKind.BUYER)
    if user.is_admin:
        return query
    if user.is_sales_coordinator:
        am_ids = account_managers_of(user).with_only_columns(User.id).order_by(None)
        linked = [_people_linked_to(am_ids)]
    else:
        linked = []
    if user.is_account_manager:
        linked.append(buyers_of(user).with_only_columns(User.id).order_by(None))
    if not linked:
        return query.where(false())
    return query.where(User.id.in_(union(*linked)))


def account_managers_acting_for(user: User, buyer: User) -> Select:
    """Whom `user` speaks for when writing to `buyer`: the buyer's AMs among an SC's AMs,
    the buyer's direct AM first (an AM writing to their own buyer speaks for themselves,
    and is not asked here)."""
    am_ids = account_managers_of(user).with_only_columns(User.id).order_by(None)
    return (account_managers_of_buyer(buyer).where(User.id.in_(am_ids))
            .order_by((User.id == buyer.account_manager_id).desc(), User.first_name,
                      User.last_name, User.id))


def buyers_of_account_managers_of(sales_coordinator: User) -> Select:
    """The buyers of all the SC's Account Managers: buyers_of each of account_managers_of
    (direct and by territory), united, each buyer once. None for a user who is not an SC."""
    am_ids = account_managers_of(sales_coordinator).with_only_columns(User.id).order_by(None)
    return users_with_role(RoleKind.BUYER).where(User.id.in_(_people_linked_to(am_ids)),
                                                 User.id != sales_coordinator.id)


def buyers_of_host(host: User) -> Select:
    """The buyers a meeting hosted by `host` may have: an Account Manager's own buyers; a
    Sales Coordinator hosting themselves, the buyers of all their AMs; someone holding
    both roles, both, each buyer once."""
    if not host.is_sales_coordinator:
        return buyers_of(host)
    of_their_account_managers = buyers_of_account_managers_of(host)
    if not host.is_account_manager:
        return of_their_account_managers
    return users_with_role(RoleKind.BUYER).where(User.id.in_(union(
        buyers_of(host).with_only_columns(User.id).order_by(None),
        of_their_account_managers.with_only_columns(User.id).order_by(None))))


def account_manager_links_of_buyers(buyer_ids: list[int],
                                    account_manager_ids: list[int]) -> Select:
    """(buyer id, AM id, direct, by_territory) rows: which of these Account Managers each of
    these buyers belongs to, and by which path (as buyer_links has it), each pair once, by
    the AM's name. For a page of buyers and an SC's few AMs: every pair is tested."""
    buyer, am = _BUYER, _AM
    am_territories = user_territories.alias("am_territories")
    # The buyer is two levels up, beyond auto-correlation's reach: named here.
    own = (select(user_territories.c.territory_id)
           .where(user_territories.c.user_id == buyer.id).correlate(buyer))
    of_company = (select(company_territories.c.territory_id)
                  .where(company_territories.c.company_id == buyer.company_id).correlate(buyer))
    direct = buyer.account_manager_id == am.id
    by_territory = exists().where(
        am_territories.c.user_id == am.id,
        am_territories.c.territory_id.in_(own) | am_territories.c.territory_id.in_(of_company))
    return (select(buyer.id, am.id, direct.label("direct"), by_territory.label("by_territory"))
            .select_from(buyer).join(am, direct | by_territory)
            .where(buyer.id.in_(buyer_ids), am.id.in_(account_manager_ids))
            .order_by(buyer.id, am.first_name, am.last_name, am.id))


# --- Lists -------------------------------------------------------------------------------


def lists_visible_to(user: User) -> Select:
    """Lists this user may open: their own, global lists, and lists shared with them.

    A Sales Coordinator therefore never sees an Account Manager's buyer lists. A buyer sees
    global lists and those shared with them; an administrator sees every list. A meeting's
    list is reached through its meeting, never here.
    """
    if user.is_admin:
        return select(ProgrammeList).where(ProgrammeList.kind != ListKind.MEETING)
    return select(ProgrammeList).where(ProgrammeList.id.in_(_visible_list_ids(user)))


def _visible_list_ids(user: User) -> CompoundSelect:
    """Ids of the global lists, those shared with the user and (internal users) their own,
    meeting lists left out: one set each, so an index finds each (an OR would not)."""
    not_meeting = ProgrammeList.kind != ListKind.MEETING
    parts = [select(ProgrammeList.id).where(ProgrammeList.kind == ListKind.GLOBAL),
             select(ListShare.list_id).join(ProgrammeList, ProgrammeList.id == ListShare.list_id)
             .where(ListShare.buyer_id == user.id, ListShare.revoked_at.is_(None),
                    not_meeting)]
    if user.is_internal:
        parts.append(select(ProgrammeList.id).where(ProgrammeList.owner_id == user.id,
                                                    not_meeting))
    return union(*parts)


def latest_shares_with(buyer: User) -> Select:
    """The lists shared with this buyer, as the latest share of each (a list shared twice
    is one list): ListShare rows, meeting lists left out."""
    latest = (select(func.max(ListShare.id))
              .join(ProgrammeList, ProgrammeList.id == ListShare.list_id)
              .where(ListShare.buyer_id == buyer.id, ProgrammeList.kind != ListKind.MEETING)
              .group_by(ListShare.list_id))
    return select(ListShare).where(ListShare.id.in_(latest))


def lists_reachable_by(user: User) -> Select:
    """Lists this user may open by their address: the visible ones, and the lists of the
    meetings they may see."""
    of_visible_meeting = meetings_visible_to(user).with_only_columns(Meeting.id).where(
        Meeting.list_id == ProgrammeList.id).exists()
    visible = (ProgrammeList.kind != ListKind.MEETING if user.is_admin
               else ProgrammeList.id.in_(_visible_list_ids(user)))
    return select(ProgrammeList).where(
        visible | (ProgrammeList.kind == ListKind.MEETING) & of_visible_meeting)


def may_edit_list(user: User, programme_list: ProgrammeList) -> bool:
    """Global lists need "manage global lists"; a meeting's list follows its meeting; other
    lists are their owner's."""
    if programme_list.kind == ListKind.MEETING:
        meeting = _meeting_of_list(programme_list)
        return meeting is not None and may_edit_meeting(user, meeting)
    if user.is_admin:
        return True
    if programme_list.kind == ListKind.GLOBAL:
        return user.can(Permission.MANAGE_GLOBAL_LISTS)
    return programme_list.owner_id == user.id


def may_create_lists(user: User) -> bool:
    return user.is_internal


def lists_to_add_to(user: User) -> Select:
    """The lists this user may add titles to from the catalogue: their own (not a meeting's)
    and, with "manage global lists", the global lists; by name."""
    mine = (ProgrammeList.owner_id == user.id) & (ProgrammeList.kind != ListKind.MEETING)
    if user.is_admin or user.can(Permission.MANAGE_GLOBAL_LISTS):
        mine = mine | (ProgrammeList.kind == ListKind.GLOBAL)
    query = select(ProgrammeList).where(mine).order_by(ProgrammeList.name, ProgrammeList.id)
    return query if may_create_lists(user) else query.where(false())
def shares_visible_to(user: User, programme_list: ProgrammeList) -> Select:
    """The list's shares (who it was sent to) this user may see and revoke: every one for
    those who may change the list, else the ones they made themselves."""
    query = select(ListShare).where(ListShare.list_id == programme_list.id)
    if may_edit_list(user, programme_list):
        return query
    return query.where(ListShare.shared_by_id == user.id)


# --- Meetings ----------------------------------------------------------------------------


def _manages_all_meetings(user: User) -> bool:
    return user.is_admin or user.can(Permission.MANAGE_MEETINGS_FOR_OTHERS)


def hosts_available_to(user: User) -> Select:
    """Who this user may set up a meeting for: any AM with "manage meetings on behalf of
    others"; otherwise an SC's AMs (direct and by territory) and the SC themselves; an AM
    themselves."""
    if _manages_all_meetings(user):
        return account_managers()
    hosts = []
    if user.is_sales_coordinator:
        hosts.append(account_managers_of(user).with_only_columns(User.id).order_by(None))
    if user.is_sales_coordinator or user.is_account_manager:
        hosts.append(select(User.id).where(User.id == user.id))
    query = select(User).where(_usable()).order_by(User.first_name, User.last_name, User.id)
    return query.where(User.id.in_(union(*hosts))) if hosts else query.where(false())


def meetings_visible_to(user: User) -> Select:
    """Meetings this user hosts or set up, and, for an SC, those hosted by their AMs;
    every meeting with "manage meetings on behalf of others"."""
    query = select(Meeting)
    if _manages_all_meetings(user):
        return query
    visible = (Meeting.host_id == user.id) | (Meeting.created_by_id == user.id)
    if user.is_sales_coordinator:
        am_ids = account_managers_of(user).with_only_columns(User.id).order_by(None)
        visible = visible | Meeting.host_id.in_(am_ids)
    return query.where(visible)


def meetings_worked_on_by(user: User) -> Select:
    """The meetings of this user's own day: those they host and, for an SC, those hosted by
    their AMs (direct and by territory). Unlike meetings_visible_to, "manage meetings on
    behalf of others" does not widen it to every meeting, nor does having set one up."""
    hosts = [select(User.id).where(User.id == user.id)]
    if user.is_sales_coordinator:
        hosts.append(account_managers_of(user).with_only_columns(User.id).order_by(None))
    return select(Meeting).where(Meeting.host_id.in_(union(*hosts)))


def _meeting_of_list(programme_list: ProgrammeList) -> Meeting | None:
    return db.session.scalar(select(Meeting).where(Meeting.list_id == programme_list.id))


def may_see_meeting(user: User, meeting: Meeting) -> bool:
    """As meetings_visible_to; its host and whoever set it up are answered without asking the
    database."""
    if user.id in (meeting.host_id, meeting.created_by_id):
        return True
    return db.session.scalar(
        meetings_visible_to(user).with_only_columns(Meeting.id).where(Meeting.id == meeting.id)
    ) is not None


def may_edit_meeting(user: User, meeting: Meeting) -> bool:
    """Whoever may see a meeting may change it, until it is cancelled."""
    return meeting.status != MeetingStatus.CANCELLED and may_see_meeting(user, meeting)


def may_download_invite(user: User, meeting: Meeting) -> bool:
    """The calendar invite: for those who may see the meeting, and for its attendees."""
    return user in meeting.attendees or may_see_meeting(user, meeting)


def meetings_attended_by(buyer: User) -> Select:
    """The meetings a buyer was invited to and is still an attendee of: scheduled ones, and
    cancelled ones (so the invitation's link says it was cancelled); never drafts."""
    return (select(Meeting)
            .join(meeting_attendees, meeting_attendees.c.meeting_id == Meeting.id)
            .where(meeting_attendees.c.buyer_id == buyer.id,
                   Meeting.status != MeetingStatus.DRAFT))


def may_run_meeting(user: User, meeting: Meeting) -> bool:
    """Only the host opens and changes a meeting in the in-meeting (iPad) view."""
    return meeting.host_id == user.id


# --- Reporting ---------------------------------------------------------------------------


def is_external_buyer():
    """A where-clause: the user holds the Buyer role and no other (internal users, whatever
    else they hold, are never reported on)."""
    internal = User.roles.any((Role.kind.is_(None)) | (Role.kind != RoleKind.BUYER))
    return holds_role(RoleKind.BUYER) & ~internal


def reportable_buyers() -> Select:
    """Every buyer reporting knows of: active accounts holding only the Buyer role, suspended
    ones included (their history still counts); applicants never had any activity."""
    return (select(User)
            .where(is_external_buyer(), User.status == UserStatus.ACTIVE)
            .order_by(User.last_name, User.first_name, User.id))


def reports_on_every_buyer(user: User) -> bool:
    """"View reporting for all users", or an administrator."""
    return user.is_admin or user.can(Permission.VIEW_REPORTING_ALL)


def reportable_users(user: User) -> Select:
    """The buyers whose activity this user may see in reporting, each once.

    "View reporting for all users" (and administrators): every buyer. Otherwise, with "view
    reporting": a Sales Coordinator's buyers are those of all their AMs (direct and by
    territory), an Account Manager's their own (direct and by territory). Anyone else: none.
    """
    query = reportable_buyers()
    if reports_on_every_buyer(user):
        return query
    if not user.can(Permission.VIEW_REPORTING):
        return query.where(false())
    am_ids = _reporting_account_manager_ids(user)
    if not am_ids:
        return query.where(false())
    return query.where(User.id.in_(_people_linked_to(am_ids)))


def _reporting_account_managers_of(user: User) -> Select:
    """A select of the ids of the AMs whose buyers a user without "all users" reports on:
    an SC's AMs, an AM themselves."""
    ids = [select(User.id).where(false())]  # none, for a user who is neither
    if user.is_sales_coordinator:
        ids.append(account_managers_of(user).with_only_columns(User.id).order_by(None))
    if user.is_account_manager:
        ids.append(select(User.id).where(User.id == user.id))
    return union(*ids)


def _reporting_account_manager_ids(user: User) -> list[int]:
    """The ids of _reporting_account_managers_of, looked up first, so every report statement
    gets them as constants instead of working the links out again inside each of its
    subqueries."""
    return list(db.session.scalars(_reporting_account_managers_of(user)))


def share_links_reported_to(user: User) -> Select:
    """Shares sent to an address with no account, for reporting: every one for "view
    reporting for all users"; otherwise those made by the user or by the Account Managers
    whose buyers they report on (an SC's AMs, an AM themselves)."""
    query = select(ListShare).where(ListShare.buyer_id.is_(None),
                                    ListShare.token_digest.is_not(None))
    if reports_on_every_buyer(user):
        return query
    if not user.can(Permission.VIEW_REPORTING):
        return query.where(false())
    sharers = union(_reporting_account_managers_of(user), select(literal(user.id)))
    return query.where(ListShare.shared_by_id.in_(sharers))


def report_account_managers(user: User) -> Select:
    """The Account Managers a user's reports can be filtered by: every AM for "all users",
    an SC's AMs, an AM themselves."""
    if reports_on_every_buyer(user):
        return account_managers()
    return account_managers().where(User.id.in_(_reporting_account_managers_of(user)))


def people_of_account_manager(account_manager_id: int) -> Select:
    """Ids of the people an AM looks after: direct, or by a territory the AM covers."""
    return _people_linked_to(select(User.id).where(User.id == account_manager_id))


def people_in_territory(territory_id: int) -> Select:
    """Ids of people in the territory, themselves or through their company."""
    return _buyers_in_territories(select(literal(territory_id)))


def account_managers_of_buyers(buyer_ids, names_only: bool = False) -> Select:
    """(buyer id, AM) rows: each buyer's direct AM and every AM covering one of the buyer's
    territories (own or through the company), each pair once, by AM name. `buyer_ids` is a
    list or a select of ids; with `names_only`, (buyer id, AM's first name, last name) rows."""
    am, buyer = _AM, _BUYER
    buyer_territories = union(
        select(user_territories.c.user_id.label("buyer_id"),
               user_territories.c.territory_id.label("territory_id"))
        .where(user_territories.c.user_id.in_(buyer_ids)),
        select(buyer.id, company_territories.c.territory_id)
        .join(company_territories, company_territories.c.company_id == buyer.company_id)
        .where(buyer.id.in_(buyer_ids)),
    ).subquery()
    # The territories of AMs only: most holders of a territory are buyers.
    am_territories = (select(user_territories).where(
        _held_by(user_territories.c.user_id, RoleKind.ACCOUNT_MANAGER)).subquery())
    by_territory = (select(buyer_territories.c.buyer_id, am_territories.c.user_id)
                    .join(am_territories,
                          am_territories.c.territory_id == buyer_territories.c.territory_id))
    direct = (select(buyer.id, buyer.account_manager_id)
              .where(buyer.id.in_(buyer_ids), buyer.account_manager_id.is_not(None)))
    pairs = union(direct, by_territory).subquery()
    query = (select(pairs.c[0].label("buyer_id"), am)
             .join(am, am.id == pairs.c[1])
             .where(am.roles.any(Role.kind == RoleKind.ACCOUNT_MANAGER),
                    am.status == UserStatus.ACTIVE, am.is_suspended == false())
             .order_by(am.first_name, am.last_name, am.id))
    if names_only:
        return query.with_only_columns(pairs.c[0], am.first_name, am.last_name)
    return query.options(lazyload(am.roles))


def attendee_candidates(user: User) -> Select:
    """Buyers this user may see in a meeting's buyer picker: every buyer for those who manage
    meetings for any AM, otherwise the buyers of the hosts they may choose."""
    if _manages_all_meetings(user):
        return users_with_role(RoleKind.BUYER)
    return buyers_looked_after_by(user)


# --- Who may watch what ------------------------------------------------------------------
#
# A programme, season or episode is open (every approved buyer sees it) or restricted (only
# the buyers granted it, personally, through their company or through a buyer group). A
# season is seen only with its programme, an episode only with its season. Internal users see
# the whole catalogue. Every page, email, export and link that names a programme or a
# screener goes through these.


def sees_whole_catalogue(user: User) -> bool:
    return user.is_internal


def _granted(user: User, item_column) -> Select:
    """Ids (of `item_column`, an AccessGrant column) of the items granted to the user."""
    grantee = (AccessGrant.user_id == user.id) | AccessGrant.group_id.in_(
        select(buyer_group_members.c.group_id).where(buyer_group_members.c.user_id == user.id))
    if user.company_id is not None:
        grantee = grantee | (AccessGrant.company_id == user.company_id)
    return select(item_column).where(grantee, item_column.is_not(None)).correlate(None)


def programme_visible(user: User):
    """A where-clause on Programme: the user may see it."""
    if sees_whole_catalogue(user):
        return true()
    return (Programme.restricted == false()) | Programme.id.in_(
        _granted(user, AccessGrant.programme_id))


def _visible_programme_ids(user: User) -> Select:
    return select(Programme.id).where(programme_visible(user)).correlate(None)


def season_visible(user: User):
    """A where-clause on Season: the user may see it and its programme."""
    if sees_whole_catalogue(user):
        return true()
    own = (Season.restricted == false()) | Season.id.in_(_granted(user, AccessGrant.season_id))
    return own & Season.programme_id.in_(_visible_programme_ids(user))


def _visible_season_ids(user: User) -> Select:
    return select(Season.id).where(season_visible(user)).correlate(None)


def episode_visible(user: User):
    """A where-clause on Episode: the user may see it, its season and its programme."""
    if sees_whole_catalogue(user):
        return true()
    own = (Episode.restricted == false()) | Episode.id.in_(
        _granted(user, AccessGrant.episode_id))
    return own & Episode.season_id.in_(_visible_season_ids(user))


def programmes_visible_to(user: User) -> Select:
    """The programmes this user may see (open, or granted to them), by title."""
    return (select(Programme).where(programme_visible(user))
            .order_by(Programme.title, Programme.id))


def seasons_visible_to(user: User) -> Select:
    return select(Season).where(season_visible(user))


def episodes_visible_to(user: User) -> Select:
    return select(Episode).where(episode_visible(user))


CATALOGUE_ITEMS = {"programme": (Programme, programme_visible),
                   "season": (Season, season_visible),
                   "episode": (Episode, episode_visible)}


def may_see_item(user: User, kind: str, item_id: int) -> bool:
    """May the user see this programme, season or episode (and so watch its screener)?"""
    model, visible = CATALOGUE_ITEMS[kind]
    return db.session.scalar(select(model.id).where(model.id == item_id, visible(user))) \
        is not None


def may_see_programme(user: User, programme_id: int) -> bool:
    return may_see_item(user, "programme", programme_id)


def list_item_visible(user: User):
    """A where-clause on ListItem: the user may see its programme, season and episode."""
    if sees_whole_catalogue(user):
        return true()
    return (ListItem.programme_id.in_(_visible_programme_ids(user))
            & (ListItem.season_id.is_(None) | ListItem.season_id.in_(_visible_season_ids(user)))
            & (ListItem.episode_id.is_(None)
               | ListItem.episode_id.in_(select(Episode.id).where(episode_visible(user))
                                         .correlate(None))))


def screeners_visible_to(user: User) -> Select:
    """(kind, id) rows of the screeners this user may watch: of every programme, season and
    episode they may see that has one."""
    return union(
        select(literal("programme").label("kind"), Programme.id.label("id"))
        .where(Programme.screener_url.is_not(None), programme_visible(user)),
        select(literal("season"), Season.id)
        .where(Season.screener_url.is_not(None), season_visible(user)),
        select(literal("episode"), Episode.id)
        .where(Episode.screener_url.is_not(None), episode_visible(user)))


def list_item_open():
    """A where-clause on ListItem: its programme, season and episode are all open."""
    def open_ids(model):
        return select(model.id).where(model.restricted == false()).correlate(None)

    return (ListItem.programme_id.in_(open_ids(Programme))
            & (ListItem.season_id.is_(None) | ListItem.season_id.in_(open_ids(Season)))
            & (ListItem.episode_id.is_(None) | ListItem.episode_id.in_(open_ids(Episode))))


def visible_items(user: User | None, items: list) -> list:
    """The list items (already loaded) this user may see, in their order. `None` is someone
    with no account (a personal link's recipient): they see the open items only."""
    if not items or (user is not None and sees_whole_catalogue(user)):
        return list(items)
    rule = list_item_visible(user) if user is not None else list_item_open()
    ids = set(db.session.scalars(select(ListItem.id).where(
        ListItem.id.in_([item.id for item in items]), rule)))
    return [item for item in items if item.id in ids]


def hidden_parts(user: User, programme: Programme) -> tuple[set[int], set[int]]:
    """Ids of the programme's seasons and episodes this user may not see."""
    if sees_whole_catalogue(user):
        return set(), set()
    seasons = set(db.session.scalars(select(Season.id).where(
        Season.programme_id == programme.id, ~season_visible(user))))
    episodes = set(db.session.scalars(
        select(Episode.id).join(Season, Season.id == Episode.season_id)
        .where(Season.programme_id == programme.id, ~episode_visible(user))))
    return seasons, episodes


def may_grant_access(user: User) -> bool:
    """"Grant screener access": may open restricted items to the recipients of a share or
    a meeting summary."""
    return user.can(Permission.GRANT_SCREENER_ACCESS)
