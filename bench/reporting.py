"""Server time and SQL statements of the reporting pages, for a Sales Coordinator and for a
user who may report on all buyers.

    .venv/bin/python -m bench.reporting postgresql+psycopg://postgres@127.0.0.1/bench
    .venv/bin/python -m bench.reporting sqlite:////tmp/bench.db --runs 10

Run it on a database made by bench/generate.py (it signs in as sc@bench.test and
all@bench.test). Each page is requested --runs times through the Flask test client after
--warmup unmeasured requests; the 50th and 95th percentile of the time the app took to
answer (the whole body read, so a streamed CSV counts in full) are printed with the number
of SQL statements the page ran, counted by a SQLAlchemy event listener. Every report is
computed afresh.
"""

import argparse
import gc
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, func, select

from webapp import access, create_app
from webapp.extensions import db
from webapp.models import ActivityDay, User
from webapp.services.accounts import find_by_email

VIEWERS = {"SC": "sc@bench.test", "all users": "all@bench.test"}


def _parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="SQLAlchemy URL of a generated database")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--csv", action="store_true", help="also time the CSV exports")
    return parser.parse_args()


def _pages(buyer_id: int, with_csv: bool) -> list[tuple[str, str]]:
    today = datetime.now(UTC).date()
    year = f"start={(today - timedelta(days=364)).isoformat()}&end={today.isoformat()}"
    pages = [
        ("overview, 90 days", "/reporting"),
        ("overview, 12 months", f"/reporting?{year}"),
        ("buyers, by visits", "/reporting/buyers"),
        ("buyers, by name, page 5", "/reporting/buyers?sort=name&dir=asc&page=5"),
        ("buyers, 12 months, by views", f"/reporting/buyers?{year}&sort=programme_views"),
        ("buyers, search", "/reporting/buyers?q=No.%201"),
        ("buyers, filtered by region", "/reporting/buyers?region=1"),
        ("programmes, by views", "/reporting/programmes"),
        ("programmes, 12 months, interested", f"/reporting/programmes?{year}&sort=interested"),
        ("a buyer's page", f"/reporting/users/{buyer_id}"),
        ("a buyer's page, 12 months", f"/reporting/users/{buyer_id}?{year}"),
    ]
    if with_csv:
        pages += [("CSV of the buyers", "/reporting/export.csv"),
                  ("CSV of a buyer's activity", f"/reporting/export.csv?buyer={buyer_id}")]
    return pages


def _busiest_buyer(viewer: User) -> int:
    """The viewer's buyer with the most activity days: the heaviest buyer page."""
    ids = access.reportable_users(viewer).with_only_columns(User.id).order_by(None)
    return db.session.scalar(
        select(ActivityDay.user_id).where(ActivityDay.user_id.in_(ids))
        .group_by(ActivityDay.user_id).order_by(func.count().desc()).limit(1))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(app, statements: list, email: str, runs: int, warmup: int, with_csv: bool):
    with app.app_context():
        viewer = find_by_email(email)
        session_id = viewer.get_id()
        buyers = db.session.scalar(select(func.count()).select_from(
            access.reportable_users(viewer).order_by(None).subquery()))
        buyer_id = _busiest_buyer(viewer)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = session_id, True
    results = []
    for label, url in _pages(buyer_id, with_csv):
        times, counts = [], []
        for n in range(warmup + runs):
            statements.clear()
            started = time.perf_counter()
            response = client.get(url)
            body = response.get_data()
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (url, response.status_code, body[:500])
            if n >= warmup:
                times.append(elapsed * 1000)
                counts.append(len(statements))
        results.append((label, _percentile(times, 0.5), _percentile(times, 0.95),
                        statistics.median(counts), max(counts)))
    return buyers, results


def main():
    args = _parse()
    config = {"SQLALCHEMY_DATABASE_URI": args.url, "SERVER_NAME": "bench.test", "REDIS_URL": ""}
    app = create_app(config)
    gc.freeze()  # as gunicorn.conf.py does in each worker once the app is loaded
    with app.app_context():
        sizes = {name: db.session.scalar(select(func.count()).select_from(table))
                 for name, table in (("users", User), ("activity days", ActivityDay))}
        events = db.session.scalar(select(func.count()).select_from(
            db.metadata.tables["activity_events"]))
        programmes = db.session.scalar(select(func.count()).select_from(
            db.metadata.tables["programmes"]))
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(1))
    print(f"{args.url.split(':')[0]}: "
          f"{sizes['users']:,} users, {programmes:,} programmes, {events:,} events, "
          f"{sizes['activity days']:,} activity days; {args.runs} runs per page")
    for who, email in VIEWERS.items():
        buyers, results = measure(app, statements, email, args.runs, args.warmup, args.csv)
        print(f"\n{who} ({email}, {buyers:,} buyers in scope)")
        print(f"  {'page':<36} {'p50 ms':>8} {'p95 ms':>8} {'statements':>11}")
        for label, p50, p95, median_count, most in results:
            count = f"{median_count:g}" + (f" (max {most})" if most != median_count else "")
            print(f"  {label:<36} {p50:8.1f} {p95:8.1f} {count:>11}")


if __name__ == "__main__":
    main()
