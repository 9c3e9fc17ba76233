"""Demo access rules: buyer groups, a few restricted titles and their grants.

Fixed choices, no random draws, so every load restricts the same titles:
- "Orbit Station Nine" is granted to the group "Tier 1 broadcasters" (Ben is a member);
- season 2 of "The Lighthouse Keepers" is granted to Ben himself;
- three more programmes are granted to Alpenblick Fernsehen (Dora's company), to Dora,
  and to the group "Kids buyers"; one is held back for internal users only, and sits on
  the global list "MIPCOM 2026 highlights" that every buyer sees.
"""

from sqlalchemy import func, select

from webapp.demo.catalogue import FLAGSHIPS
from webapp.extensions import db
from webapp.models import (
    AccessGrant,
    BuyerGroup,
    Company,
    ListItem,
    Programme,
    ProgrammeList,
    RoleKind,
    Season,
    User,
)
from webapp.models.people import Role, user_roles

FLAGSHIP_RESTRICTED = "Orbit Station Nine"
HELD_BACK_LIST = "MIPCOM 2026 highlights"


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{login}@demo.test"))


def _buyers_of_companies(names: list[str], limit: int) -> list[User]:
    buyer_role = select(Role.id).where(Role.kind == RoleKind.BUYER).scalar_subquery()
    return list(db.session.scalars(
        select(User).join(Company, Company.id == User.company_id)
        .join(user_roles, user_roles.c.user_id == User.id)
        .where(Company.name.in_(names), user_roles.c.role_id == buyer_role,
               User.status == "active")
        .order_by(User.id).limit(limit)))


def load_demo_access() -> dict[str, int]:
    """Create the groups, restrict the titles and grant them; returns what was made."""
    programmes = db.session.scalars(select(Programme).order_by(Programme.id)).all()
    if len(programmes) < 50:
        return {"restricted titles": 0}
    admin, ben, dora = _user("admin"), _user("ben"), _user("dora")
    tier_one = BuyerGroup(name="Tier 1 broadcasters", members=[ben, *_buyers_of_companies(
        ["Harbour Broadcasting", "Fjord Vision", "Maple Leaf Networks"], 8)])
    kids = BuyerGroup(name="Kids buyers", members=_buyers_of_companies(
        ["Thistle TV", "Kanal Donau", "Polder TV"], 6))
    db.session.add_all([tier_one, kids])

    def grant(item, reason="Demo: agreed at MIPCOM", **grantee):
        kind = {Programme: "programme_id", Season: "season_id"}[type(item)]
        item.restricted = True
        if grantee:
            db.session.add(AccessGrant(granted_by=admin, reason=reason,
                                       **{kind: item.id}, **grantee))

    by_title = {p.title: p for p in programmes}
    grant(by_title[FLAGSHIP_RESTRICTED], group=tier_one)
    lighthouse = by_title.get("The Lighthouse Keepers")
    if lighthouse is not None and len(lighthouse.seasons) > 1:
        grant(lighthouse.seasons[1], "Demo: screener sent before the launch", user=ben)
    flagships = {title for title, *_ in FLAGSHIPS}
    generated = [p for p in programmes if p.title not in flagships]
    alpenblick = db.session.scalar(select(Company).where(Company.name == "Alpenblick Fernsehen"))
    grant(generated[10], company=alpenblick)
    grant(generated[20], "Demo: exclusive first look", user=dora)
    grant(generated[40], group=kids)
    held_back = generated[30]
    grant(held_back)
    _put_on_global_list(held_back)
    db.session.flush()
    return {"buyer groups": 2, "restricted titles": 6}


def _put_on_global_list(programme: Programme) -> None:
    """The held-back title on a global list every buyer sees: they must not see it there."""
    programme_list = db.session.scalar(select(ProgrammeList)
                                       .where(ProgrammeList.name == HELD_BACK_LIST))
    if programme_list is None or any(i.programme_id == programme.id
                                     for i in programme_list.items):
        return
    last = db.session.scalar(select(func.max(ListItem.position))
                             .where(ListItem.list_id == programme_list.id)) or 0
    db.session.add(ListItem(list=programme_list, programme=programme, position=last + 1,
                            note="Internal only until the deal closes."))
