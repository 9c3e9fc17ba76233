"""The relationship rules in webapp/access.py: direct links, territory links, their union."""

from datetime import UTC, datetime

import pytest

from tests import factories as f
from webapp import access, search
from webapp.extensions import db
from webapp.models import Meeting, UserStatus
from webapp.permissions import Permission

pytestmark = pytest.mark.usefixtures("ctx")


def names(select_):
    return [u.first_name for u in db.session.scalars(select_)]


def test_sales_coordinator_linked_directly_has_that_account_manager():
    alice = f.account_manager(first_name="Alice")
    sam = f.sales_coordinator(alice, first_name="Sam")
    assert names(access.account_managers_of(sam)) == ["Alice"]
    assert names(access.sales_coordinators_of(alice)) == ["Sam"]


def test_sales_coordinator_sharing_a_territory_is_associated_by_territory():
    dach = f.territory("DACH")
    bob = f.account_manager(first_name="Bob", territories=[dach])
    tess = f.sales_coordinator(first_name="Tess", territories=[dach])
    assert names(access.account_managers_of(tess)) == ["Bob"]
    assert names(access.sales_coordinators_of(bob)) == ["Tess"]


def test_direct_and_territory_link_count_once_and_are_both_marked():
    uk = f.territory("UK")
    alice = f.account_manager(first_name="Alice", territories=[uk])
    sam = f.sales_coordinator(alice, first_name="Sam", territories=[uk])
    rows = db.session.execute(access.account_manager_links(sam)).all()
    assert [(am.first_name, direct, by_territory) for am, direct, by_territory in rows] == [
        ("Alice", True, True)
    ]
    assert names(access.sales_coordinators_of(alice)) == ["Sam"]


def test_union_of_both_paths_lists_each_account_manager_once():
    uk, nordics = f.territory("UK"), f.territory("Nordics")
    alice = f.account_manager(first_name="Alice", territories=[uk, nordics])
    f.account_manager(first_name="Bob", territories=[nordics])
    carol = f.account_manager(first_name="Carol")
    f.account_manager(first_name="Dan", territories=[f.territory("DACH")])
    sam = f.sales_coordinator(alice, carol, first_name="Sam", territories=[uk, nordics])
    rows = {am.first_name: (d, t) for am, d, t in db.session.execute(
        access.account_manager_links(sam))}
    assert rows == {"Alice": (True, True), "Bob": (False, True), "Carol": (True, False)}


def test_only_the_matching_role_has_these_relationships():
    uk = f.territory("UK")
    alice = f.account_manager(first_name="Alice", territories=[uk])
    bob = f.account_manager(first_name="Bob", territories=[uk])
    f.sales_coordinator(first_name="Sam", territories=[uk])
    ben = f.buyer(first_name="Ben", territories=[uk], account_manager=alice)
    assert names(access.account_managers_of(bob)) == []  # an AM is not a coordinator
    assert names(access.sales_coordinators_of(ben)) == []
    assert names(access.buyers_of(ben)) == []
    assert names(access.buyers_of(bob)) == ["Ben"]


def test_sales_coordinator_without_links_has_no_account_managers():
    f.account_manager(first_name="Alice", territories=[f.territory()])
    lonely = f.sales_coordinator(first_name="Lonely")
    assert names(access.account_managers_of(lonely)) == []


def test_users_of_other_roles_sharing_a_territory_are_not_coordinators():
    uk = f.territory("UK")
    alice = f.account_manager(first_name="Alice", territories=[uk])
    f.buyer(first_name="Ben", territories=[uk])
    f.account_manager(first_name="Other", territories=[uk])
    assert names(access.sales_coordinators_of(alice)) == []


def test_suspended_and_inactive_users_take_part_in_no_relationship():
    uk = f.territory("UK")
    alice = f.account_manager(first_name="Alice", territories=[uk])
    f.sales_coordinator(alice, first_name="Suspended", is_suspended=True)
    f.sales_coordinator(first_name="Pending", territories=[uk], status=UserStatus.PENDING)
    f.buyer(first_name="Gone", territories=[uk], is_suspended=True)
    f.buyer(first_name="Applicant", account_manager=alice, status=UserStatus.PENDING)
    suspended_am = f.account_manager(first_name="Away", territories=[uk], is_suspended=True)
    sam = f.sales_coordinator(alice, suspended_am, first_name="Sam")
    assert names(access.sales_coordinators_of(alice)) == ["Sam"]
    assert names(access.buyers_of(alice)) == []
    assert names(access.account_managers_of(sam)) == ["Alice"]


def test_buyer_belongs_to_direct_account_manager():
    carol = f.account_manager(first_name="Carol")
    f.buyer(first_name="Dora", account_manager=carol)
    assert names(access.buyers_of(carol)) == ["Dora"]


def test_buyer_belongs_by_own_territory_or_through_company():
    uk = f.territory("UK")
    alice = f.account_manager(first_name="Alice", territories=[uk])
    f.buyer(first_name="Ben", territories=[uk])
    f.buyer(first_name="Cora", company=f.company("Northlight", territories=[uk]))
    f.buyer(first_name="Elsewhere", territories=[f.territory("Asia")])
    assert names(access.buyers_of(alice)) == ["Ben", "Cora"]


def test_buyer_with_direct_and_territory_link_is_listed_once_for_each_account_manager():
    dach = f.territory("DACH")
    bob = f.account_manager(first_name="Bob", territories=[dach])
    carol = f.account_manager(first_name="Carol", territories=[f.territory("North America")])
    dach_company = f.company("Alpenblick", territories=[dach])
    f.buyer(first_name="Dora", territories=[dach], company=dach_company, account_manager=carol)
    f.buyer(first_name="Eve", territories=[dach], account_manager=bob)
    assert names(access.buyers_of(bob)) == ["Dora", "Eve"]
    assert names(access.buyers_of(carol)) == ["Dora"]
    marks = {b.first_name: (d, t) for b, d, t in db.session.execute(access.buyer_links(bob))}
    assert marks == {"Dora": (False, True), "Eve": (True, True)}


def test_buyer_in_several_territories_appears_once():
    uk, nordics = f.territory("UK"), f.territory("Nordics")
    alice = f.account_manager(first_name="Alice", territories=[uk, nordics])
    f.buyer(first_name="Nils", territories=[uk, nordics],
            company=f.company(territories=[uk, nordics]))
    assert names(access.buyers_of(alice)) == ["Nils"]


def test_account_manager_without_territories_or_buyers_has_none():
    alice = f.account_manager(first_name="Alice")
    f.buyer(first_name="Ben", territories=[f.territory()])
    assert names(access.buyers_of(alice)) == []
    assert names(access.sales_coordinators_of(alice)) == []


def test_results_can_be_counted_and_filtered_further():
    uk = f.territory("UK")
    alice = f.account_manager(first_name="Alice", territories=[uk])
    for n in range(3):
        f.buyer(first_name=f"B{n}", territories=[uk], account_manager=alice)
    query = access.buyers_of(alice)
    count = db.session.scalar(query.with_only_columns(db.func.count()).order_by(None))
    assert count == 3
    assert names(query.where(search.matches_person("B1"))) == ["B1"]


def test_candidate_search_offers_only_unlinked_sales_coordinators():
    alice = f.account_manager(first_name="Alice")
    f.sales_coordinator(alice, first_name="Sam")
    f.sales_coordinator(first_name="Tess")
    f.sales_coordinator(first_name="Tom", is_suspended=True)
    f.buyer(first_name="Tina")
    assert names(access.sales_coordinator_candidates(alice)) == ["Tess"]
    assert names(access.sales_coordinator_candidates(alice, "ti")) == []


def test_person_search_treats_like_wildcards_literally():
    f.buyer(first_name="Percent", email="per%cent@example.com")
    f.buyer(first_name="Plain", email="plain@example.com")
    buyers = access.users_with_role(f.RoleKind.BUYER)
    assert names(buyers.where(search.matches_person("r%c"))) == ["Percent"]
    assert names(buyers.where(search.matches_person("%"))) == []  # no word starts with "%"


def test_a_search_of_one_or_two_letters_matches_the_start_of_a_word():
    f.buyer(first_name="Lisa", last_name="Berg", email="lb@example.com")
    f.buyer(first_name="Ben", last_name="Li", email="ben@example.com")
    f.buyer(first_name="Emilie", last_name="Roux", email="emilie@example.com")
    f.buyer(first_name="Oskar", last_name="Nyberg", email="lindqvist@example.com")
    buyers = access.users_with_role(f.RoleKind.BUYER)
    assert names(buyers.where(search.matches_person("li"))) == ["Ben", "Lisa", "Oskar"]
    assert names(buyers.where(search.matches_person(" L "))) == ["Ben", "Lisa", "Oskar"]
    assert names(buyers.where(search.matches_person("mili"))) == ["Emilie"]
    assert names(buyers.where(search.matches_person("berg"))) == ["Lisa", "Oskar"]


# --- The meetings of one's day (the home page) ---------------------------------------------


def _meeting(host, title, attendees=(), status="scheduled"):
    meeting = Meeting(title=title, host=host, status=status, starts_at=datetime.now(UTC),
                      attendees=list(attendees))
    db.session.add(meeting)
    db.session.commit()
    return meeting


def _titles(select_):
    return sorted(db.session.scalars(select_.with_only_columns(Meeting.title)))


def test_meetings_worked_on_are_ones_own_and_an_scs_account_managers_by_either_path():
    dach = f.territory("DACH")
    alice, bob = f.account_manager(first_name="Alice"), f.account_manager(territories=[dach])
    carol = f.account_manager(first_name="Carol")
    sam = f.sales_coordinator(alice, first_name="Sam", territories=[dach])
    events = f.custom_role(name="Events", permissions=[Permission.MANAGE_MEETINGS_FOR_OTHERS])
    sam.roles.append(events)
    db.session.commit()
    for host, title in ((alice, "Alice's"), (bob, "Bob's"), (carol, "Carol's"), (sam, "Sam's")):
        _meeting(host, title)
    # Managing meetings for every AM does not make every meeting part of Sam's day.
    assert _titles(access.meetings_worked_on_by(sam)) == ["Alice's", "Bob's", "Sam's"]
    assert _titles(access.meetings_worked_on_by(alice)) == ["Alice's"]


def test_meetings_attended_by_a_buyer_are_theirs_cancelled_ones_too_but_no_drafts():
    alice, ben, dora = f.account_manager(), f.buyer(), f.buyer()
    _meeting(alice, "Ben's", [ben])
    _meeting(alice, "Ben's draft", [ben], status="draft")
    _meeting(alice, "Ben's cancelled", [ben, dora], status="cancelled")
    _meeting(alice, "Dora's", [dora])
    assert _titles(access.meetings_attended_by(ben)) == ["Ben's", "Ben's cancelled"]
