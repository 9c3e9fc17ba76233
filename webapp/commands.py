"""Command-line tasks: `flask --app webapp <command>`."""

import click
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import User


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(User))


def wipe_data() -> None:
    """Delete every row, children before parents, keeping the schema."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def init_app(app):
    from webapp.cli.admin import admin_cli

    app.cli.add_command(admin_cli)

    @app.cli.command("seed-demo")
    @click.option("--reset", is_flag=True, help="Delete all existing data first.")
    @click.option("--if-empty", is_flag=True, help="Do nothing if the database has data.")
    def seed_demo(reset, if_empty):
        """Load the demo distributor (accounts all use the password demo-password)."""
        from webapp.demo import load_demo_data

        if not database_is_empty():
            if if_empty:
                click.echo("The database already holds data; demo data not loaded.")
                return
            if not reset:
                raise click.ClickException(
                    "The database is not empty. Use --reset to replace its data with the demo.")
            wipe_data()
        counts = load_demo_data()
        click.echo("Demo data loaded: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
