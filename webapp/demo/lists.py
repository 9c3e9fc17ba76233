"""Demo lists: global market lists, Account Managers' buyer lists, coordinators' own lists."""

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ListItem, ListKind, ListShare, Programme, ProgrammeList, User

NOTES = ["Strong ratings in its home market.", "Season 2 delivers in spring.",
         "Ask about format rights.", "Pairs well with their Sunday slot.",
         "Screener available on request.", "Festival winner; good for a premium slot.", ""]


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{login}@demo.test"))


def load_demo_lists(rng) -> int:
    """Create the demo lists from the demo catalogue; returns how many were made."""
    programmes = db.session.scalars(select(Programme).order_by(Programme.id)).all()
    if not programmes:
        return 0
    admin, alice, bob, sam = (_user(n) for n in ("admin", "alice", "bob", "sam"))
    ben, dora = _user("ben"), _user("dora")
    specs = [
        (admin, "MIPCOM 2026 highlights", ListKind.GLOBAL, None, 12),
        (admin, "New drama this autumn", ListKind.GLOBAL, None, 8),
        (admin, "Natural history collection", ListKind.GLOBAL, None, 6),
        (alice, "Northlight Media: Q4 picks", ListKind.BUYER, ben, 7),
        (alice, "Nordic crime shortlist", ListKind.MY, None, 5),
        (bob, "Alpenblick: factual", ListKind.BUYER, dora, 6),
        (sam, "Sam's market prep", ListKind.MY, None, 4),
    ]
    for owner, name, kind, buyer, size in specs:
        programme_list = ProgrammeList(name=name, kind=kind, owner=owner, buyer=buyer)
        for position, programme in enumerate(rng.sample(programmes, size), start=1):
            programme_list.items.append(ListItem(programme=programme, position=position,
                                                 note=rng.choice(NOTES)))
        db.session.add(programme_list)
        if buyer is not None:
            db.session.add(ListShare(list=programme_list, buyer=buyer, shared_by=owner))
    return len(specs)
