"""A believable distributor for demos and end-to-end tests.

Named accounts are fixed (the README lists them); everyone else is generated from a seeded
random source, so every load gives the same data.
"""

import random
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from webapp.demo.access import load_demo_access
from webapp.demo.activity import load_demo_activity
from webapp.demo.catalogue import load_demo_catalogue
from webapp.demo.lists import load_demo_lists
from webapp.demo.media import add_demo_media
from webapp.demo.meetings import load_demo_meetings
from webapp.demo.sign_in import load_demo_sign_in
from webapp.extensions import db
from webapp.models import (
    Company,
    DistributorSettings,
    Programme,
    Region,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    Role,
    RoleKind,
    Territory,
    User,
    UserStatus,
)
from webapp.permissions import Permission
from webapp.services.passwords import hash_password
from webapp.services.roles import ensure_builtin_roles

DEMO_PASSWORD = "demo-password"
# The demo distributor, as Admin > Settings shows it.
DISTRIBUTOR = {
    "name": "Meridian TV Distribution", "sending_address": "sales@meridian-tv.example",
    "footer_address": "Meridian TV Distribution Ltd\n12 Wharf Road, London N1 7GR",
    "footer_contact": "sales@meridian-tv.example · +44 20 7946 0321",
    "accent_colour": "#0b4f6c",
}
# The stages of a load, in order, each with what it makes (load_demo_data reports each start).
STAGES = {
    "people": "roles, territories, companies, accounts and registrations",
    "catalogue": "programmes, seasons, episodes, screeners, posters and sample videos",
    "lists": "global, buyer and personal lists",
    "meetings": "held, today's and upcoming meetings with their notes",
    "activity": "buyers' logins, visits, views and plays",
    "access": "buyer groups, restricted titles and their grants",
}

REGIONS = {
    "EMEA": ["UK & Ireland", "Nordics", "DACH", "France", "Benelux", "Iberia", "Italy",
             "Central & Eastern Europe", "Middle East & Africa"],
    "Americas": ["North America", "Latin America"],
    "APAC": ["Asia", "Australia & New Zealand"],
}

COMPANIES = {
    "UK & Ireland": ["Northlight Media", "Harbour Broadcasting", "Thistle TV", "Emerald Screen",
                     "Highland Pictures"],
    "Nordics": ["Fjord Vision", "Aurora Kanal", "Nordlys Play"],
    "DACH": ["Alpenblick Fernsehen", "Rhein Media Gruppe", "Kanal Donau", "Bergwelt TV"],
    "North America": ["Maple Leaf Networks", "Lakeshore Streaming", "Crescent Cable",
                      "Prairie Broadcast"],
    "France": ["Lumière Diffusion", "Canal Riviera"],
    "Benelux": ["Polder TV", "Brabant Media"],
    "Iberia": ["Solana Televisión", "Atlântico Media"],
    "Italy": ["Vesuvio TV", "Laguna Channel"],
    "Central & Eastern Europe": ["Vistula Broadcasting", "Danube Stream"],
    "Latin America": ["Pampa Contenidos", "Andes Media"],
    "Middle East & Africa": ["Oasis Network", "Savanna Vision"],
    "Asia": ["Sakura Broadcasting", "Lotus Streaming", "Harbour City TV"],
    "Australia & New Zealand": ["Southern Cross Screen", "Kiwi Vision"],
}

# (email, first, last, job title, territories covered)
ACCOUNT_MANAGERS = [
    ("alice", "Alice", "Morgan", "Senior Sales Executive", ["UK & Ireland", "Nordics"]),
    ("bob", "Bob", "Keller", "Sales Director, DACH", ["DACH"]),
    ("carol", "Carol", "Nguyen", "VP Sales, North America", ["North America"]),
    ("daniel", "Daniel", "Lefèvre", "Sales Manager", ["France", "Benelux"]),
    ("elena", "Elena", "Ruiz", "Sales Manager", ["Iberia", "Italy", "Latin America"]),
    ("farid", "Farid", "Haddad", "Sales Manager",
     ["Middle East & Africa", "Central & Eastern Europe"]),
    ("grace", "Grace", "Tan", "Head of Sales, APAC", ["Asia", "Australia & New Zealand"]),
]

FIRST_NAMES = ["Aidan", "Astrid", "Bea", "Carlos", "Chloé", "Dmitri", "Elif", "Emma", "Finn",
               "Giulia", "Hana", "Ines", "Jonas", "Kai", "Lars", "Lea", "Luca", "Maya", "Mei",
               "Nadia", "Niamh", "Oliver", "Omar", "Pia", "Priya", "Rafael", "Sofia", "Tomás",
               "Ulla", "Yusuf", "Zoe", "Henrik", "Ana", "Marek", "Kenji", "Aroha", "Leila"]
LAST_NAMES = ["Andersen", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Hughes",
              "Ivanova", "Jansen", "Kowalski", "Lindqvist", "Moreau", "Novak", "O'Brien",
              "Petrov", "Quinn", "Rossi", "Schmidt", "Tanaka", "Usman", "Van Dijk", "Walsh",
              "Yilmaz", "Zhang", "Murphy", "Silva", "Kim", "Nakamura", "Okafor"]
# What applicants typed as their company: new names, and near-matches of existing ones.
APPLICANT_COMPANIES = ["Northlight Media Ltd", "Blue Harbour Studios", "Fjord Vision AS",
                       "Kanal Donau GmbH", "Coastline Streaming", "Meridian Pictures",
                       "Lumiere Diffusion", "Red Maple TV", "Atlas Channels", "Sakura Broadcast",
                       "Pixel Pirates Media", "Unknown Ventures"]
JOB_TITLES = ["Head of Acquisitions", "Acquisitions Manager", "Content Buyer",
              "Programme Director", "Head of Factual", "Drama Commissioner",
              "VP Content Strategy", "Acquisitions Executive", "Channel Manager"]


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_name.lower() if ch.isalnum())


def _application(user, company_name, submitted, status, decider=None, changes="",
                 reason=None):
    """A registration as the website would have recorded it, with its audit trail."""
    registration = Registration(
        user=user, company_name=company_name, territory=user.territories[0], region=user.region,
        requested_account_manager=user.account_manager, submitted_at=submitted, status=status,
        marketing_consent=len(company_name) % 2 == 0, rejection_reason=reason)
    registration.events.append(RegistrationEvent(actor=user, action="submitted",
                                                 created_at=submitted))
    if decider is not None:
        decided = submitted + timedelta(hours=20)
        registration.decided_at, registration.decided_by = decided, decider
        registration.events.append(RegistrationEvent(
            actor=decider, action=status, created_at=decided,
            changes=changes or (f"Status: pending → {user.status}\nReason: {reason}"
                                if reason else "")))
    db.session.add(registration)


def load_demo_data(progress: Callable[[str], None] = lambda stage: None) -> dict[str, int]:
    """Fill an empty database with the demo distributor; commits. `progress` is called with
    the name of each of STAGES as it starts."""
    progress("people")
    rng = random.Random(2026)
    now = datetime.now(UTC)
    password_hash = hash_password(DEMO_PASSWORD)
    roles = ensure_builtin_roles()
    reporting_all = Role(name="Reporting (all users)",
                         description="Sees reporting for every buyer.")
    reporting_all.permissions = {Permission.VIEW_REPORTING, Permission.VIEW_REPORTING_ALL}
    db.session.add(reporting_all)

    regions = {name: Region(name=name) for name in REGIONS}
    region_of = {t: regions[r] for r, ts in REGIONS.items() for t in ts}
    territories = {name: Territory(name=name) for name in region_of}
    companies = {}
    for territory, names in COMPANIES.items():
        for name in names:
            companies[name] = Company(name=name, region=region_of[territory],
                                      territories=[territories[territory]])
    db.session.add_all([*regions.values(), *territories.values(), *companies.values()])

    def person(login, first, last, role_kinds, *, domain="demo.test", **fields):
        fields.setdefault("status", UserStatus.ACTIVE)
        user = User(email=f"{login}@{domain}", first_name=first, last_name=last,
                    password_hash=password_hash, roles=[roles[k] for k in role_kinds], **fields)
        db.session.add(user)
        return user

    db.session.add(DistributorSettings(**DISTRIBUTOR))
    admin = person("admin", "Ada", "Admin", [RoleKind.ADMINISTRATOR],
                   job_title="CMS Administrator")
    managers = {}
    for login, first, last, title, covered in ACCOUNT_MANAGERS:
        managers[login] = person(login, first, last, [RoleKind.ACCOUNT_MANAGER], job_title=title,
                                 territories=[territories[t] for t in covered],
                                 region=region_of[covered[0]])
    sc = [RoleKind.SALES_COORDINATOR]
    sam = person("sam", "Sam", "Patel", sc, job_title="Sales Coordinator")
    tess = person("tess", "Tess", "Becker", sc, job_title="Sales Coordinator",
           territories=[territories["DACH"]])
    rita = person("rita", "Rita", "Oliveira", sc, job_title="Sales & Reporting Coordinator")
    rita.roles.append(reporting_all)
    uma = person("uma", "Uma", "Laurent", sc, job_title="Sales Coordinator",
                 territories=[territories["France"]])
    managers["alice"].sales_coordinators.append(sam)
    managers["carol"].sales_coordinators.append(rita)
    managers["elena"].sales_coordinators.append(uma)

    buyer = [RoleKind.BUYER]
    person("ben", "Ben", "Carter", buyer, job_title="Head of Acquisitions",
           company=companies["Northlight Media"], territories=[territories["UK & Ireland"]],
           region=regions["EMEA"])
    person("dora", "Dora", "Weber", buyer, job_title="Acquisitions Manager",
           company=companies["Alpenblick Fernsehen"], territories=[territories["DACH"]],
           region=regions["EMEA"], account_manager=managers["carol"])

    manager_of = {t: m for m in managers.values() for t in (x.name for x in m.territories)}
    company_names = sorted(companies)
    used_emails = set()
    for n in range(160):
        company = companies[company_names[n % len(company_names)]]
        territory = company.territories[0]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        login = f"{_slug(first)}.{_slug(last)}"
        while login in used_emails:
            login += str(rng.randint(1, 9))
        used_emails.add(login)
        roll = rng.random()
        if roll < 0.12:  # looked after by an AM outside the buyer's territory
            others = [m for m in managers.values() if m is not manager_of[territory.name]]
            direct = rng.choice(others)
        elif roll < 0.4:
            direct = manager_of[territory.name]
        else:
            direct = None
        buyer_user = person(login, first, last, buyer, domain=f"{_slug(company.name)}.example",
                            job_title=rng.choice(JOB_TITLES), company=company,
                            territories=[territory], region=region_of[territory.name],
                            account_manager=direct, phone=f"+44 20 7946 {n:04d}")
        if n % 6 == 0:  # some buyers came in through the website
            submitted = now - timedelta(days=rng.randint(30, 400))
            _application(buyer_user, company.name, submitted, RegistrationStatus.APPROVED,
                         decider=admin, changes=f"Company: — → {company.name}\nStatus: "
                                                "pending → active")

    territory_list = list(territories.values())
    for n, company_name in enumerate(APPLICANT_COMPANIES):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        territory = territory_list[(n * 5) % len(territory_list)]
        rejected = n >= 10
        applicant = person(
            f"{_slug(first)}.{_slug(last)}.applicant{n}", first, last, buyer,
            domain="applicants.example",
            status=UserStatus.REJECTED if rejected else UserStatus.PENDING,
            job_title=rng.choice(JOB_TITLES), territories=[territory],
            region=region_of[territory.name], phone=f"+49 30 5550 {n:04d}",
            account_manager=managers["alice"] if n % 4 == 0 else None)
        _application(applicant, company_name, now - timedelta(hours=7 * n + 3),
                     RegistrationStatus.REJECTED if rejected else RegistrationStatus.PENDING,
                     decider=admin if rejected else None,
                     reason="We could not confirm that you work for this company. Please "
                            "apply again with your work email address." if rejected else None)
    load_demo_sign_in([admin, *managers.values(), sam, tess, rita, uma])
    progress("catalogue")
    catalogue_counts = load_demo_catalogue(rng)
    db.session.flush()
    media_counts = add_demo_media(
        db.session.scalars(select(Programme).order_by(Programme.id)).all())
    db.session.flush()
    progress("lists")
    list_count = load_demo_lists(rng)
    db.session.flush()
    progress("meetings")
    meeting_count = load_demo_meetings(rng)
    db.session.flush()
    progress("activity")
    # Its own seed: the activity stays the same whatever the generators before it draw.
    activity_count = load_demo_activity(random.Random(7), now)
    db.session.flush()
    progress("access")
    access_counts = load_demo_access()
    db.session.commit()
    return {
        "users": db.session.query(User).count(),
        "companies": len(companies),
        "territories": len(territories),
        **catalogue_counts,
        **media_counts,
        "lists": list_count,
        "meetings": meeting_count,
        "activity events": activity_count,
        **access_counts,
    }
