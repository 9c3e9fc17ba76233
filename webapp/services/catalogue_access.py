"""Who may watch what: restricting catalogue items, granting them, buyer groups, and the
access report. The rule itself (who sees what) lives in access.py.

Every grant and revocation is written to the audit log (the security log, event
"access.granted" / "access.revoked") and the grant row keeps who made it, when and why.
Callers commit.
"""

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp import access
from webapp.audit import security_event
from webapp.extensions import db
from webapp.models import (
    AccessGrant,
    ActivityEvent,
    BuyerGroup,
    Company,
    Episode,
    EventKind,
    ListItem,
    Programme,
    RoleKind,
    Season,
    User,
)
from webapp.search import matches_person
from webapp.services import DomainError
from webapp.services import places as place_service
from webapp.services.row_locks import lock
from webapp.services.spreadsheets import safe_cell

ITEM_COLUMNS = {Programme: "programme_id", Season: "season_id", Episode: "episode_id"}
GRANTEE_COLUMNS = {User: "user_id", Company: "company_id", BuyerGroup: "group_id"}
ITEM_KINDS = {"programme": Programme, "season": Season, "episode": Episode}


def item_label(item) -> str:
    if isinstance(item, Programme):
        return item.title
    if isinstance(item, Season):
        return f"{item.programme.title} · {item}"
    return f"{item.season.programme.title} · {item.season} · Episode {item.number}"


def set_restricted(item, restricted: bool, by: User) -> None:
    """Make a programme, season or episode restricted (granted buyers only) or open."""
    if item.restricted != restricted:
        item.restricted = restricted
        security_event("access.restricted" if restricted else "access.opened", by,
                       item=f"{type(item).__name__.lower()}:{item.id}")
    db.session.flush()


def grants_of(item) -> list[AccessGrant]:
    """The item's grants: buyers, companies and groups, by when they were made."""
    column = getattr(AccessGrant, ITEM_COLUMNS[type(item)])
    return list(db.session.scalars(
        select(AccessGrant).where(column == item.id)
        .options(selectinload(AccessGrant.user), selectinload(AccessGrant.company),
                 selectinload(AccessGrant.group))
        .order_by(AccessGrant.granted_at, AccessGrant.id)))


def grant(item, grantee, by: User, reason: str = "Admin") -> AccessGrant:
    """Grant a programme, season or episode to a buyer, a company or a buyer group; one
    already granted stays as it is (the existing grant is returned). The item's row is
    locked first, so two grants at the same moment make one row."""
    if isinstance(grantee, User) and not (grantee.is_buyer and not grantee.is_internal):
        raise DomainError("Only buyers can be granted access; internal users see everything.",
                          field="grantee")
    lock(item)
    item_column = ITEM_COLUMNS[type(item)]
    grantee_column = GRANTEE_COLUMNS[type(grantee)]
    existing = db.session.scalar(select(AccessGrant).where(
        getattr(AccessGrant, item_column) == item.id,
        getattr(AccessGrant, grantee_column) == grantee.id))
    if existing is not None:
        return existing
    row = AccessGrant(granted_by=by, reason=reason[:300],
                      **{item_column: item.id, grantee_column: grantee.id})
    db.session.add(row)
    db.session.flush()
    security_event("access.granted", by, item=f"{item_column[:-3]}:{item.id}",
                   grantee=f"{grantee_column[:-3]}:{grantee.id}", grant=row.id)
    return row


def revoke(row: AccessGrant, by: User) -> None:
    security_event("access.revoked", by, grant=row.id)
    db.session.delete(row)
    db.session.flush()


# --- Granting while sharing --------------------------------------------------------------


def restricted_parts(items: list[ListItem]) -> list:
    """The restricted programmes, seasons and episodes the list items carry, each once."""
    found, seen = [], set()
    for item in items:
        for part in (item.programme, item.season, item.episode):
            if part is not None and part.restricted and (type(part), part.id) not in seen:
                seen.add((type(part), part.id))
                found.append(part)
    return found


def has_restricted_items(list_id: int | None) -> bool:
    """Does the list carry a restricted programme, season or episode? (One statement.)"""
    if list_id is None:
        return False
    restricted = (select(ListItem.id)
                  .outerjoin(Programme, Programme.id == ListItem.programme_id)
                  .outerjoin(Season, Season.id == ListItem.season_id)
                  .outerjoin(Episode, Episode.id == ListItem.episode_id)
                  .where(ListItem.list_id == list_id,
                         Programme.restricted | Season.restricted.is_(True)
                         | Episode.restricted.is_(True)))
    return db.session.scalar(restricted.limit(1)) is not None


def grant_for_sharing(items: list[ListItem], buyers: list[User], by: User,
                      reason: str) -> list[AccessGrant]:
    """Grant each restricted part of the items to each buyer who does not see it yet;
    only for a user holding "grant screener access"."""
    if not access.may_grant_access(by):
        raise DomainError("You may not grant access to restricted titles.")
    made = []
    for part in restricted_parts(items):
        kind = ITEM_COLUMNS[type(part)][:-3]
        for buyer in buyers:
            if not access.may_see_item(buyer, kind, part.id):
                made.append(grant(part, buyer, by, reason))
    return made


# --- Buyer groups ------------------------------------------------------------------------


def create_group(name: str) -> BuyerGroup:
    return place_service.create_named(BuyerGroup, name)


def rename_group(group: BuyerGroup, name: str) -> BuyerGroup:
    return place_service.rename(group, name)


def delete_group(group: BuyerGroup) -> None:
    """Delete a group; what was granted to it is no longer seen through it."""
    db.session.delete(group)
    db.session.flush()


def add_member(group: BuyerGroup, buyer: User | None) -> None:
    if buyer is None or not buyer.is_buyer or buyer.is_internal:
        raise DomainError("Choose a buyer.", field="buyer")
    if buyer not in group.members:
        group.members.append(buyer)
    db.session.flush()


def remove_member(group: BuyerGroup, buyer: User) -> None:
    if buyer in group.members:
        group.members.remove(buyer)
    db.session.flush()


def buyer_candidates(search: str = "", exclude_group: BuyerGroup | None = None):
    """Buyers to add to a group (or grant an item to), filtered by name or email."""
    query = access.users_with_role(RoleKind.BUYER).where(access.is_external_buyer())
    if exclude_group is not None:
        query = query.where(~User.id.in_([member.id for member in exclude_group.members]))
    return query.where(matches_person(search)) if search.strip() else query


# --- The access report -------------------------------------------------------------------


@dataclass
class AccessLine:
    kind: str
    item: object
    label: str
    who_can_see: list[str]
    watched_by: list[str]


def _restricted_items() -> list[tuple[str, object]]:
    items = [("programme", p) for p in db.session.scalars(
        select(Programme).where(Programme.restricted).order_by(Programme.title))]
    items += [("season", s) for s in db.session.scalars(
        select(Season).join(Programme).where(Season.restricted)
        .order_by(Programme.title, Season.number))]
    items += [("episode", e) for e in db.session.scalars(
        select(Episode).join(Season).join(Programme).where(Episode.restricted)
        .order_by(Programme.title, Season.number, Episode.number))]
    return items


def _who_can_see(item) -> list[str]:
    names = []
    for row in grants_of(item):
        if row.user is not None:
            names.append(f"{row.user.full_name} <{row.user.email}>")
        elif row.company is not None:
            names.append(f"Company: {row.company.name}")
        else:
            names.append(f"Group: {row.group.name}")
    return names


def _watched_by(programme_id: int) -> list[str]:
    """Buyers who played a screener of the programme (activity events count plays by
    programme, whichever of its screeners was opened)."""
    people = db.session.execute(
        select(User.first_name, User.last_name, User.email).distinct()
        .join(ActivityEvent, ActivityEvent.user_id == User.id)
        .where(ActivityEvent.programme_id == programme_id,
               ActivityEvent.kind == EventKind.SCREENER_PLAY.value)
        .order_by(User.first_name, User.last_name, User.email))
    return [f"{first} {last} <{email}>" for first, last, email in people]


def access_report() -> list[AccessLine]:
    """Each restricted item: who may see it (grants) and who watched it."""
    lines = []
    for kind, item in _restricted_items():
        programme_id = (item.id if kind == "programme" else
                        item.programme_id if kind == "season" else item.season.programme_id)
        lines.append(AccessLine(kind, item, item_label(item), _who_can_see(item),
                                _watched_by(programme_id)))
    return lines


REPORT_COLUMNS = ["Item", "Kind", "Who can see it", "Watched by"]


def access_report_csv() -> str:
    """The access report as CSV, each cell as text a spreadsheet shows rather than runs."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REPORT_COLUMNS)
    for line in access_report():
        writer.writerow([safe_cell(value) for value in (
            line.label, line.kind, "; ".join(line.who_can_see), "; ".join(line.watched_by))])
    return out.getvalue()
