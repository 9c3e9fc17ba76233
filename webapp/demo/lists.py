"""Demo lists: global market lists, Account Managers' buyer lists, coordinators' own lists,
and personal links to some of them for buyers and for people without an account."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ListItem, ListKind, ListShare, Programme, ProgrammeList, User
from webapp.services.list_sharing import digest_of

# The demo guest's link, so that the page a link opens can be shown without an email:
# /s/demo-guest-link-to-sams-market-prep (a demo database only; real tokens are random).
DEMO_GUEST_TOKEN = "demo-guest-link-to-sams-market-prep"
# (list, address, days since sent, days it lasts, view cap, revoked): links to people
# without an account.
GUEST_LINKS = [
    ("Sam's market prep", "acquisitions@harbour-tv.example", 3, 14, None, False),
    ("Nordic crime shortlist", "programming@nordicstream.example", 10, 14, 5, False),
    ("Nordic crime shortlist", "old.contact@fjordfilm.example", 30, 14, None, False),
    ("MIPCOM 2026 highlights", "press@cannes-daily.example", 6, 30, 3, True),
]

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
            db.session.add(_link(programme_list, owner, buyer.email, 0, 30, buyer=buyer))
    db.session.flush()
    _guest_links(admin)
    return len(specs)


def _link(programme_list, by, email, sent_days_ago=1, days=14, max_views=None, buyer=None,
          token=None) -> ListShare:
    sent = datetime.now(UTC) - timedelta(days=sent_days_ago)
    token = token or f"demo-{programme_list.id}-{email}"
    return ListShare(list=programme_list, buyer=buyer, email=email, shared_by=by,
                     shared_at=sent, token_digest=digest_of(token),
                     expires_at=sent + timedelta(days=days), max_views=max_views)


def _guest_links(admin: User) -> None:
    lists = {each.name: each for each in db.session.scalars(select(ProgrammeList))}
    for name, email, sent_days_ago, days, max_views, revoked in GUEST_LINKS:
        programme_list = lists[name]
        token = DEMO_GUEST_TOKEN if email.startswith("acquisitions@") else None
        link = _link(programme_list, programme_list.owner, email, sent_days_ago, days,
                     max_views, token=token)
        if revoked:
            link.revoked_at, link.revoked_by = link.shared_at + timedelta(days=2), admin
        db.session.add(link)
