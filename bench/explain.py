"""EXPLAIN every SQL statement each page issues, on PostgreSQL, and report full-table scans.

    DATABASE_URL=postgresql+psycopg://... .venv/bin/python -m bench.explain [--large-rows 10000]

Each entry of bench/pages.py is requested once in-process (Flask's test client, signed in as
the entry's role's user), recording the statements it runs and how many. Each SELECT, UPDATE and
DELETE is then planned twice: as PostgreSQL would run it now, and with sequential scans
discouraged (enable_seqscan = off). A sequential scan that survives the second plan is one no
index can replace: on a table of at least --large-rows rows it is reported as a full-table
scan, and the exit status is 1. On the small demo data the planner rightly scans small
tables; the second plan is what tells whether it still would on a large distributor.
Target 6: no full-table scan (MET / NOT MET on the last line).
"""

import argparse
import json
import os
import sys
from collections import defaultdict

from sqlalchemy import event, text

from bench.pages import Targets, find_targets, select_entries
from bench.targets import LARGE_TABLE_ROWS, mark, record

PLANNED = ("select", "with", "update", "delete")


def _seq_scans(plan: dict) -> set[str]:
    found = set()
    if plan.get("Node Type") == "Seq Scan":
        found.add(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found |= _seq_scans(child)
    return found


def _plan_scans(connection, statement: str, parameters, seqscan: bool) -> set[str]:
    connection.exec_driver_sql(f"SET enable_seqscan = {'on' if seqscan else 'off'}")
    row = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()
    plan = row if isinstance(row, list) else json.loads(row)
    return _seq_scans(plan[0]["Plan"])


class StatementRecorder:
    """Collects (statement, parameters) the engine runs while it is on."""

    def __init__(self, engine):
        self.statements: list[tuple[str, object]] = []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if not executemany:
            self.statements.append((statement, parameters))


def _run_entry(app, entry, targets: Targets, recorder: StatementRecorder) -> list:
    from webapp.extensions import db
    from webapp.models import User

    client = app.test_client()
    if entry.role:
        email = targets.accounts.email(entry.role)
        with app.app_context():
            user = db.session.scalar(db.select(User).where(User.email == email))
            session_id = user.get_id()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
    headers = {"HX-Request": "true"} if entry.htmx else {}
    recorder.statements.clear()
    response = client.open(entry.path(targets, 0), method=entry.method, headers=headers,
                           data=entry.form(targets, 0) if entry.form else None)
    if response.status_code != entry.status:
        raise SystemExit(f"{entry.name}: HTTP {response.status_code}")
    return list(recorder.statements)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large-rows", type=int, default=LARGE_TABLE_ROWS,
                        help="tables with at least this many rows count as large")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="entries to explain")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (the plans are its).")

    from webapp import create_app
    from webapp.extensions import db

    app = create_app({"WTF_CSRF_ENABLED": False})
    with app.app_context():
        targets = find_targets()
        engine = db.engine
    recorder = StatementRecorder(engine)
    issued = {entry.name: _run_entry(app, entry, targets, recorder)
              for entry in select_entries(args.only)}
    event.remove(engine, "before_cursor_execute", recorder._record)
    return _report(engine, issued, args.large_rows)


def _report(engine, issued: dict[str, list], large_rows: int) -> int:
    full_scans = 0
    scanning: list[str] = []  # entries with a full-table scan
    rows: dict[str, int] = {}
    with engine.connect() as connection:
        for name, statements in issued.items():
            scans: dict[str, set[str]] = defaultdict(set)  # table -> "chosen" / "no index"
            for statement, parameters in statements:
                if not statement.lstrip().lower().startswith(PLANNED):
                    continue
                for table in _plan_scans(connection, statement, parameters, True):
                    scans[table].add("chosen")
                for table in _plan_scans(connection, statement, parameters, False):
                    scans[table].add("no index")
            print(f"{name}: {len(statements)} statements")
            for table, kinds in sorted(scans.items()):
                if table not in rows:
                    rows[table] = connection.execute(
                        text(f'SELECT count(*) FROM "{table}"')).scalar()
                unavoidable = "no index" in kinds
                large = unavoidable and rows[table] >= large_rows
                full_scans += large
                if large and name not in scanning:
                    scanning.append(name)
                print(f"    seq scan on {table} ({rows[table]} rows): "
                      f"{'no index could serve it' if unavoidable else 'planner choice'}"
                      f"{'  <-- FULL-TABLE SCAN OF A LARGE TABLE' if large else ''}")
            connection.rollback()
    met = not full_scans
    print(f"\n{full_scans} full-table scan(s) of tables with at least {large_rows:,} rows "
          f"(target: none): {mark(met)}")
    record("scans", f"{full_scans} full-table scans"
           + (f" ({', '.join(scanning)})" if scanning else "")
           + (f", tables >= {large_rows:,} rows" if large_rows != LARGE_TABLE_ROWS else ""),
           met)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
