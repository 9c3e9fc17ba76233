"""Territories, regions and companies."""

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import (
    BuyerGroup,
    Company,
    Region,
    Territory,
    User,
    company_territories,
    user_territories,
)
from webapp.services import DomainError

NOUNS = {Territory: "territory", Region: "region", Company: "company",
         BuyerGroup: "buyer group"}


def _taken(model, name: str) -> DomainError:
    return DomainError(f"A {NOUNS[model]} called “{name}” already exists.", field="name")


def _check_name_free(model, name: str, exclude_id: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Enter a name.", field="name")
    query = select(model.id).where(model.name_key == name.casefold())
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise _taken(model, name)
    return name


def _insert_unless_taken(model, name: str) -> int | None:
    """Insert a row named `name` and return its id; None if the name is taken, by a row
    committed or one another transaction is inserting now (waited for, on PostgreSQL, until
    it commits). Never a unique-key error, so the caller's transaction carries on."""
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    return db.session.scalar(
        insert(model.__table__).values(name=name, name_key=name.casefold())
        .on_conflict_do_nothing(index_elements=[model.name_key]).returning(model.id))


def create_named(model, name: str, **fields):
    """A new territory, region or company; a name already taken (case aside) is refused, also
    when two requests add it at the same moment."""
    name = _check_name_free(model, name)
    item_id = _insert_unless_taken(model, name)
    if item_id is None:
        raise _taken(model, name)
    item = db.session.get(model, item_id)
    for key, value in fields.items():
        setattr(item, key, value)
    db.session.flush()
    return item


def find_or_create_named(model, name: str):
    """The territory, region or company called `name` (case aside), created if there is none:
    two requests creating the same name at once both end up with the one row."""
    name = " ".join(name.split())
    existing = db.session.scalar(select(model).where(model.name_key == name.casefold()))
    if existing is not None:
        return existing
    item_id = _insert_unless_taken(model, name)
    if item_id is None:  # created by another request a moment ago
        return db.session.scalar(select(model).where(model.name_key == name.casefold()))
    return db.session.get(model, item_id)


def rename(item, name: str, **fields):
    """Rename a territory, region or company (and set its other `fields`); a name already
    taken (case aside) is refused, also when another request takes it at the same moment:
    the change is written in a savepoint, which the unique name key fails (on PostgreSQL
    once the other request has committed) without ending the caller's transaction."""
    model = type(item)
    name = _check_name_free(model, name, exclude_id=item.id)
    try:
        with db.session.begin_nested():
            item.name = name
            for key, value in fields.items():
                setattr(item, key, value)
    except IntegrityError:
        _check_name_free(model, name, exclude_id=item.id)  # taken meanwhile: refused here
        raise
    return item


def usage(item) -> dict[str, int]:
    """How many users and companies refer to a territory, region or company."""
    if isinstance(item, Company):
        return {"users": db.session.scalar(
            select(func.count()).where(User.company_id == item.id))}
    if isinstance(item, Region):
        return {
            "users": db.session.scalar(select(func.count()).where(User.region_id == item.id)),
            "companies": db.session.scalar(
                select(func.count()).where(Company.region_id == item.id)),
        }
    return {
        "users": db.session.scalar(select(func.count()).select_from(user_territories)
                                   .where(user_territories.c.territory_id == item.id)),
        "companies": db.session.scalar(select(func.count()).select_from(company_territories)
                                       .where(company_territories.c.territory_id == item.id)),
    }


def delete_named(item) -> None:
    """Delete a territory, region or company. A company with users cannot be deleted."""
    if isinstance(item, Company):
        users = usage(item)["users"]
        if users:
            raise DomainError(
                f"“{item.name}” still has {users} user{'s' if users != 1 else ''}. "
                "Move them to another company first."
            )
    db.session.delete(item)
    db.session.flush()
