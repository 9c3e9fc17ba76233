"""Who may host, see and run meetings (webapp/access.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from tests import factories as f
from webapp import access
from webapp.extensions import db
from webapp.models import ListKind, Meeting, ProgrammeList
from webapp.permissions import Permission

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def people():
    dach = f.territory("DACH")
    alice = f.account_manager(first_name="Alice")
    bob = f.account_manager(first_name="Bob", territories=[dach])
    carol = f.account_manager(first_name="Carol")
    return {
        "alice": alice, "bob": bob, "carol": carol,
        "sam": f.sales_coordinator(alice, first_name="Sam"),
        "tess": f.sales_coordinator(first_name="Tess", territories=[dach]),
        "ben": f.buyer(first_name="Ben"),
        "admin": f.admin(),
    }


def meeting(host, created_by, title):
    item = Meeting(title=title, host=host, created_by=created_by,
                   starts_at=datetime.now(UTC) + timedelta(days=1))
    db.session.add(item)
    db.session.commit()
    return item


def names(select_):
    return [u.first_name for u in db.session.scalars(select_)]


def test_hosts_a_coordinator_may_choose_are_their_account_managers_and_themselves(people):
    assert names(access.hosts_available_to(people["sam"])) == ["Alice", "Sam"]
    assert names(access.hosts_available_to(people["tess"])) == ["Bob", "Tess"]


def test_an_account_manager_hosts_their_own_meetings(people):
    assert names(access.hosts_available_to(people["carol"])) == ["Carol"]
    assert names(access.hosts_available_to(people["ben"])) == []


def test_managing_meetings_for_others_offers_every_account_manager(people):
    role = f.custom_role(name="Events", permissions=[Permission.MANAGE_MEETINGS_FOR_OTHERS])
    people["sam"].roles.append(role)
    db.session.commit()
    assert names(access.hosts_available_to(people["sam"])) == ["Alice", "Bob", "Carol"]
    assert names(access.hosts_available_to(people["admin"])) == ["Alice", "Bob", "Carol"]


def test_meetings_visible_to_each_person(people):
    hosted_by_alice = meeting(people["alice"], people["sam"], "Alice & Ben")
    hosted_by_bob = meeting(people["bob"], people["tess"], "Bob & Dora")
    hosted_by_carol = meeting(people["carol"], people["carol"], "Carol alone")
    own = meeting(people["sam"], people["sam"], "Sam hosts")

    def titles(user):
        return sorted(m.title for m in db.session.scalars(access.meetings_visible_to(user)))

    assert titles(people["sam"]) == sorted([hosted_by_alice.title, own.title])
    assert titles(people["tess"]) == [hosted_by_bob.title]
    assert titles(people["alice"]) == [hosted_by_alice.title]
    assert titles(people["carol"]) == [hosted_by_carol.title]
    assert titles(people["ben"]) == []
    assert len(titles(people["admin"])) == 4


def test_only_the_host_runs_a_meeting(people):
    planned = meeting(people["alice"], people["sam"], "Alice & Ben")
    assert access.may_run_meeting(people["alice"], planned)
    for other in ("sam", "admin", "bob", "ben"):
        assert not access.may_run_meeting(people[other], planned)


def test_a_meetings_list_never_shows_in_the_lists_section(people):
    db.session.add(ProgrammeList(name="Meeting list", kind=ListKind.MEETING,
                                 owner=people["sam"]))
    db.session.commit()
    for who in ("sam", "admin"):
        assert "Meeting list" not in [
            pl.name for pl in db.session.scalars(access.lists_visible_to(people[who]))]


def test_each_path_to_seeing_a_meeting_on_its_own(people):
    """Hosting, having set it up, and (SC) the host being one's AM directly or by territory
    each suffice alone; "manage meetings on behalf of others" sees everything."""
    set_up_by_sam = meeting(people["carol"], people["sam"], "Sam set it up for Carol")
    alice_alone = meeting(people["alice"], people["alice"], "Alice, on her own")
    bob_alone = meeting(people["bob"], people["bob"], "Bob, on his own")

    def sees(user, item):
        return access.may_see_meeting(user, item)

    assert sees(people["carol"], set_up_by_sam) and sees(people["sam"], set_up_by_sam)
    assert sees(people["sam"], alice_alone)  # Alice is Sam's AM directly
    assert sees(people["tess"], bob_alone)  # Bob is Tess's AM by territory
    assert not sees(people["tess"], alice_alone) and not sees(people["sam"], bob_alone)
    assert not sees(people["alice"], bob_alone) and not sees(people["tess"], set_up_by_sam)
    role = f.custom_role(name="Events", permissions=[Permission.MANAGE_MEETINGS_FOR_OTHERS])
    people["tess"].roles.append(role)
    db.session.commit()
    assert all(sees(people["tess"], m) for m in (set_up_by_sam, alice_alone, bob_alone))
