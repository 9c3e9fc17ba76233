"""Sharing a list by email: each recipient, a registered buyer or an address with no
account, gets a personal link that shows the list and plays its screeners without logging
in, until it expires, is revoked or has been opened as often as the sharer allowed.

The link's token is in the email only; the share keeps its SHA-256 digest, so the table
read by someone else opens no list. Every view and play through a link is recorded against
its share (and, for a registered buyer, in their activity too)."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from webapp import access
from webapp.audit import acting_event
from webapp.extensions import db
from webapp.mail.service import absolute_url, queue_email
from webapp.models import (
    EmailSource,
    LinkEventKind,
    ListItem,
    ListShare,
    ProgrammeList,
    ShareLinkEvent,
    User,
)
from webapp.services import DomainError
from webapp.services.activity import record_link_event, tracked_link
from webapp.services.catalogue_access import grant_for_sharing
from webapp.services.row_locks import lock
from webapp.times import as_utc

DEFAULT_DAYS = 14
LONGEST_DAYS = 90
MOST_VIEWS = 1000
MOST_RECIPIENTS = 50
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")


class LinkNotFound(DomainError):
    """No share has this token: mistyped, cut short, or never made."""


class LinkGone(DomainError):
    """The link worked once and no longer does: expired, revoked or used up."""


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def addresses_in(text: str) -> list[str]:
    """The email addresses typed into one box (commas, semicolons, spaces or lines between
    them), each once, normalised; a malformed one is refused by name."""
    found, problems = [], []
    for part in re.split(r"[\s,;]+", text or ""):
        if not part:
            continue
        try:
            address = validate_email(part, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            problems.append(part[:80])
            continue
        if address not in found:
            found.append(address)
    if problems:
        raise DomainError(f"Not an email address: {', '.join(problems)}.", field="emails")
    return found


def _check_buyers(sharer: User, buyers: list[User]) -> None:
    """The chosen buyers must be the sharer's (access.buyers_looked_after_by)."""
    in_reach = access.buyers_looked_after_by(sharer).order_by(None)
    ids = [buyer.id for buyer in buyers]
    reachable = set(db.session.scalars(in_reach.with_only_columns(User.id)
                                       .where(User.id.in_(ids)))) if ids else set()
    if len(reachable) != len(set(ids)):
        raise DomainError("Choose buyers from your own buyers.", field="buyers")


def _accounts_by_address(sharer: User, addresses: list[str]) -> dict[str, User]:
    """Typed addresses that belong to an account: each must be one of the sharer's buyers."""
    if not addresses:
        return {}
    accounts = db.session.scalars(select(User).where(func.lower(User.email).in_(addresses)))
    found = {account.email.lower(): account for account in accounts}
    if not found:
        return {}
    reachable = set(db.session.scalars(
        access.buyers_looked_after_by(sharer).order_by(None).with_only_columns(User.id)
        .where(User.id.in_([account.id for account in found.values()]))))
    outside = sorted(address for address, account in found.items()
                     if account.id not in reachable)
    if outside:
        raise DomainError(f"{', '.join(outside)}: this address belongs to an account that is "
                          "not one of your buyers.", field="emails")
    return found


@dataclass
class Recipient:
    email: str
    buyer: User | None


def recipients_of(sharer: User, buyers: list[User], emails_text: str) -> list[Recipient]:
    """Who a share goes to, each once: the chosen buyers, then the typed addresses (an
    address of one of the sharer's buyers counts as that buyer)."""
    addresses = addresses_in(emails_text)
    _check_buyers(sharer, buyers)
    accounts = _accounts_by_address(sharer, addresses)
    chosen: dict[str, Recipient] = {}
    for buyer in [*buyers, *accounts.values()]:
        chosen.setdefault(buyer.email.lower(), Recipient(buyer.email, buyer))
    for address in addresses:
        chosen.setdefault(address, Recipient(address, None))
    if not chosen:
        raise DomainError("Choose at least one buyer or type an email address.",
                          field="buyers")
    if len(chosen) > MOST_RECIPIENTS:
        raise DomainError(f"Share with at most {MOST_RECIPIENTS} recipients at once.",
                          field="emails")
    return list(chosen.values())


def _check_terms(days: int | None, max_views: int | None) -> None:
    if days is None or not 1 <= days <= LONGEST_DAYS:
        raise DomainError(f"Links last from 1 to {LONGEST_DAYS} days.", field="days")
    if max_views is not None and not 1 <= max_views <= MOST_VIEWS:
        raise DomainError(f"Allow from 1 to {MOST_VIEWS} views, or leave it empty.",
                          field="max_views")


def share_list(programme_list: ProgrammeList, by: User, buyers: list[User] = (),
               emails: str = "", message: str = "", days: int | None = DEFAULT_DAYS,
               max_views: int | None = None, grant_access: bool = False) -> list[ListShare]:
    """Email the list to each recipient with a link of their own; returns the shares. Each
    sees the items they may see (access.visible_items); with `grant_access`, the registered
    buyers are first granted the list's restricted titles (catalogue_access.grant_for_sharing
    checks the sharer may).

    The caller makes the form safe to repeat (a one-time form token) and commits."""
    _check_terms(days, max_views)
    recipients = recipients_of(by, list(buyers), emails)
    if not programme_list.items:
        raise DomainError("Add at least one programme before sharing the list.")
    if grant_access:
        grant_for_sharing(programme_list.items,
                          [recipient.buyer for recipient in recipients if recipient.buyer],
                          by, f"Shared list “{programme_list.name}”")
    now = datetime.now(UTC)
    shares = []
    for recipient in recipients:
        token = secrets.token_urlsafe(32)
        acting_for = _acting_for(by, recipient.buyer)
        share = ListShare(list=programme_list, buyer=recipient.buyer, email=recipient.email,
                          shared_by=by, message=(message or "").strip(), shared_at=now,
                          token_digest=digest_of(token), expires_at=now + timedelta(days=days),
                          max_views=max_views,
                          acting_for=acting_for if acting_for is not by else None)
        db.session.add(share)
        db.session.flush()
        shares.append(share)
        _email(share, token, acting_for)
        acting_event("list.shared", by, acting_for, list=programme_list.id, share=share.id)
    return shares


def _acting_for(sharer: User, buyer: User | None) -> User:
    """Whose name a share carries: an AM's own, or, for an SC sending to a registered buyer,
    that buyer's Account Manager among the SC's (the SC's own otherwise)."""
    if buyer is not None and not sharer.is_account_manager and sharer.is_sales_coordinator:
        account_manager = db.session.scalars(
            access.account_managers_acting_for(sharer, buyer).limit(1)).first()
        if account_manager is not None:
            return account_manager
    return sharer


def _email(share: ListShare, token: str, acting_for: User) -> None:
    programme_list, buyer = share.list, share.buyer

    def item_link(item: ListItem) -> str | None:
        """A registered buyer's link to the programme's page, counting the click."""
        if buyer is None:
            return None
        return tracked_link(buyer, absolute_url("catalogue.programme",
                                                programme_id=item.programme_id),
                            source=EmailSource.LIST_SHARE, list_id=programme_list.id,
                            programme_id=item.programme_id)

    queue_email(share.email, "list_shared",
                f"{acting_for.full_name} shared “{programme_list.name}”",
                sent_by=share.shared_by, acting_for=acting_for,
                buyer=buyer, sharer=acting_for, programme_list=programme_list,
                message=share.message, list_url=absolute_url("shared.show", link=token),
                expires_at=as_utc(share.expires_at), max_views=share.max_views,
                items=[(item, item_link(item)) for item in items_shown_by(share)])


# --- Opening a link ---------------------------------------------------------------------


def share_of(token: str) -> ListShare:
    """The share a link's token names (LinkNotFound if none), whatever its state."""
    share = None
    if isinstance(token, str) and TOKEN.fullmatch(token):
        share = db.session.scalar(select(ListShare).where(
            ListShare.token_digest == digest_of(token)))
    if share is None:
        raise LinkNotFound("This link does not lead to a list. Check that it was copied whole.")
    return share


def views_of(share: ListShare) -> int:
    return db.session.scalar(select(func.count(ShareLinkEvent.id)).where(
        ShareLinkEvent.share_id == share.id, ShareLinkEvent.kind == LinkEventKind.LIST_VIEW))


def why_gone(share: ListShare, now: datetime | None = None) -> str | None:
    """Why the link no longer opens the list, or None while it does (views aside)."""
    now = now or datetime.now(UTC)
    if share.revoked_at is not None:
        return "The person who shared this list has withdrawn the link."
    if share.expires_at is not None and as_utc(share.expires_at) <= now:
        return f"This link expired on {as_utc(share.expires_at):%d %B %Y}."
    return None


def _usable(token: str) -> ListShare:
    share = share_of(token)
    if (reason := why_gone(share)) is not None:
        raise LinkGone(reason)
    return share


def open_link(token: str) -> ListShare:
    """A view of the shared list through its link: counted against the view cap (the share
    is locked while it is counted, so two views at once cannot both take the last one) and
    recorded. LinkNotFound or LinkGone when it does not open."""
    share = _usable(token)
    lock(share)
    if share.max_views is not None and views_of(share) >= share.max_views:
        raise LinkGone(f"This link has been opened the {share.max_views} times it allowed.")
    record_link_event(share, LinkEventKind.LIST_VIEW)
    return share


def play(token: str, item_id: int) -> str:
    """The screener of one item of the shared list, the play recorded: its address. A link
    that was opened may play its screeners until it expires or is revoked."""
    share = _usable(token)
    item = next((each for each in items_shown_by(share) if each.id == item_id), None)
    if item is None or item.screener_url is None:
        raise LinkNotFound("This list has no such screener.")
    record_link_event(share, LinkEventKind.SCREENER_PLAY, programme_id=item.programme_id)
    return item.screener_url


def items_shown_by(share: ListShare) -> list[ListItem]:
    """The items a link shows: the list's items, read as the list pages read them
    (lists.list_with_items), those its recipient may see (access.visible_items). Every page
    and export of a shared list goes through here."""
    from webapp.services.lists import list_with_items

    programme_list = db.session.scalar(list_with_items(share.list_id))
    items = list(programme_list.items) if programme_list is not None else []
    return access.visible_items(share.buyer, items)


# --- The list's page: who it went to, and revoking ----------------------------------------


@dataclass
class ShareLine:
    share: ListShare
    views: int
    plays: int
    last_opened: datetime | None
    gone: str | None


def shares_shown(viewer: User, programme_list: ProgrammeList) -> list[ShareLine]:
    """The list's shares this user may see (access.shares_visible_to), newest first, with
    what each recipient did through their link."""
    shares = db.session.scalars(access.shares_visible_to(viewer, programme_list)
                                .order_by(ListShare.shared_at.desc(), ListShare.id.desc())).all()
    counts = link_counts([share.id for share in shares])
    now = datetime.now(UTC)
    return [ShareLine(share, *counts.get(share.id, (0, 0, None)), why_gone(share, now))
            for share in shares]


def link_counts(share_ids) -> dict[int, tuple[int, int, datetime | None]]:
    """(views, plays, last opened) per share id."""
    event = ShareLinkEvent
    rows = db.session.execute(
        select(event.share_id,
               func.count(event.id).filter(event.kind == LinkEventKind.LIST_VIEW),
               func.count(event.id).filter(event.kind == LinkEventKind.SCREENER_PLAY),
               func.max(event.occurred_at))
        .where(event.share_id.in_(share_ids)).group_by(event.share_id)) if share_ids else []
    return {share_id: (views, plays, as_utc(last)) for share_id, views, plays, last in rows}


def revoke(share: ListShare, by: User) -> bool:
    """Withdraw the link (and a registered buyer's sight of the list through it); False if
    it was withdrawn already."""
    lock(share)
    if share.revoked_at is not None:
        return False
    share.revoked_at, share.revoked_by = datetime.now(UTC), by
    db.session.flush()
    return True
