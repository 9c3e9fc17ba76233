"""The administrator's command line: `flask admin create-user | import-catalogue |
export-report`, and `flask seed-demo`'s progress and summary."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tests import factories as f
from webapp.extensions import db
from webapp.models import EventKind, Programme, RoleKind, User
from webapp.services import activity
from webapp.services.accounts import authenticate, find_by_email

pytestmark = pytest.mark.usefixtures("ctx")

PASSWORD = "a long pass phrase"
HEADER = "title,programme_type,genres,year,episodes,runtime_minutes,synopsis,screener_url\n"


@pytest.fixture
def cli(app):
    """cli(*args, input=None): run `flask <args>` on the test's app."""
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        result = runner.invoke(args=list(args), input=input)
        db.session.expire_all()  # the command committed through its own session
        return result

    return invoke


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


# --- create-user --------------------------------------------------------------------------


def test_create_user_makes_an_active_user_with_roles_territories_and_company(cli):
    dach = f.territory("DACH")
    company = f.company("Alpenblick Fernsehen")
    result = cli("admin", "create-user", "Nina@Example.com", "--first-name", "Nina",
                 "--last-name", "Novak", "--role", "buyer", "--territory", "dach",
                 "--company", "alpenblick fernsehen", "--password-stdin",
                 input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Created Nina Novak <nina@example.com>" in result.output
    nina = find_by_email("nina@example.com")
    assert [r.kind for r in nina.roles] == [RoleKind.BUYER]
    assert nina.territories == [dach] and nina.company == company
    assert authenticate("nina@example.com", PASSWORD) == nina


def test_create_user_asks_for_the_password_twice_without_a_flag(cli):
    result = cli("admin", "create-user", "sam@example.com", "--first-name", "Sam",
                 "--last-name", "Patel", "--role", "Sales Coordinator", "--role",
                 "Account Manager", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # typed without echo
    sam = find_by_email("sam@example.com")
    assert sam.is_sales_coordinator and sam.is_account_manager
    assert authenticate("sam@example.com", PASSWORD) == sam


def test_create_user_refuses_an_email_that_has_an_account(cli):
    f.user(RoleKind.BUYER, email="taken@example.com", first_name="Old")
    before = user_count()
    result = cli("admin", "create-user", "taken@example.com", "--first-name", "New",
                 "--last-name", "Person", "--role", "Buyer", "--password-stdin",
                 input=PASSWORD + "\n")
    assert result.exit_code == 1
    assert "User taken@example.com not created: Another user already has this email" \
        in result.output
    assert user_count() == before
    assert find_by_email("taken@example.com").first_name == "Old"


def test_create_user_names_the_known_roles_when_one_is_unknown(cli):
    result = cli("admin", "create-user", "x@example.com", "--first-name", "X",
                 "--last-name", "Y", "--role", "Boss", "--password-stdin",
                 input=PASSWORD + "\n")
    assert result.exit_code == 2
    assert "nothing is named 'Boss'" in result.output
    assert "Account Manager" in result.output and "Sales Coordinator" in result.output
    assert find_by_email("x@example.com") is None


def test_create_user_refuses_a_weak_password_and_a_bad_email(cli):
    weak = cli("admin", "create-user", "x@example.com", "--first-name", "X", "--last-name",
               "Y", "--role", "Buyer", "--password-stdin", input="short\n")
    assert weak.exit_code == 1 and "Use at least 8 characters" in weak.output
    bad = cli("admin", "create-user", "not-an-email", "--first-name", "X", "--last-name",
              "Y", "--role", "Buyer", "--password-stdin", input=PASSWORD + "\n")
    assert bad.exit_code == 2 and "Invalid value for 'EMAIL'" in bad.output
    assert user_count() == 0


def test_create_user_takes_no_password_on_the_command_line(cli):
    result = cli("admin", "create-user", "x@example.com", "--first-name", "X", "--last-name",
                 "Y", "--role", "Buyer", "--password", PASSWORD)
    assert result.exit_code == 2 and "No such option '--password'" in result.output
    assert find_by_email("x@example.com") is None


# --- import-catalogue ---------------------------------------------------------------------


def test_import_catalogue_imports_every_good_row(cli, tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_text(HEADER + "Harbour Lights,Series,Crime; Drama,2025,8,58,,\n"
                    "Glacier Song,Documentary,,2024,,90,,\n", encoding="utf-8")
    result = cli("admin", "import-catalogue", str(path))
    assert result.exit_code == 0, result.output
    assert "2 programmes imported, 0 rows refused." in result.output
    assert set(db.session.scalars(select(Programme.title))) == {"Harbour Lights",
                                                                "Glacier Song"}


def test_import_catalogue_lists_refused_rows_and_exits_1(cli):
    csv_text = HEADER + "Kept,Film,,2020,,,,\nRefused,Opera,,20x,,,,\n"
    result = cli("admin", "import-catalogue", "-", input=csv_text)
    assert result.exit_code == 1
    assert "1 programme imported, 1 row refused." in result.output
    assert "Row 3 (Refused): “Opera” is not a programme type." in result.output
    assert "Year must be a whole number" in result.output
    assert list(db.session.scalars(select(Programme.title))) == ["Kept"]


def test_import_catalogue_refuses_an_unreadable_file_and_imports_nothing(cli, tmp_path):
    semicolons = cli("admin", "import-catalogue", "-", input="title;programme_type\nA;Film\n")
    assert semicolons.exit_code == 1
    assert "Nothing imported: The columns must be separated by commas" in semicolons.output
    missing = cli("admin", "import-catalogue", str(tmp_path / "absent.csv"))
    assert missing.exit_code == 2 and "No such file or directory" in missing.output
    assert db.session.scalar(select(func.count()).select_from(Programme)) == 0


# --- export-report ------------------------------------------------------------------------


@pytest.fixture
def reporting_people():
    """Alice covers the UK; Sam coordinates for her; Ben is hers by territory, Dora not."""
    uk, dach = f.territory("UK & Ireland"), f.territory("DACH")
    alice = f.account_manager(first_name="Alice", territories=[uk])
    sam = f.sales_coordinator(alice, first_name="Sam", email="sam@example.com")
    ben = f.buyer(first_name="Ben", email="ben@example.com", territories=[uk])
    dora = f.buyer(first_name="Dora", email="dora@example.com", territories=[dach])
    activity.record(ben, EventKind.LOGIN, at=datetime(2025, 3, 10, 9, tzinfo=UTC))
    activity.record(ben, EventKind.LOGIN, at=datetime(2025, 6, 1, 9, tzinfo=UTC))
    db.session.commit()
    return sam, ben, dora


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_export_report_writes_a_users_buyers_for_the_period_to_stdout(cli, reporting_people):
    result = cli("admin", "export-report", "--as", "sam@example.com", "--from", "2025-03-01",
                 "--to", "2025-03-31")
    assert result.exit_code == 0, result.output
    rows = rows_of(result.stdout)
    assert [(row["Email"], row["Logins"]) for row in rows] == [("ben@example.com", "1")]


def test_export_report_of_every_buyer_to_a_file(cli, reporting_people, tmp_path):
    path = tmp_path / "buyers.csv"
    result = cli("admin", "export-report", "--all-buyers", "--from", "2025-01-01", "--to",
                 "2025-12-31", "--sort", "name", "--output", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"Wrote {path}: every buyer, 2025-01-01 to 2025-12-31." in result.stderr
    rows = rows_of(path.read_text(encoding="utf-8"))
    assert [(row["Email"], row["Logins"]) for row in rows] == [
        ("ben@example.com", "2"), ("dora@example.com", "0")]


def test_export_report_refuses_unclear_scopes_and_periods(cli, reporting_people, tmp_path):
    neither = cli("admin", "export-report")
    assert neither.exit_code == 2 and "Give either --as EMAIL or --all-buyers" in neither.output
    both = cli("admin", "export-report", "--all-buyers", "--as", "sam@example.com")
    assert both.exit_code == 2
    unknown = cli("admin", "export-report", "--as", "nobody@example.com")
    assert unknown.exit_code == 2 and "no user has the email" in unknown.output
    buyer = cli("admin", "export-report", "--as", "ben@example.com")
    assert buyer.exit_code == 1 and "may not view reporting" in buyer.output
    backwards = cli("admin", "export-report", "--all-buyers", "--from", "2025-02-01", "--to",
                    "2025-01-01")
    assert backwards.exit_code == 2 and "must be on or before --to" in backwards.output
    not_a_date = cli("admin", "export-report", "--all-buyers", "--from", "1 March")
    assert not_a_date.exit_code == 2 and "does not match the format" in not_a_date.output
    path = tmp_path / "kept.csv"
    path.write_text("earlier export", encoding="utf-8")
    too_long = cli("admin", "export-report", "--all-buyers", "--from", "2020-01-01", "--to",
                   date(2025, 1, 1).isoformat(), "--output", str(path))
    assert too_long.exit_code == 2 and "at most" in too_long.output
    assert path.read_text(encoding="utf-8") == "earlier export"


# --- help ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "says"), [
    ("create-user", "never from the command line"),
    ("import-catalogue", "title and programme_type are required"),
    ("export-report", "--all-buyers"),
])
def test_every_admin_command_explains_itself(cli, command, says):
    result = cli("admin", command, "--help")
    assert result.exit_code == 0
    assert f"admin {command} [OPTIONS]" in result.output and says in result.output
    listing = cli("admin", "--help")
    assert listing.exit_code == 0 and command in listing.output


# --- seed-demo ----------------------------------------------------------------------------


def test_seed_demo_reports_each_stage_and_sums_up_what_it_made(cli):
    result = cli("seed-demo")
    assert result.exit_code == 0, result.output
    stages = ["people", "catalogue", "lists", "meetings", "activity", "access"]
    for number, stage in enumerate(stages, 1):
        assert f"[{number}/{len(stages)}] {stage}: " in result.output
    summary = result.output.split("Demo data loaded in ", 1)[1]
    for line in ["Administrator", "Account Manager", "Sales Coordinator", "Buyer",
                 "programmes", "lists", "meetings", "activity events"]:
        assert f"  {line} " in summary, line
    admins = db.session.scalar(select(func.count()).select_from(User)
                               .where(User.roles.any(kind=RoleKind.ADMINISTRATOR)))
    assert any(line.split() == ["Administrator", str(admins)] for line in summary.splitlines())

    kept = cli("seed-demo", "--if-empty")
    assert kept.exit_code == 0 and "not loaded" in kept.output
    reset = cli("seed-demo", "--reset")
    assert reset.exit_code == 0
    assert "Deleting the existing data" in reset.output and "Demo data loaded" in reset.output
