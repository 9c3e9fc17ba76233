"""Territories, regions and companies."""

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Company, Region, Territory, User, company_territories, user_territories
from webapp.services import DomainError

NOUNS = {Territory: "territory", Region: "region", Company: "company"}


def _check_name_free(model, name: str, exclude_id: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Enter a name.", field="name")
    query = select(model.id).where(model.name_key == name.casefold())
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise DomainError(f"A {NOUNS[model]} called “{name}” already exists.", field="name")
    return name


def create_named(model, name: str, **fields):
    item = model(name=_check_name_free(model, name), **fields)
    db.session.add(item)
    db.session.flush()
    return item


def rename(item, name: str, **fields):
    item.name = _check_name_free(type(item), name, exclude_id=item.id)
    for key, value in fields.items():
        setattr(item, key, value)
    db.session.flush()
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
