"""The demo distributor: the named accounts and their relationships, as the README lists them."""

import pytest
from sqlalchemy import func, select

from webapp import access
from webapp.commands import database_is_empty
from webapp.demo import DEMO_PASSWORD
from webapp.extensions import db
from webapp.models import Company, RoleKind, User, UserStatus
from webapp.permissions import Permission
from webapp.services.accounts import authenticate, find_by_email

pytestmark = pytest.mark.usefixtures("ctx")


def user(login):
    return find_by_email(f"{login}@demo.test")


def first_names(query):
    return {u.first_name for u in db.session.scalars(query)}


def test_named_accounts_have_their_roles_and_log_in_with_the_demo_password(demo_data):
    expected = {
        "admin": RoleKind.ADMINISTRATOR, "alice": RoleKind.ACCOUNT_MANAGER,
        "bob": RoleKind.ACCOUNT_MANAGER, "carol": RoleKind.ACCOUNT_MANAGER,
        "sam": RoleKind.SALES_COORDINATOR, "tess": RoleKind.SALES_COORDINATOR,
        "rita": RoleKind.SALES_COORDINATOR, "ben": RoleKind.BUYER, "dora": RoleKind.BUYER,
    }
    for login, kind in expected.items():
        person = user(login)
        assert person.has_role(kind), login
        assert authenticate(person.email, DEMO_PASSWORD) == person


def test_account_managers_cover_the_documented_territories(demo_data):
    assert [t.name for t in user("alice").territories] == ["Nordics", "UK & Ireland"]
    assert [t.name for t in user("bob").territories] == ["DACH"]
    assert [t.name for t in user("carol").territories] == ["North America"]


def test_sales_coordinators_are_linked_as_documented(demo_data):
    assert first_names(access.account_managers_of(user("sam"))) == {"Alice"}
    assert user("sam").territories == []
    assert first_names(access.account_managers_of(user("tess"))) == {"Bob"}
    assert user("tess").coordinated_account_managers == []
    assert first_names(access.account_managers_of(user("rita"))) == {"Carol"}
    assert user("rita").can(Permission.VIEW_REPORTING_ALL)
    assert not user("sam").can(Permission.VIEW_REPORTING_ALL)


def test_ben_and_dora_belong_to_the_documented_account_managers(demo_data):
    ben, dora = user("ben"), user("dora")
    assert ben.company.name == "Northlight Media" and ben.account_manager is None
    assert [t.name for t in ben.territories] == ["UK & Ireland"]
    assert ben in db.session.scalars(access.buyers_of(user("alice"))).all()
    assert dora.account_manager == user("carol")
    assert dora in db.session.scalars(access.buyers_of(user("bob"))).all()
    assert dora in db.session.scalars(access.buyers_of(user("carol"))).all()
    assert dora not in db.session.scalars(access.buyers_of(user("alice"))).all()


def test_a_believable_number_of_buyers_companies_and_applications(demo_data):
    buyers = db.session.scalars(access.users_with_role(RoleKind.BUYER)).all()
    assert len(buyers) >= 152
    assert db.session.scalar(select(func.count()).select_from(Company)) >= 30
    assert len({b.territories[0].name for b in buyers}) == 13
    outside = [b for b in buyers if b.account_manager and not
               set(b.territories) & set(b.account_manager.territories)]
    assert len(outside) >= 5
    pending = db.session.scalar(select(func.count()).where(User.status == UserStatus.PENDING))
    assert pending >= 8


def test_seed_refuses_a_non_empty_database_unless_reset(app, demo_data):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code != 0 and "--reset" in refused.output
    kept = runner.invoke(args=["seed-demo", "--if-empty"])
    assert kept.exit_code == 0 and "not loaded" in kept.output
    find_by_email("ben@demo.test").first_name = "Changed"
    db.session.commit()
    reset = runner.invoke(args=["seed-demo", "--reset"])
    assert reset.exit_code == 0
    db.session.expire_all()
    assert find_by_email("ben@demo.test").first_name == "Ben"
    assert not database_is_empty()
