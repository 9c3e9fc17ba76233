"""Command-line tasks: `flask --app webapp <command>`."""

import time

import click
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Role, User, user_roles


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(User))


def wipe_data() -> None:
    """Delete every row, children before parents, keeping the schema."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def users_by_role() -> list[tuple[str, int]]:
    """Each role's name and how many users hold it, built-in roles first."""
    return db.session.execute(
        select(Role.name, func.count(user_roles.c.user_id))
        .outerjoin(user_roles, user_roles.c.role_id == Role.id)
        .group_by(Role.id, Role.name).order_by(Role.kind.is_(None), Role.id)).all()


def stage_printer(stages: dict[str, str]):
    """A progress callback printing a numbered line as each stage starts, ended by the time
    it took once the next one starts (or `done()` is called)."""
    started = None

    def finish():
        nonlocal started
        if started is not None:
            click.echo(f" {time.monotonic() - started:.1f} s")
            started = None

    def begin(stage: str):
        nonlocal started
        finish()
        click.echo(f"[{list(stages).index(stage) + 1}/{len(stages)}] {stage}: "
                   f"{stages[stage]}...", nl=False)
        started = time.monotonic()

    begin.done = finish
    return begin


def print_demo_summary(counts: dict[str, int], seconds: float) -> None:
    width = max(len(name) for name in [*counts, *(name for name, _ in users_by_role())]) + 4
    click.echo(f"Demo data loaded in {seconds:.1f} s:")
    for what, number in counts.items():
        click.echo(f"  {what:<{width}}{number:>7}")
        if what == "users":
            for role, holders in users_by_role():
                click.echo(f"    {role:<{width - 2}}{holders:>7}")


def print_demo_sign_in() -> None:
    """How the demo's internal accounts pass the second step (buyers need none)."""
    from flask import current_app

    from webapp.services.second_factor import demo_secret

    if current_app.config["HTTPS"] or demo_secret() is None:
        click.echo("HTTPS=1: no shared demo authenticator; internal accounts set up their "
                   "own second factor at their first login.")
        return
    click.echo(f"Second factor of every internal demo account: an authenticator app with the "
               f"key {demo_secret()}\n(or `flask --app webapp demo-code` prints the current "
               "code). Buyers sign in with the password alone.")


def init_app(app):
    from webapp.cli.admin import admin_cli

    app.cli.add_command(admin_cli)

    @app.cli.command("seed-demo")
    @click.option("--reset", is_flag=True, help="Delete all existing data first.")
    @click.option("--if-empty", is_flag=True, help="Do nothing if the database has data.")
    def seed_demo(reset, if_empty):
        """Load the demo distributor (accounts all use the password demo-password).

        Prints each stage as it starts, then how many users (by role), programmes, lists,
        meetings and activity events were made.
        """
        from webapp.demo import STAGES, load_demo_data

        started = time.monotonic()
        if not database_is_empty():
            if if_empty:
                click.echo("The database already holds data; demo data not loaded.")
                print_demo_sign_in()
                return
            if not reset:
                raise click.ClickException(
                    "The database is not empty. Use --reset to replace its data with the demo.")
            click.echo("Deleting the existing data...")
            wipe_data()
        progress = stage_printer(STAGES)
        counts = load_demo_data(progress)
        progress.done()
        print_demo_summary(counts, time.monotonic() - started)
        print_demo_sign_in()

    @app.cli.command("demo-code")
    def demo_code():
        """Print the code the demo's shared authenticator shows now (not with HTTPS=1)."""
        from webapp.demo.sign_in import current_demo_code

        code = current_demo_code()
        if code is None:
            raise click.ClickException("There is no demo authenticator here (none is made, "
                                       "or used, when HTTPS=1).")
        click.echo(code)
