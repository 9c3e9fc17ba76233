"""What a meeting may name: the host an editor may choose, the buyers they may add, the
list its own list may start from. The meeting form's checks (services.meetings) and its
buyer picker ask the same functions, so the two never disagree."""

from sqlalchemy.orm import joinedload, lazyload, selectinload

from webapp import access
from webapp.extensions import db
from webapp.models import Meeting, ProgrammeList, User
from webapp.services import DomainError
from webapp.services.lists import list_with_items


def meeting_buyers(host: User):
    """The host's buyers for the meeting form (access.buyers_of_host: an SC hosting
    themselves brings their AMs' buyers), with their company and territories loaded
    (their roles, which the picker does not show, only if asked for)."""
    return access.buyers_of_host(host).options(joinedload(User.company),
                                               selectinload(User.territories),
                                               lazyload(User.roles))


def choosable_host(editor: User, host_id: int | None,
                   meeting: Meeting | None = None) -> User | None:
    """The host with id `host_id`, if `editor` may choose them (access.hosts_available_to),
    or the meeting already has them; else None. The form's buyer picker shows only this
    host's buyers, so a host typed in by hand opens nobody's."""
    if not host_id:
        return None
    if meeting is not None and meeting.host_id == host_id:
        return meeting.host
    return db.session.scalar(access.hosts_available_to(editor).where(User.id == host_id))


def chosen_attendees(editor: User, ids: list[int]) -> list[User]:
    """The buyers with these ids that `editor` may see in the buyer picker
    (access.attendee_candidates), each once, in the order chosen, with their company and
    territories loaded."""
    if not ids:
        return []
    found = {u.id: u for u in db.session.scalars(
        access.attendee_candidates(editor).where(User.id.in_(ids))
        .options(joinedload(User.company), selectinload(User.territories),
                 lazyload(User.roles)))}
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def buyers_not_of(host: User | None, buyers: list[User]) -> list[User]:
    """The buyers who are not among the host's buyers (all of them without a host)."""
    if not buyers:
        return []
    if host is None:
        return list(buyers)
    ids = [b.id for b in buyers]
    belonging = set(db.session.scalars(
        access.buyers_of_host(host).with_only_columns(User.id).order_by(None)
        .where(User.id.in_(ids))))
    return [b for b in buyers if b.id not in belonging]


def visible_source_list(editor: User, list_id: int | None) -> ProgrammeList | None:
    """The list to start the meeting's list from, if the editor may see it."""
    if not list_id:
        return None
    source = db.session.scalar(list_with_items(list_id).where(
        ProgrammeList.id.in_(access.lists_visible_to(editor).with_only_columns(ProgrammeList.id))))
    if source is None:
        raise DomainError("Choose one of the lists you can see.", field="source_list")
    return source
