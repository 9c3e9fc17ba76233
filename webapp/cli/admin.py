"""`flask --app webapp admin ...`: users, the catalogue and reports, from the command line."""

import sys
from datetime import UTC, date, datetime

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup
from sqlalchemy import func, select

from webapp import access
from webapp.extensions import db
from webapp.models import Company, Role, RoleKind, Territory, User, UserStatus
from webapp.permissions import Permission
from webapp.services import DomainError, catalogue_import, reporting_csv
from webapp.services.accounts import find_by_email
from webapp.services.reporting import BUYER_SORTS, LONGEST_PERIOD, ReportFilters
from webapp.services.users import save_user

admin_cli = AppGroup("admin", help="Administration tasks: users, catalogue import, reports.")

# Beyond this many, a name that matches nothing is not followed by every name there is.
LISTED_CHOICES = 30


def _refused(outcome: str, error: DomainError) -> click.ClickException:
    """The service's reasons, after what did not happen ("User not created")."""
    reasons = " ".join(str(problem) for problem in error.problems)
    return click.ClickException(f"{outcome}: {reasons}")


def _text(max_length: int):
    """A click callback: the value stripped, present, and at most `max_length` long."""

    def check(_ctx, param, value):
        if value is None:
            return value
        value = value.strip()
        if param.required and not value:
            raise click.BadParameter("must not be empty.")
        if len(value) > max_length:
            raise click.BadParameter(f"use at most {max_length} characters.")
        return value

    return check


def _email(_ctx, _param, value):
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise click.BadParameter(str(error)) from None


def _named(model, names, option: str) -> list:
    """The rows of `model` with these names, case and spacing aside, each once."""
    if model is Role:
        def key_of(name):
            return func.lower(Role.name) == func.lower(" ".join(name.split()))
    else:
        def key_of(name):
            return model.name_key == " ".join(name.split()).casefold()
    found = {}
    for name in names:
        row = db.session.scalar(select(model).where(key_of(name)))
        if row is None:
            known = db.session.scalars(select(model.name).order_by(model.name)
                                       .limit(LISTED_CHOICES + 1)).all()
            hint = (f" Known: {', '.join(known)}." if len(known) <= LISTED_CHOICES else "")
            raise click.BadParameter(f"nothing is named {name!r}.{hint}", param_hint=option)
        found[row.id] = row
    return list(found.values())


def _read_password(from_stdin: bool) -> str:
    if not from_stdin:
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.UsageError("--password-stdin: standard input holds no password.")
    return password


@admin_cli.command("create-user")
@click.argument("email", callback=_email)
@click.option("--first-name", required=True, callback=_text(100), help="First name.")
@click.option("--last-name", required=True, callback=_text(100), help="Last name.")
@click.option("--role", "roles", multiple=True, required=True, metavar="NAME",
              help='A role by its name, e.g. "Account Manager"; repeat for several.')
@click.option("--territory", "territories", multiple=True, metavar="NAME",
              help='A territory by its name, e.g. "Nordics"; repeat for several.')
@click.option("--company", metavar="NAME", help="The company (for a buyer), by its name.")
@click.option("--job-title", default="", callback=_text(120), help="Job title.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (for scripts) "
                   "instead of asking for it.")
def create_user(email, first_name, last_name, roles, territories, company, job_title,
                password_stdin):
    """Create an active user EMAIL holding the given roles.

    The password is asked for twice, without echo, or read from standard input with
    --password-stdin; never from the command line, where the machine's other users and
    the shell history could read it. An email that already has an account is refused.

    \b
    Example:
      echo "$PASSWORD" | flask --app webapp admin create-user sam@example.com \\
        --first-name Sam --last-name Patel --role "Sales Coordinator" \\
        --territory DACH --password-stdin
    """
    chosen_roles = _named(Role, roles, "--role")
    chosen_territories = _named(Territory, territories, "--territory")
    chosen_company = _named(Company, [company], "--company")[0] if company else None
    password = _read_password(password_stdin)
    try:
        user = save_user(None, email=email, first_name=first_name, last_name=last_name,
                         roles=chosen_roles, territories=chosen_territories,
                         company=chosen_company, job_title=job_title,
                         status=UserStatus.ACTIVE, password=password)
    except DomainError as error:
        db.session.rollback()
        raise _refused(f"User {email} not created", error) from None
    db.session.commit()
    click.echo(f"Created {user.full_name} <{user.email}> (user {user.id}): "
               f"{', '.join(role.name for role in user.roles)}.")


@admin_cli.command("import-catalogue")
@click.argument("csv_file", metavar="FILE", type=click.File("rb"))
def import_catalogue(csv_file):
    """Import programmes from a CSV file.

    FILE is the CSV file ("-" reads standard input). Its first row names the columns:
    title, programme_type, genres (separated by ";"), year, episodes, runtime_minutes,
    synopsis, screener_url; title and programme_type are required (Admin > Catalogue >
    Import offers a template). Good rows are imported and refused ones listed with their
    reasons; the exit status is 1 if any row was refused, or if the file itself cannot be
    read (then nothing is imported).
    """
    try:
        report = catalogue_import.import_programmes(catalogue_import.read_upload(csv_file))
    except DomainError as error:
        db.session.rollback()
        raise _refused("Nothing imported", error) from None
    db.session.commit()
    click.echo(f"{report.imported} programme{'s' * (report.imported != 1)} imported, "
               f"{report.rejected} row{'s' * (report.rejected != 1)} refused.")
    for row in report.errors:
        click.echo(f"Row {row.row} ({row.title or 'no title'}): {' '.join(row.messages)}")
    if report.errors:
        raise SystemExit(1)


def _period(start: datetime | None, end: datetime | None) -> tuple[date, date]:
    """The days reported on: as the reporting page, 90 days up to today unless told."""
    today = datetime.now(UTC).date()
    end_day = end.date() if end else max(today, start.date() if start else today)
    start_day = start.date() if start else ReportFilters.default(end_day).start
    if start_day > end_day:
        raise click.BadParameter("must be on or before --to.", param_hint="--from")
    if (end_day - start_day).days + 1 > LONGEST_PERIOD:
        raise click.BadParameter(f"choose a period of at most {LONGEST_PERIOD} days.",
                                 param_hint="--from/--to")
    return start_day, end_day


def _every_buyer() -> User:
    """A viewer who sees every buyer in reporting (access.reports_on_every_buyer), standing
    for the administrator at the terminal; never added to the session."""
    return User(email="", first_name="Every", last_name="buyer",
                roles=[Role(name="Administrator", kind=RoleKind.ADMINISTRATOR)])


def _viewer(viewer_email: str | None, all_buyers: bool) -> User:
    if bool(viewer_email) == all_buyers:
        raise click.UsageError("Give either --as EMAIL or --all-buyers.")
    if all_buyers:
        return _every_buyer()
    viewer = find_by_email(viewer_email)
    if viewer is None:
        raise click.BadParameter(f"no user has the email {viewer_email!r}.", param_hint="--as")
    if not (access.reports_on_every_buyer(viewer) or viewer.can(Permission.VIEW_REPORTING)):
        raise click.ClickException(f"{viewer.full_name} <{viewer.email}> may not view "
                                   "reporting, so has no buyers to report on.")
    return viewer


@admin_cli.command("export-report")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="First day reported on (UTC). Default: 89 days before --to.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Last day reported on, included (UTC). Default: today.")
@click.option("--as", "viewer_email", metavar="EMAIL",
              help="Report on the buyers this user sees in reporting (their scope).")
@click.option("--all-buyers", is_flag=True, help="Report on every buyer.")
@click.option("--sort", type=click.Choice(list(BUYER_SORTS)), default="visits",
              show_default=True, help="The column the rows are ordered by.")
@click.option("--output", "-o", default="-", show_default=True,
              type=click.Path(dir_okay=False, writable=True, allow_dash=True),
              help='The CSV file to write; "-" is standard output.')
def export_report(start, end, viewer_email, all_buyers, sort, output):
    """Export reporting's buyers table as CSV.

    One row per buyer, over the period from --from to --to, with the reporting page's
    columns: buyer, email, company, territories, Account Managers, logins, visits,
    programme views, screener plays, last seen. Give --as EMAIL for the buyers that user
    sees in reporting, or --all-buyers.

    \b
    Example:
      flask --app webapp admin export-report --from 2025-01-01 --to 2025-03-31 \\
        --as sam@demo.test --output sam-q1.csv
    """
    start_day, end_day = _period(start, end)
    viewer = _viewer(viewer_email, all_buyers)
    filters = ReportFilters(start=start_day, end=end_day)
    chunks = reporting_csv.buyers_csv(viewer, filters, sort, descending=BUYER_SORTS[sort][1])
    # Atomic: a file is replaced only once the whole table is written.
    with click.open_file(output, "w", encoding="utf-8", atomic=output != "-") as out:
        for chunk in chunks:
            out.write(chunk)
    if output != "-":
        scope = "every buyer" if all_buyers else f"the buyers of {viewer.email}"
        click.echo(f"Wrote {output}: {scope}, {start_day} to {end_day}.",
                   err=True)
