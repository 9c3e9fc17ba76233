"""Lists: create, fill, order, annotate, duplicate and export (sharing: list_sharing)."""

import csv
import io
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from webapp import access
from webapp.extensions import db
from webapp.mail.service import absolute_url
from webapp.models import (
    Episode,
    ListItem,
    ListKind,
    Programme,
    ProgrammeList,
    Season,
    User,
)
from webapp.permissions import Permission
from webapp.services import DomainError
from webapp.services.notes import ITEM_NOTE, save_if_current
from webapp.services.row_locks import lock
from webapp.services.spreadsheets import safe_cell

KIND_LABELS = {ListKind.MY: "My list", ListKind.BUYER: "Buyer list",
               ListKind.GLOBAL: "Global list"}


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Give the list a name.", field="name")
    return name


def kinds_for(user: User) -> list[ListKind]:
    """The kinds of list this user may create."""
    kinds = [ListKind.MY]
    if user.is_admin or user.is_account_manager:
        kinds.append(ListKind.BUYER)
    if user.can(Permission.MANAGE_GLOBAL_LISTS):
        kinds.append(ListKind.GLOBAL)
    return kinds


def create_list(owner: User, name: str, kind: ListKind = ListKind.MY,
                buyer: User | None = None) -> ProgrammeList:
    if not access.may_create_lists(owner) or kind not in kinds_for(owner):
        raise DomainError("You cannot create this kind of list.", field="kind")
    if kind == ListKind.BUYER:
        if buyer is None:
            raise DomainError("Choose the buyer this list is for.", field="buyer")
        in_scope = access.buyers_looked_after_by(owner).where(User.id == buyer.id)
        if db.session.scalar(in_scope) is None:
            raise DomainError("Choose one of your buyers.", field="buyer")
    programme_list = ProgrammeList(name=_clean_name(name), kind=kind, owner=owner,
                                   buyer=buyer if kind == ListKind.BUYER else None)
    db.session.add(programme_list)
    db.session.flush()
    return programme_list


def rename_list(programme_list: ProgrammeList, name: str) -> None:
    programme_list.name = _clean_name(name)
    db.session.flush()


def delete_list(programme_list: ProgrammeList) -> None:
    db.session.delete(programme_list)
    db.session.flush()


def _touch(programme_list: ProgrammeList) -> None:
    programme_list.updated_at = datetime.now(UTC)


def add_item(programme_list: ProgrammeList, programme: Programme, season: Season | None = None,
             episode: Episode | None = None, note: str = "") -> ListItem:
    """Append a programme, season or episode; the season and episode must be the programme's."""
    if episode is not None:
        season = episode.season
    if season is not None and season.programme_id != programme.id:
        raise DomainError("That season or episode belongs to another programme.")
    last = db.session.scalar(select(func.max(ListItem.position))
                             .where(ListItem.list_id == programme_list.id))
    item = ListItem(list=programme_list, programme=programme, season=season, episode=episode,
                    note=note, position=(last or 0) + 1)
    db.session.add(item)
    _touch(programme_list)
    db.session.flush()
    return item


def _renumber(programme_list: ProgrammeList) -> None:
    for position, item in enumerate(programme_list.items, start=1):
        item.position = position


def remove_item(item: ListItem) -> None:
    programme_list = item.list
    programme_list.items.remove(item)
    _renumber(programme_list)
    _touch(programme_list)
    db.session.flush()


def move_item(item: ListItem, offset: int) -> None:
    """Move an item up (offset < 0) or down (offset > 0), staying within the list."""
    items = list(item.list.items)
    index = items.index(item)
    target = max(0, min(len(items) - 1, index + offset))
    items.insert(target, items.pop(index))
    for position, each in enumerate(items, start=1):
        each.position = position
    _touch(item.list)
    db.session.flush()
    db.session.expire(item.list, ["items"])


def parse_order(text: str) -> list[int]:
    """An order as a browser sends it ("12,7,9"): the item ids, each once, else DomainError."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not all(part.isascii() and part.isdigit() and len(part) <= 10 for part in parts):
        raise DomainError("An order is a list of item ids.")
    ids = [int(part) for part in parts]
    if not ids or len(ids) != len(set(ids)) or len(ids) > 10_000:
        raise DomainError("An order names each item once.")
    return ids


def reorder_items(programme_list: ProgrammeList, ordered_ids: list[int]) -> None:
    """Put the items named in this order, in the places they hold between them; items not
    named (added meanwhile) keep their places, ids no longer on the list are passed over.
    The same order sent twice gives the same list: safe to repeat from a device's outbox."""
    lock(programme_list)  # two orders at once: one after the other, never interleaved
    items = list(programme_list.items)
    by_id = {item.id: item for item in items}
    wanted = set(ordered_ids)
    named = [by_id[i] for i in ordered_ids if i in by_id]
    slots = [index for index, item in enumerate(items) if item.id in wanted]
    for index, item in zip(slots, named, strict=True):
        items[index] = item
    for position, each in enumerate(items, start=1):
        each.position = position
    _touch(programme_list)
    db.session.flush()
    db.session.expire(programme_list, ["items"])


def update_note(item: ListItem, note: str, based_on_version: int | None) -> ListItem:
    """Save a note; if it changed since `based_on_version`, raise notes.NoteConflict."""
    if save_if_current(item, ITEM_NOTE, note, based_on_version):
        _touch(item.list)
    db.session.flush()
    return item


def duplicate_list(programme_list: ProgrammeList, owner: User,
                   name: str | None = None) -> ProgrammeList:
    """A copy in the owner's own lists, with every item and note."""
    copy = create_list(owner, name or f"Copy of {programme_list.name}", ListKind.MY)
    for item in programme_list.items:
        db.session.add(ListItem(list=copy, programme_id=item.programme_id,
                                season_id=item.season_id, episode_id=item.episode_id,
                                note=item.note, position=item.position))
    db.session.flush()
    return copy


def list_with_items(list_id: int):
    """A select of one list with its items and their catalogue entries loaded."""
    return select(ProgrammeList).where(ProgrammeList.id == list_id).options(
        selectinload(ProgrammeList.items).joinedload(ListItem.programme)
        .selectinload(Programme.genres),
        selectinload(ProgrammeList.items).selectinload(ListItem.season),
        selectinload(ProgrammeList.items).selectinload(ListItem.episode),
    )


def list_item(list_id: int, item_id: int):
    """A select of one item of a list, with its catalogue entries loaded."""
    return select(ListItem).where(ListItem.id == item_id, ListItem.list_id == list_id).options(
        joinedload(ListItem.programme).selectinload(Programme.genres),
        joinedload(ListItem.season), joinedload(ListItem.episode))


def item_count(programme_list: ProgrammeList) -> int:
    """How many items the list holds, counted without loading them."""
    return db.session.scalar(select(func.count()).where(ListItem.list_id == programme_list.id))


CSV_COLUMNS = ["Position", "Title", "Season", "Episode", "Type", "Year", "Genres", "Note",
               "Screener", "Link"]


def export_csv(items: list[ListItem]) -> str:
    """The items (those of a list the reader may see) as CSV."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in items:
        programme = item.programme
        writer.writerow([safe_cell(v) for v in (
            item.position, programme.title, item.season or "", item.episode or "",
            programme.programme_type, programme.year or "",
            "; ".join(g.name for g in programme.genres), item.note, item.screener_url or "",
            absolute_url("catalogue.programme", programme_id=programme.id))])
    return out.getvalue()
