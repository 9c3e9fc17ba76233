"""Every route x method x point of view -> the status it must answer.

A route that is not in MATRIX fails test_every_route_is_in_the_matrix: adding a route means
deciding here who may use it. POSTs are sent without a body (CSRF is tested elsewhere), so an
allowed POST answers with its validation status or its redirect.
"""

import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.conftest import kept
from webapp.blueprints.auth.sign_in import PENDING as PENDING_USER
from webapp.blueprints.auth.sign_in import PENDING_AT
from webapp.extensions import db
from webapp.mail.service import queue_email
from webapp.models import (
    AccessGrant,
    BuyerGroup,
    CatalogueImport,
    DistributorSettings,
    Episode,
    ListItem,
    ListKind,
    ListShare,
    Meeting,
    MeetingStatus,
    Passkey,
    Programme,
    ProgrammeList,
    Season,
)
from webapp.permissions import Permission
from webapp.services.list_sharing import digest_of
from webapp.services.registrations import register

BASE_VIEWS = ["anonymous", "suspended", "buyer", "sales_coordinator", "account_manager",
              "administrator"]
# Two more: an SC linked to another AM, and that other AM. They hold the same roles as the
# world's SC and AM but none of the world's objects (its list, meeting, applicant, buyer),
# and answer as those do unless a row says the_worlds(...).
OTHERS = {"other_sales_coordinator": "sales_coordinator",
          "other_account_manager": "account_manager"}
# Halfway through a login: an Account Manager who gave their password and has not yet given
# their second factor. They answer as "anonymous" does, unless a row says otherwise: only the
# second step, the enrolment it may need, and logout know them.
PENDING = "second_factor_pending"
VIEWS = BASE_VIEWS + list(OTHERS) + [PENDING]
LOGIN = "login"  # a redirect to the login page
KINDS = ["territories", "regions", "companies"]
SCREENER_KINDS = ["programme", "season", "episode"]
# Routes answered once per kind of item they take.
KINDS_OF = {"admin.places": KINDS, "admin.edit_place": KINDS, "admin.delete_place": KINDS,
            "catalogue.screener": SCREENER_KINDS, "admin.item_access": SCREENER_KINDS,
            "admin.set_restriction": SCREENER_KINDS, "admin.grant_access": SCREENER_KINDS}


def the_worlds(expected):
    """A route on one of the world's objects: to the other SC and AM it does not exist."""
    return {**expected, **{other: expected[same] if expected[same] in (LOGIN, 403) else 404
                           for other, same in OTHERS.items()}}


def anyone(status):
    return dict.fromkeys(BASE_VIEWS, status)


def signed_in(status):
    return {**dict.fromkeys(BASE_VIEWS, status), "anonymous": LOGIN, "suspended": LOGIN}


def administrators(status):
    """Only roles holding the route's permission (here: administrators) get `status`."""
    return {**signed_in(403), "administrator": status}


def approvers(status):
    """Roles holding "approve registrations" (SCs, AMs, administrators) get `status`."""
    return {**signed_in(403), "sales_coordinator": status, "account_manager": status,
            "administrator": status}


def owner_and_admin(status):
    """Routes on the Sales Coordinator's own object: theirs and administrators' only."""
    return {**signed_in(404), "sales_coordinator": status, "administrator": status}


def internal(status):
    """The sales team's pages: every internal user gets `status`, a buyer 403."""
    return {**signed_in(status), "buyer": 403}


def reporters(status):
    """Roles holding "view reporting" (SCs, AMs, administrators) get `status`."""
    return {**signed_in(403), "sales_coordinator": status, "account_manager": status,
            "administrator": status}


def host_only(status):
    """The meeting's host (the world's AM) gets `status`; everyone else, 404."""
    return {**signed_in(404), "account_manager": status}


def holders(*views):
    """Pages for some roles only: those points of view get 200, other signed-in users 403."""
    return {**signed_in(403), **dict.fromkeys(views, 200)}


def visitors(status):
    """Public pages that send signed-in users on to their start page."""
    return {**signed_in(302), "anonymous": status, "suspended": status}


MATRIX = {
    ("auth.login", "GET"): visitors(200),
    ("auth.login", "POST"): visitors(422),
    ("registration.register_buyer", "GET"): visitors(200),
    ("registration.register_buyer", "POST"): visitors(422),
    ("registration.thanks", "GET"): anyone(200),
    ("health.healthz", "GET"): anyone(200),
    ("approvals.index", "GET"): approvers(200),
    ("approvals.review", "GET"): the_worlds(approvers(200)),
    ("approvals.companies", "GET"): the_worlds(approvers(200)),
    ("approvals.approve", "POST"): the_worlds(approvers(422)),  # no company chosen
    ("approvals.reject", "POST"): the_worlds(approvers(422)),  # no reason given
    ("auth.logout", "GET"): {**signed_in(200), PENDING: 303},  # the login abandoned
    ("auth.logout", "POST"): {**signed_in(303), PENDING: 303},
    # The second step: visitors are sent to log in first, signed-in users home.
    ("auth.second_step", "GET"): {**visitors(LOGIN), PENDING: 200},
    ("auth.second_step", "POST"): {**visitors(LOGIN), PENDING: 422},  # no code
    ("auth.passkey_login_options", "POST"): {**visitors(200), **signed_in(409),
                                             "anonymous": 200, "suspended": 200},
    ("auth.passkey_login", "POST"): {**visitors(422), PENDING: 422},  # no credential
    # Enrolment is for a pending user without a factor; this one has an authenticator app.
    ("auth.enrol", "GET"): {**visitors(LOGIN), PENDING: 302},  # on to the second step
    ("auth.enrol", "POST"): {**visitors(LOGIN), PENDING: 302},
    ("auth.passkey_registration_options", "POST"): signed_in(200),
    ("auth.add_passkey", "POST"): signed_in(303),  # nothing sent: back to the page
    ("auth.security", "GET"): signed_in(200),
    ("auth.add_authenticator", "GET"): signed_in(200),
    ("auth.add_authenticator", "POST"): signed_in(422),  # no code
    ("auth.remove_authenticator", "POST"): signed_in(422),  # none to remove
    # The AM's only factor (they need one); to everyone else, not theirs.
    ("auth.remove_passkey", "POST"): signed_in(422),
    ("auth.recovery_codes", "GET"): signed_in(200),
    ("auth.recovery_codes", "POST"): signed_in(303),  # no factor: back, nothing made
    ("auth.change_password", "GET"): signed_in(200),
    ("auth.change_password", "POST"): signed_in(422),  # no current password
    ("auth.forgot_password", "GET"): visitors(200),
    ("auth.forgot_password", "POST"): visitors(422),  # no email
    ("auth.reset_link", "GET"): visitors(303),  # on to the form, the token kept in the session
    ("auth.reset_password", "GET"): visitors(400),  # no link followed: nothing to reset
    ("auth.reset_password", "POST"): visitors(400),
    ("main.home", "GET"): signed_in(200),
    # The home page's sections: each role's own, 403 for the others.
    ("main.home_applications", "GET"): holders("sales_coordinator", "administrator"),
    ("main.home_meetings_ahead", "GET"): holders("sales_coordinator"),
    ("main.home_today", "GET"): holders("account_manager"),
    ("main.home_follow_ups", "GET"): holders("sales_coordinator", "account_manager"),
    ("main.home_recent_registrations", "GET"): holders("sales_coordinator"),
    ("main.home_buyer_activity", "GET"): holders("account_manager"),
    ("main.home_outbox", "GET"): holders("administrator"),
    ("main.home_suspended_users", "GET"): holders("administrator"),
    ("main.home_my_meetings", "GET"): holders("buyer"),
    ("main.home_shared_lists", "GET"): holders("buyer"),
    ("main.home_new_programmes", "GET"): holders("buyer"),
    ("main.profile", "GET"): signed_in(200),
    ("main.edit_profile", "GET"): signed_in(200),
    ("main.edit_profile", "POST"): signed_in(303),  # nothing sent: nothing changed
    ("admin.users", "GET"): administrators(200),
    ("admin.new_user", "GET"): administrators(200),
    ("admin.new_user", "POST"): administrators(422),
    ("admin.user", "GET"): administrators(200),
    ("admin.edit_user", "GET"): administrators(200),
    ("admin.edit_user", "POST"): administrators(303),  # no fields sent: saved unchanged
    ("admin.suspend_user", "POST"): administrators(303),
    ("admin.unsuspend_user", "POST"): administrators(303),
    ("admin.sales_coordinator_candidates", "GET"): administrators(200),
    ("admin.add_sales_coordinator", "POST"): administrators(400),
    ("admin.remove_sales_coordinator", "POST"): administrators(303),
    ("admin.reset_second_factor", "POST"): administrators(303),
    ("admin.sign_in_settings", "GET"): administrators(200),
    ("admin.sign_in_settings", "POST"): administrators(303),  # unticked: saved as no
    ("admin.roles", "GET"): administrators(200),
    ("admin.new_role", "GET"): administrators(200),
    ("admin.new_role", "POST"): administrators(422),
    ("admin.edit_role", "GET"): administrators(200),
    ("admin.edit_role", "POST"): administrators(303),
    ("admin.delete_role", "POST"): administrators(303),
    ("admin.places", "GET"): administrators(200),
    ("admin.places", "POST"): administrators(422),
    ("admin.edit_place", "GET"): administrators(200),
    ("admin.edit_place", "POST"): administrators(303),
    ("admin.delete_place", "POST"): administrators(303),
    ("admin.outbox", "GET"): administrators(200),
    ("admin.outbox_message", "GET"): administrators(200),
    ("admin.outbox_message_html", "GET"): administrators(200),
    ("admin.retry_outbox_message", "POST"): administrators(303),
    ("admin.settings", "GET"): administrators(200),
    ("admin.settings", "POST"): administrators(422),  # no name
    # The distributor's logo and colour: every page shows them, the login page included.
    ("main.distributor_logo", "GET"): anyone(200),
    ("main.distributor_theme", "GET"): anyone(200),
    ("catalogue.index", "GET"): signed_in(200),
    ("catalogue.programme", "GET"): signed_in(200),
    ("catalogue.screener", "GET"): signed_in(302),  # on to the screener link
    ("catalogue.media", "GET"): signed_in(200),
    ("admin.catalogue", "GET"): administrators(200),
    ("admin.new_programme", "GET"): administrators(200),
    ("admin.new_programme", "POST"): administrators(422),  # no title
    ("admin.edit_programme", "GET"): administrators(200),
    ("admin.edit_programme", "POST"): administrators(303),  # no fields sent: saved unchanged
    ("admin.delete_programme", "POST"): administrators(303),
    ("admin.new_season", "GET"): administrators(200),
    ("admin.new_season", "POST"): administrators(422),  # no number
    ("admin.edit_season", "GET"): administrators(200),
    ("admin.edit_season", "POST"): administrators(422),  # the number must be sent
    ("admin.delete_season", "POST"): administrators(303),
    ("admin.new_episode", "GET"): administrators(200),
    ("admin.new_episode", "POST"): administrators(422),
    ("admin.edit_episode", "GET"): administrators(200),
    ("admin.edit_episode", "POST"): administrators(422),  # the number must be sent
    ("admin.delete_episode", "POST"): administrators(303),
    ("admin.import_programmes", "GET"): administrators(200),
    ("admin.import_programmes", "POST"): administrators(422),  # no file
    ("admin.import_template", "GET"): administrators(200),
    ("admin.import_progress", "GET"): administrators(200),
    ("admin.import_refused_rows", "GET"): administrators(200),
    # Who may watch what: Admin > Catalogue (an item's Access, buyer groups, access report).
    ("admin.item_access", "GET"): administrators(200),
    ("admin.set_restriction", "POST"): administrators(303),  # nothing ticked: stays open
    ("admin.grant_access", "POST"): administrators(422),  # nobody chosen
    ("admin.revoke_access", "POST"): administrators(303),
    ("admin.access_report", "GET"): administrators(200),
    ("admin.access_report_csv", "GET"): administrators(200),
    ("admin.buyer_groups", "GET"): administrators(200),
    ("admin.buyer_groups", "POST"): administrators(422),  # no name
    ("admin.buyer_group", "GET"): administrators(200),
    ("admin.buyer_group", "POST"): administrators(303),  # no fields sent: saved unchanged
    ("admin.delete_buyer_group", "POST"): administrators(303),
    ("admin.add_group_member", "POST"): administrators(422),  # no buyer chosen
    ("admin.remove_group_member", "POST"): administrators(303),
    ("lists.add_to_list", "POST"): {**signed_in(422), "buyer": 403},  # nothing ticked
    ("lists.index", "GET"): signed_in(200),
    ("lists.create", "POST"): {**signed_in(422), "buyer": 403},  # no name
    # The list is the Sales Coordinator's own: other users get 404, not a hint it exists.
    ("lists.show", "GET"): the_worlds(owner_and_admin(200)),
    ("lists.rename", "POST"): the_worlds(owner_and_admin(422)),  # no name
    ("lists.delete", "POST"): the_worlds(owner_and_admin(303)),
    ("lists.duplicate", "POST"): the_worlds(owner_and_admin(303)),
    ("lists.export", "GET"): the_worlds(owner_and_admin(200)),
    ("lists.catalogue_search", "GET"): the_worlds(owner_and_admin(200)),
    ("lists.add_item", "POST"): the_worlds(owner_and_admin(400)),  # no programme
    ("lists.move_item", "POST"): the_worlds(owner_and_admin(400)),  # no direction
    ("lists.reorder", "POST"): the_worlds(owner_and_admin(400)),  # no order
    ("lists.remove_item", "POST"): the_worlds(owner_and_admin(303)),
    ("lists.item", "GET"): the_worlds(owner_and_admin(302)),  # without htmx: on to the list page
    ("lists.note", "GET"): the_worlds(owner_and_admin(200)),
    ("lists.note", "POST"): the_worlds(owner_and_admin(422)),  # no version sent: refused
    ("lists.share", "GET"): the_worlds(owner_and_admin(200)),
    ("lists.share", "POST"): the_worlds(owner_and_admin(422)),  # no recipient, no days
    # The Sales Coordinator's link to their own list, sent to an address with no account.
    ("lists.revoke_share", "POST"): the_worlds(owner_and_admin(303)),
    ("lists.export_pdf", "GET"): the_worlds(owner_and_admin(200)),
    ("lists.export_xlsx", "GET"): the_worlds(owner_and_admin(200)),
    # A valid personal link works for anyone holding it, signed in or not (LINK_ROWS below
    # for expired, revoked and unknown links).
    ("shared.show", "GET"): anyone(200),
    ("shared.play", "GET"): anyone(302),  # on to the item's screener
    ("reporting.index", "GET"): reporters(200),
    ("reporting.buyers", "GET"): reporters(200),
    ("reporting.programmes", "GET"): reporters(200),
    ("reporting.funnel", "GET"): reporters(200),
    # Ben is Alice's buyer by territory, so Sam's too.
    ("reporting.user", "GET"): the_worlds(reporters(200)),
    ("reporting.export", "GET"): reporters(200),
    ("reporting.export_xlsx", "GET"): reporters(200),
    ("reporting.programmes_export", "GET"): reporters(200),
    ("reporting.click", "GET"): anyone(302),  # a token not signed here: on to the start page
    # The world's meeting: hosted by the AM, set up by their SC, with the buyer attending.
    ("meetings.index", "GET"): internal(200),
    ("meetings.new", "GET"): internal(200),
    ("meetings.new", "POST"): internal(422),  # nothing filled in
    ("meetings.buyer_picker", "GET"): internal(200),
    # A buyer attending it is sent on to their own page of the meeting.
    ("meetings.show", "GET"): {**the_worlds(internal(200)), "buyer": 302},
    ("meetings.attending", "GET"): {**signed_in(404), "buyer": 200},
    ("meetings.edit", "GET"): the_worlds(internal(200)),
    ("meetings.edit", "POST"): the_worlds(internal(422)),
    ("meetings.notes", "GET"): the_worlds(internal(200)),
    ("meetings.notes", "POST"): the_worlds(internal(422)),  # no version sent: refused
    ("meetings.copy_list", "POST"): the_worlds(internal(422)),  # no list chosen
    ("meetings.summary_preview", "GET"): the_worlds(internal(200)),
    ("meetings.send_summary", "POST"): the_worlds(internal(303)),
    ("meetings.cancel", "POST"): the_worlds(internal(303)),
    # Not a draft: back to the meeting, unchanged.
    ("meetings.delete", "POST"): the_worlds(internal(303)),
    ("meetings.invite", "GET"): the_worlds(signed_in(200)),  # the buyer attends it
    ("meetings.agenda", "GET"): internal(200),  # each user's own hosts' day
    # My Account Managers: for holders of the Sales Coordinator role, whatever else they hold.
    ("coordination.account_managers", "GET"): {**signed_in(403), "sales_coordinator": 200},
    # The in-meeting view: the host (the AM) only; the SC who set it up, admins: 404.
    ("ipad.day", "GET"): signed_in(200),  # each user's own day: empty for all but the host
    ("ipad.service_worker", "GET"): signed_in(200),
    ("ipad.meeting", "GET"): the_worlds(host_only(200)),
    ("ipad.change", "POST"): the_worlds(host_only(400)),  # no key, no kind
    ("ipad.change_batch", "POST"): signed_in(400),  # no changes; each names its meeting
    ("ipad.items", "GET"): the_worlds(host_only(200)),
    ("ipad.catalogue", "GET"): the_worlds(host_only(200)),
    ("ipad.summary", "GET"): the_worlds(host_only(200)),
    ("ipad.present", "GET"): the_worlds(host_only(200)),
}

for _expected in MATRIX.values():
    for _other, _same in OTHERS.items():
        _expected.setdefault(_other, _expected[_same])
    _expected.setdefault(PENDING, _expected["anonymous"])

IGNORED_ENDPOINTS = {"static"}


def test_every_route_is_in_the_matrix(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules() if rule.endpoint not in IGNORED_ENDPOINTS
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert sorted(routes - MATRIX.keys()) == [], "routes missing from the authorization matrix"
    assert sorted(MATRIX.keys() - routes) == [], "matrix rows for routes that no longer exist"


def _outbox_message_id(person) -> int:
    message = queue_email(person.email, "account_exists", "Your account", person=person,
                          login_url="https://cms.example.com/login")
    db.session.commit()
    return message.id


def _applicant_id(territory) -> int:
    registration = register(first_name="Nina", last_name="Holm", email="nina@example.com",
                            password="a long enough password", company_name="Brightwave",
                            job_title="Buyer", phone="", territory=territory)
    db.session.commit()
    return registration.user_id


def _own_list(owner, programme_id) -> tuple[int, int]:
    programme_list = ProgrammeList(name="Sam's picks", kind=ListKind.MY, owner=owner)
    item = ListItem(list=programme_list, programme_id=programme_id, position=1)
    db.session.add_all([programme_list, item])
    db.session.commit()
    return programme_list.id, item.id


LINK = "a-valid-personal-link-token-0123456789"


def _shares(list_id, sharer) -> dict[str, int]:
    """Links to the Sales Coordinator's list for an address with no account: one valid, one
    expired, one revoked (the token of each is its state's name, made long enough)."""
    now = datetime.now(UTC)
    states = {"valid": (now + timedelta(days=14), None),
              "expired": (now - timedelta(minutes=1), None),
              "revoked": (now + timedelta(days=14), now)}
    shares = {}
    for state, (expires_at, revoked_at) in states.items():
        token = LINK if state == "valid" else f"{state}-personal-link-token-0123456789"
        share = ListShare(list_id=list_id, email="guest@example.com", shared_by=sharer,
                          token_digest=digest_of(token), expires_at=expires_at,
                          revoked_at=revoked_at)
        db.session.add(share)
        db.session.flush()
        shares[state] = share.id
    db.session.commit()
    return shares


def _meeting(host, creator, buyer, programme_id) -> int:
    meeting = Meeting(title="Northlight × Alice", host=host, created_by=creator,
                      status=MeetingStatus.SCHEDULED, starts_at=datetime.now(UTC),
                      attendees=[buyer])
    meeting.programme_list = ProgrammeList(name=meeting.title, kind=ListKind.MEETING,
                                           owner=host)
    meeting.programme_list.items.append(ListItem(programme_id=programme_id, position=1))
    db.session.add(meeting)
    db.session.commit()
    return meeting.id


def _catalogue_import_id() -> int:
    job = CatalogueImport(csv_text="title,programme_type\nFjord,Film\n", total_rows=1,
                          errors=[])
    db.session.add(job)
    db.session.commit()
    return job.id


def _catalogue(upload_folder: str) -> dict:
    """A programme with a season and an episode, each with a screener, and an image."""
    programme = Programme(title="The Fjord Murders", programme_type="Series",
                          screener_url="https://screeners.example.com/fjord",
                          image_path="programmes/fjord.png")
    season = Season(programme=programme, number=1, screener_url="https://screeners.example.com/s1")
    episode = Episode(season=season, number=1, screener_url="https://screeners.example.com/e1")
    db.session.add(programme)
    db.session.commit()
    image = Path(upload_folder) / programme.image_path
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    return {"programme": programme.id, "season": season.id, "episode": episode.id,
            "filename": programme.image_path}


def _group_and_grant(season_id) -> dict:
    """A buyer group, and a grant of the world's season to it."""
    group = BuyerGroup(name="Tier 1 broadcasters")
    grant = AccessGrant(group=group, season_id=season_id)
    db.session.add_all([group, grant])
    db.session.commit()
    return {"group_id": group.id, "grant_id": grant.id}


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads")}


def _build_world(upload_folder: str) -> dict:
    """One of everything a route can point at, and a user for each point of view."""
    territory = f.territory("UK & Ireland")
    account_manager = f.account_manager(first_name="Alice", territories=[territory])
    coordinator = f.sales_coordinator(account_manager, first_name="Sam")
    catalogue = _catalogue(upload_folder)
    list_id, list_item_id = _own_list(coordinator, catalogue["programme"])
    shares = _shares(list_id, coordinator)
    buyer = f.buyer(first_name="Ben", territories=[territory])
    other_manager = f.account_manager(first_name="Bob", territories=[f.territory("DACH")])
    # A distributor with a logo, which every page shows (to anyone: the login page too).
    db.session.add(DistributorSettings(name="Meridian TV", logo=b"\x89PNG\r\n\x1a\n",
                                       logo_type="image/png"))
    db.session.commit()
    return {
        "users": {
            "suspended": f.admin(first_name="Suspended", is_suspended=True),
            "buyer": buyer,
            "sales_coordinator": coordinator,
            "account_manager": account_manager,
            "administrator": f.admin(),
            "other_sales_coordinator": f.sales_coordinator(other_manager, first_name="Tess"),
            "other_account_manager": other_manager,
            PENDING: _with_authenticator(f.account_manager(first_name="Paula")),
        },
        "args": {
            "user_id": account_manager.id,
            "sc_id": coordinator.id,
            "role_id": f.custom_role(permissions=[Permission.VIEW_REPORTING]).id,
            "message_id": _outbox_message_id(account_manager),
            "applicant_id": _applicant_id(territory),
            "programme_id": catalogue["programme"],
            "season_id": catalogue["season"],
            "episode_id": catalogue["episode"],
            "filename": catalogue["filename"],
            "list_id": list_id,
            "item_id": list_item_id,
            "meeting_id": _meeting(account_manager, coordinator, buyer, catalogue["programme"]),
            "token": "token-from-an-emailed-link",
            "buyer_id": buyer.id,
            "import_id": _catalogue_import_id(),
            **_group_and_grant(catalogue["season"]),
            "passkey_id": _passkey(account_manager),
            "share_id": shares["valid"],
            "link": LINK,
            "extension": "xlsx",
        },
        "items": {
            "territories": f.territory("Nordics").id,
            "regions": f.region("EMEA").id,
            "companies": f.company("Unused Company").id,
            **{kind: catalogue[kind] for kind in SCREENER_KINDS},
        },
    }


@pytest.fixture
def world(ctx, app_config, database_url, tmp_path_factory):
    """The world (see _build_world), built once per worker and database (about 0.2 s) and
    put back from its rows for each of the 600 tests that use it, with its files (made in
    the worker's temporary folder) copied to the test's UPLOAD_FOLDER."""
    files = tmp_path_factory.getbasetemp() / "world-uploads"
    made = kept("authorization world", database_url, lambda: _build_world(str(files)))
    shutil.copytree(files, app_config["UPLOAD_FOLDER"], dirs_exist_ok=True)
    return made


def _passkey(owner) -> int:
    passkey = Passkey(user_id=owner.id, name="iPad", credential_id=b"credential",
                      public_key=b"key")
    db.session.add(passkey)
    db.session.commit()
    return passkey.id


def _with_authenticator(user):
    f.authenticator(user)
    return user


def _kinds(endpoint):
    return KINDS_OF.get(endpoint, [None])


def _changes_nothing(expected) -> bool:
    """A GET, or a refused request (to the login page, or any 4xx), must leave no trace."""
    return expected == LOGIN or expected >= 400


def _grouped_cases():
    """Requests that must change nothing: every point of view in one test, on one world."""
    for (endpoint, method), expected in MATRIX.items():
        views = [view for view, status in expected.items()
                 if method == "GET" or _changes_nothing(status)]
        for kind in _kinds(endpoint) if views else []:
            yield pytest.param(endpoint, method, kind, views,
                               id=f"{endpoint}-{method}{f'-{kind}' if kind else ''}")


def _changing_cases():
    """Allowed state changes: one point of view per test, each on a world of its own."""
    for (endpoint, method), expected in MATRIX.items():
        for view, status in expected.items():
            if method != "GET" and not _changes_nothing(status):
                for kind in _kinds(endpoint):
                    suffix = f"-{kind}" if kind else ""
                    yield pytest.param(endpoint, method, view, kind, status,
                                       id=f"{endpoint}-{method}-{view}{suffix}")


def _snapshot() -> dict[str, list[str]]:
    """Every row of every table, activity records aside (reading a page is activity)."""
    with db.engine.connect() as connection:
        return {table.name: sorted(map(repr, connection.execute(select(table))))
                for table in db.metadata.sorted_tables
                if not table.name.startswith("activity")}


def url_of(app, world, endpoint, kind=None) -> str:
    """The path of `endpoint` for the world's objects (of one kind, for routes that take one)."""
    from flask import url_for

    args = dict(world["args"])
    if kind:
        args.update(kind_name=kind, kind=kind, item_id=world["items"][kind])
    rule = next(app.url_map.iter_rules(endpoint))
    url = url_for(endpoint, **{k: v for k, v in args.items() if k in rule.arguments})
    return url.replace("http://cms.test", "")


def _answer(app, client, login, world, endpoint, method, view, kind) -> tuple[int, str]:
    url = url_of(app, world, endpoint, kind)
    as_view(client, login, world, view)
    with client.open(url, method=method) as response:  # closes files it sends, e.g. images
        return response.status_code, response.headers.get("Location", "")


def as_view(client, login, world, view) -> None:
    """Make the client's session that of `view`: none, signed in, or halfway (password
    given, second factor not yet)."""
    with client.session_transaction() as session:
        session.clear()
    if view == PENDING:
        with client.session_transaction() as session:
            session.update({PENDING_USER: world["users"][PENDING].get_id(),
                            PENDING_AT: int(time.time())})
    elif view != "anonymous":
        login(world["users"][view])


def _as_expected(status: int, location: str, expected) -> bool:
    if expected == LOGIN:
        return status == 302 and location.startswith("/login")
    return status == expected


@pytest.mark.parametrize("endpoint, method, kind, views", list(_grouped_cases()))
def test_reads_and_refusals_answer_each_point_of_view_and_change_nothing(
        app, client, login, world, endpoint, method, kind, views):
    before = _snapshot()
    wrong = []
    for view in views:
        expected = MATRIX[endpoint, method][view]
        status, location = _answer(app, client, login, world, endpoint, method, view, kind)
        if not _as_expected(status, location, expected):
            wrong.append(f"{view}: expected {expected}, got {status} {location}".strip())
    assert wrong == []
    assert _snapshot() == before, "a GET or a refused request changed the database"


@pytest.mark.parametrize("endpoint, method, view, kind, expected", list(_changing_cases()))
def test_allowed_changes_answer_as_the_matrix_says(
        app, client, login, world, endpoint, method, view, kind, expected):
    status, location = _answer(app, client, login, world, endpoint, method, view, kind)
    assert _as_expected(status, location, expected), (status, location)


# --- The restricted-item axis ------------------------------------------------------------
# The world's programme, season and episode made restricted, then granted to the buyer in
# each way (or not at all): the catalogue's routes answer the buyer as the grant says, and
# everyone else as the matrix says (internal users see every item).
RESTRICTED_ROUTES = ["catalogue.programme", "catalogue.screener", "catalogue.media"]


def _restrict_and_grant(world, how):
    buyer = db.session.get(type(world["users"]["buyer"]), world["users"]["buyer"].id)
    if how == "company":
        buyer.company = f.company("Northlight Media")
    group = db.session.get(BuyerGroup, world["args"]["group_id"])
    if how == "group":
        group.members.append(buyer)
    for kind, model in (("programme", Programme), ("season", Season), ("episode", Episode)):
        db.session.get(model, world["items"][kind]).restricted = True
        grantee = {"person": {"user_id": buyer.id}, "company": {"company_id": buyer.company_id},
                   "group": {"group_id": group.id}}.get(how)
        if grantee:
            db.session.add(AccessGrant(**{f"{kind}_id": world["items"][kind]}, **grantee))
    db.session.commit()


@pytest.mark.parametrize("how", ["person", "company", "group", "none"])
def test_restricted_items_answer_each_point_of_view_as_granted(
        app, client, login, world, how):
    _restrict_and_grant(world, how)
    wrong = []
    for endpoint in RESTRICTED_ROUTES:
        for kind in _kinds(endpoint):
            for view in ("buyer", "sales_coordinator", "account_manager", "administrator"):
                expected = MATRIX[endpoint, "GET"][view]
                if view == "buyer" and how == "none":
                    expected = 404
                status, location = _answer(app, client, login, world, endpoint, "GET", view,
                                           kind)
                if not _as_expected(status, location, expected):
                    wrong.append(f"{endpoint} {kind or ''} {view}: {status}, not {expected}")
    assert wrong == []


# The personal link's routes for each state of a link, for every point of view: a link that
# no longer works answers 410 with a page saying why, one never made 404.
LINK_ROWS = {
    ("shared.show", state): anyone(status)
    for state, status in (("valid", 200), ("expired", 410), ("revoked", 410), ("unknown", 404))
} | {
    ("shared.play", state): anyone(status)
    for state, status in (("valid", 302), ("expired", 410), ("revoked", 410), ("unknown", 404))
}


def _link_of(state: str) -> str:
    if state == "valid":
        return LINK
    return f"{state}-personal-link-token-0123456789"


@pytest.mark.parametrize("endpoint, state", list(LINK_ROWS), ids="-".join)
def test_personal_links_answer_each_point_of_view_by_their_state(
        app, client, login, world, endpoint, state):
    from flask import url_for

    args = {"link": _link_of(state), "item_id": world["args"]["item_id"]}
    rule = next(app.url_map.iter_rules(endpoint))
    url = url_for(endpoint, **{k: v for k, v in args.items() if k in rule.arguments})
    wrong = []
    for view, expected in LINK_ROWS[endpoint, state].items():
        with client.session_transaction() as session:
            session.clear()
        if view != "anonymous":
            login(world["users"][view])
        response = client.get(url.replace("http://cms.test", ""))
        if response.status_code != expected:
            wrong.append(f"{view}: expected {expected}, got {response.status_code}")
    assert wrong == []
