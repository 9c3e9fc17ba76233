"""What "My Account Managers" shows a Sales Coordinator: each of their AMs and how they are
linked, and the buyers of them all in one table, each with the AMs (among the SC's) they
belong to and how. The relationships are access.py's; this puts a page of them together in
a fixed handful of statements, whatever the number of buyers."""

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from webapp import access
from webapp.extensions import db
from webapp.models import ActivityDay, Company, User
from webapp.search import matches_person, text_matches
from webapp.web.pagination import paginate


class Link(NamedTuple):
    """An Account Manager, and whether the link to them is direct, by territory or both."""

    account_manager: User
    direct: bool
    by_territory: bool


class BuyerRow(NamedTuple):
    buyer: User
    links: list[Link]  # the SC's AMs the buyer belongs to, by name
    last_activity: datetime | None


def account_manager_links(sales_coordinator: User) -> list[Link]:
    """The SC's Account Managers (direct and by territory), by name, territories loaded."""
    rows = db.session.execute(access.account_manager_links(sales_coordinator).options(
        selectinload(User.territories), lazyload(User.roles)))
    return [Link(*row) for row in rows]


def _matching(query, sales_coordinator: User, search: str):
    """Buyers whose name, email or company matches, and those of the SC's AMs whose name or
    email does (so "alice" lists Alice's buyers)."""
    matched = matches_person(search) | User.company.has(text_matches(Company.name, search))
    am_ids = db.session.scalars(access.account_managers_of(sales_coordinator)
                                .with_only_columns(User.id).where(matches_person(search))
                                .order_by(None)).all()
    for am_id in am_ids:
        matched = matched | User.id.in_(access.people_of_account_manager(am_id))
    return query.where(matched)


def buyers_page(sales_coordinator: User, links: list[Link], search: str, page: int,
                per_page: int):
    """A page of the buyers of the SC's AMs matching `search`, by name: the pagination, and
    its rows as BuyerRows."""
    query = access.buyers_of_account_managers_of(sales_coordinator).options(
        joinedload(User.company), lazyload(User.roles))
    if search.strip():
        query = _matching(query, sales_coordinator, search)
    pagination = paginate(query, page, per_page)
    ids = [buyer.id for buyer in pagination.items]
    if not ids:
        return pagination, []
    managers = {link.account_manager.id: link.account_manager for link in links}
    paths: dict[int, list[Link]] = {}
    for buyer_id, am_id, direct, by_territory in db.session.execute(
            access.account_manager_links_of_buyers(ids, list(managers))):
        paths.setdefault(buyer_id, []).append(Link(managers[am_id], direct, by_territory))
    last = dict(db.session.execute(
        select(ActivityDay.user_id, func.max(ActivityDay.last_at))
        .where(ActivityDay.user_id.in_(ids)).group_by(ActivityDay.user_id)).all())
    return pagination, [BuyerRow(b, paths.get(b.id, []), last.get(b.id))
                        for b in pagination.items]
