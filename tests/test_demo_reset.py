"""`flask seed-demo --reset` while the app serves: the built-in roles come back with new
ids, and the running app's relationship views show the right people at once."""

import re

from flask import current_app
from sqlalchemy import select

from tests import factories as f
from webapp.extensions import db
from webapp.models import Role, User
from webapp.services.accounts import find_by_email
from webapp.services.roles import ensure_builtin_roles


def people_listed(response) -> dict[str, set[str]]:
    """First names of the people in each relationship section of a profile page."""
    assert response.status_code == 200
    sections = re.findall(r'<section id="([\w-]+)">(.*?)</section>',
                          response.get_data(as_text=True), re.S)
    return {name: set(re.findall(r"(?:<li>|<tr>\s*<td>)\s*(?:<a[^>]*>)?(\w+) ", html))
            for name, html in sections}


def give_builtin_roles_new_ids() -> None:
    """Delete the built-in roles and make them again, each with an id it did not have, and
    give every user back the kinds they held (what a reset does, in another process)."""
    held = {user: [role.kind for role in user.roles] for user in db.session.scalars(select(User))}
    old_ids = dict(db.session.execute(select(Role.kind, Role.id)).all())
    for role in db.session.scalars(select(Role)):
        db.session.delete(role)
    db.session.flush()
    # Made first, so no built-in role gets its old id back (SQLite reuses ids).
    db.session.add(Role(name="Placeholder", description=""))
    roles = ensure_builtin_roles()
    db.session.flush()
    assert all(role.id != old_ids[kind] for kind, role in roles.items())
    for user, kinds in held.items():
        user.roles = [roles[kind] for kind in kinds]
    db.session.commit()


def test_relationship_views_follow_built_in_roles_given_new_ids(ctx, client, login):
    uk = f.territory("UK & Ireland")
    alice = f.account_manager(first_name="Alice", territories=[uk])
    sam = f.sales_coordinator(alice, first_name="Sam")
    f.buyer(first_name="Ben", territories=[uk])
    alices_people = {"sales-coordinators": {"Sam"}, "buyers": {"Ben"}}
    assert people_listed(login(alice).get("/profile")) == alices_people
    assert people_listed(login(sam).get("/profile")) == {"account-managers": {"Alice"}}

    give_builtin_roles_new_ids()

    assert people_listed(client.get("/profile")) == {"account-managers": {"Alice"}}
    assert people_listed(login(alice).get("/profile")) == alices_people


def test_seed_demo_reset_while_the_app_serves_keeps_its_people_linked(ctx, client, login):
    # Another app on the same database stands for the command run in another process.
    runner = current_app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    login(find_by_email("sam@demo.test"))
    assert people_listed(client.get("/profile")) == {"account-managers": {"Alice"}}
    alices_people = people_listed(login(find_by_email("alice@demo.test")).get("/profile"))
    assert "Sam" in alices_people["sales-coordinators"] and "Ben" in alices_people["buyers"]

    # On PostgreSQL the roles come back with new ids; SQLite gives an emptied table's ids
    # again (the test above covers that case).
    result = runner.invoke(args=["seed-demo", "--reset"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    login(find_by_email("sam@demo.test"))
    assert people_listed(client.get("/profile")) == {"account-managers": {"Alice"}}
    assert people_listed(login(find_by_email("alice@demo.test")).get("/profile")) == alices_people
