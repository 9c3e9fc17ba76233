"""Adding titles to a list from where people find them: the catalogue's grid and a
programme's page. A title already on the list is not added twice."""

import re

from webapp import access
from webapp.extensions import db
from webapp.models import Episode, ListKind, Programme, ProgrammeList, Season, User
from webapp.services import DomainError
from webapp.services.lists import add_item, create_list
from webapp.services.row_locks import lock

CATALOGUE_REF = re.compile(r"(programme|season|episode):([1-9][0-9]{0,9})")
MAX_ADDED = 200


def read_catalogue_refs(values: list[str]) -> list[tuple[str, int]]:
    """("programme", 12) pairs from "programme:12" values, each once, in order; anything
    else is refused."""
    refs = []
    for value in values:
        match = CATALOGUE_REF.fullmatch(value or "")
        if match is None or int(match[2]) > 2**31 - 1:
            raise DomainError("Choose titles from the catalogue.", field="items")
        if (ref := (match[1], int(match[2]))) not in refs:
            refs.append(ref)
    if not refs:
        raise DomainError("Tick at least one title to add.", field="items")
    if len(refs) > MAX_ADDED:
        raise DomainError(f"Add at most {MAX_ADDED} titles at once.", field="items")
    return refs


def _entry(user: User, kind: str, item_id: int) -> tuple[Programme, Season | None,
                                                           Episode | None]:
    model = {"programme": Programme, "season": Season, "episode": Episode}[kind]
    item = db.session.get(model, item_id)
    if item is None or not access.may_see_item(user, kind, item_id):
        raise DomainError("One of the titles is no longer in the catalogue.", field="items")
    if kind == "programme":
        return item, None, None
    if kind == "season":
        return item.programme, item, None
    return item.season.programme, item.season, item


def add_to_list(user: User, target_id: int | None, new_name: str,
                refs: list[tuple[str, int]]) -> tuple[ProgrammeList, int, int]:
    """Add the titles to one of the user's lists (`target_id`), or to a new one named
    `new_name`, each once: a title already on the list is not added again. Returns the
    list, how many were added and how many were there already."""
    entries = [_entry(user, kind, item_id) for kind, item_id in refs]
    if not target_id:
        if not (new_name or "").strip():
            raise DomainError("Name the new list, or choose one of yours.", field="new_name")
        target = create_list(user, new_name, ListKind.MY)
    else:
        target = db.session.scalar(access.lists_to_add_to(user)
                                   .where(ProgrammeList.id == target_id))
        if target is None:
            raise DomainError("Choose one of your lists.", field="target")
        lock(target)
    present = {(i.programme_id, i.season_id, i.episode_id) for i in target.items}
    added = 0
    for programme, season, episode in entries:
        key = (programme.id, season and season.id, episode and episode.id)
        if key not in present:
            add_item(target, programme, season, episode)
            present.add(key)
            added += 1
    return target, added, len(entries) - added


def titles_of(user: User, values: list[str]) -> list[tuple[str, str]]:
    """(value, label) of the "programme:12"-style values that name titles the user may see,
    for a form sent again."""
    titles = []
    for value in values[:MAX_ADDED]:
        match = CATALOGUE_REF.fullmatch(value or "")
        if match is None or int(match[2]) > 2**31 - 1:
            continue
        try:
            programme, season, episode = _entry(user, match[1], int(match[2]))
        except DomainError:
            continue
        parts = [programme.title, *(str(p) for p in (season, episode) if p is not None)]
        titles.append((value, " · ".join(parts)))
    return titles
