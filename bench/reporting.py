"""Reporting made afresh: the app's CPU per report page, and latency at a rate (gunicorn).

    .venv/bin/python -m bench.reporting postgresql+psycopg://postgres@127.0.0.1:5432/bench_load
    .venv/bin/python -m bench.reporting sqlite:////tmp/bench.db --runs 5 --seconds 0
    .venv/bin/python -m bench.reporting postgresql+psycopg://postgres@127.0.0.1:5432/bench_10x \\
        --tenfold

Run it on a database made by bench/generate.py: it signs in as sc@bench.test (an SC linked
to three AMs) and all@bench.test (who may report on every buyer), and measures two phases
as each of them:

- in-process: each report page (and, with --csv, the CSV exports) is requested --runs times
  through Flask's test client after --warmup unmeasured requests. Printed per page: the
  50th and 95th percentile time until the whole body is read (a streamed CSV counts in
  full); the app's CPU per request (time.process_time around each request: Flask,
  SQLAlchemy, Jinja and the test client, all in this process); the database's CPU per
  request (the CPU time of the PostgreSQL backends serving this process, from psutil, when
  PostgreSQL runs on this machine); the SQL statements the page ran. Target 4: at most 50
  ms of the app's CPU per report page. The CSV exports are downloads: printed, no target.
- at a rate: gunicorn with gunicorn.conf.py on loopback (as bench.load starts it), each
  viewer signed in through the login form, the report pages in turn at --rate requests a
  second on a fixed schedule for --seconds (open loop: a slow answer delays no other, and
  latency counts from the planned send time). Printed per page: requests, p50, p95, the
  slowest and errors; then the workers' CPU per request over the phase. Target 4: p95 under
  300 ms at 10 requests a second for every page, with no errors. --seconds 0 skips it.

--tenfold measures target 5 on a database of ten times the events (bench.generate --events
20000000): the rate phase only, at 2 requests a second, p95 under 1 s, 150 s per viewer.
"""

import argparse
import gc
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import psutil
from sqlalchemy import event, func, select

from bench.pages import GENERATED_ACCOUNTS
from bench.second_factor import CODES
from bench.server import APP, ROOT, Session, gunicorn, open_loop
from bench.targets import (
    REPORT_CPU_MS,
    REPORT_P95_MS,
    REPORT_RATE,
    TENFOLD_EVENTS,
    TENFOLD_P95_MS,
    TENFOLD_RATE,
    mark,
    record,
    worst,
)
from webapp import access, create_app
from webapp.extensions import db
from webapp.models import ActivityDay, User
from webapp.services.accounts import find_by_email

VIEWERS = {"SC": "sc@bench.test", "all buyers": "all@bench.test"}
SUMMARY_KEYS = {"SC": "sc", "all buyers": "all"}
CSV = "CSV of "


def _parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="SQLAlchemy URL of a generated database")
    parser.add_argument("--runs", type=int, default=20, help="in-process requests per page")
    parser.add_argument("--warmup", type=int, default=2,
                        help="unmeasured requests per page before each phase")
    parser.add_argument("--csv", action="store_true", help="also time the CSV exports")
    parser.add_argument("--tenfold", action="store_true",
                        help=f"target 5: {TENFOLD_RATE} req/s, p95 under {TENFOLD_P95_MS} ms, "
                             "no in-process phase (a database of ten times the events)")
    parser.add_argument("--rate", type=float,
                        help=f"report requests per second in the rate phase (default "
                             f"{REPORT_RATE}, {TENFOLD_RATE} with --tenfold)")
    parser.add_argument("--seconds", type=float,
                        help="seconds of the rate phase per viewer (default 60, 150 with "
                             "--tenfold); 0 skips it")
    parser.add_argument("--workers", type=int, help="GUNICORN_WORKERS for the rate phase")
    args = parser.parse_args()
    if args.rate is None:
        args.rate = TENFOLD_RATE if args.tenfold else REPORT_RATE
    if args.seconds is None:
        args.seconds = 150 if args.tenfold else 60
    if args.runs < 1 or args.rate <= 0 or args.seconds < 0:
        parser.error("--runs and --rate must be positive, --seconds at least 0")
    return args


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
        pages += [(f"{CSV}the buyers", "/reporting/export.csv"),
                  (f"{CSV}a buyer's activity", f"/reporting/export.csv?buyer={buyer_id}")]
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


class Backends:
    """The CPU time of the PostgreSQL backends this process's connections talk to."""

    def __init__(self, engine):
        self.pids: set[int] = set()
        if engine.dialect.name == "postgresql":
            event.listen(engine, "checkout", self._checkout)

    def _checkout(self, dbapi_connection, record, proxy) -> None:
        info = getattr(dbapi_connection, "info", None)
        if info is not None and getattr(info, "backend_pid", None):
            self.pids.add(info.backend_pid)

    def seconds(self) -> float | None:
        """Their user and system CPU so far; None where they cannot be read (no
        PostgreSQL, or not on this machine)."""
        if not self.pids:
            return None
        total = 0.0
        try:
            for pid in self.pids:
                times = psutil.Process(pid).cpu_times()
                total += times.user + times.system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None
        return total


def measure(app, statements: list, backends: Backends, session_id: str, pages, runs: int,
            warmup: int):
    """In-process: (label, p50 ms, p95 ms, app CPU ms, database CPU ms or None, median
    statements, most statements) per page."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = session_id, True
    results = []
    for label, url in pages:
        times, cpu, counts = [], [], []
        database_before = None
        for n in range(warmup + runs):
            if n == warmup:
                database_before = backends.seconds()
            statements.clear()
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            body = response.get_data()
            elapsed_cpu, elapsed = (time.process_time() - started_cpu,
                                    time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code, body[:500])
            if n >= warmup:
                times.append(elapsed * 1000)
                cpu.append(elapsed_cpu * 1000)
                counts.append(len(statements))
        database_after = backends.seconds()
        database = (None if database_before is None or database_after is None
                    else (database_after - database_before) * 1000 / runs)
        results.append((label, _percentile(times, 0.5), _percentile(times, 0.95),
                        statistics.fmean(cpu), database, statistics.median(counts),
                        max(counts)))
    return results


def _print_in_process(who: str, email: str, buyers: int, results) -> dict[str, float]:
    """The in-process table; returns the app's CPU ms of each report page (not CSV)."""
    print(f"\n{who} ({email}, {buyers:,} buyers in scope), in-process")
    print(f"  {'page':<36} {'p50 ms':>8} {'p95 ms':>8} {'app CPU ms':>11} {'db CPU ms':>10} "
          f"{'statements':>11}  CPU target")
    cpu = {}
    for label, p50, p95, app_cpu, database, median_count, most in results:
        count = f"{median_count:g}" + (f" (max {most})" if most != median_count else "")
        database_ms = "-" if database is None else f"{database:.1f}"
        verdict = "-" if label.startswith(CSV) else mark(app_cpu <= REPORT_CPU_MS)
        if not label.startswith(CSV):
            cpu[f"{label}, {who}"] = app_cpu
        print(f"  {label:<36} {p50:8.1f} {p95:8.1f} {app_cpu:11.1f} {database_ms:>10} "
              f"{count:>11}  {verdict}")
    return cpu


class RatePhase:
    """One viewer's report pages in turn, at a rate, against gunicorn."""

    def __init__(self, base_url: str, email: str, pages: list[tuple[str, str]]):
        self.session = Session(base_url, email, GENERATED_ACCOUNTS.password)
        self.pages = [(label, url) for label, url in pages if not label.startswith(CSV)]
        self.latencies: dict[str, list[float]] = {label: [] for label, _ in self.pages}
        self.errors: dict[str, int] = dict.fromkeys(self.latencies, 0)
        self.first_error = ""
        self._local = threading.local()
        self._lock = threading.Lock()

    def _client(self) -> httpx.Client:
        if not hasattr(self._local, "client"):
            self._local.client = self.session.client()
        return self._local.client

    def _send(self, n: int, planned: float) -> None:
        label, url = self.pages[n % len(self.pages)]
        try:
            response = self._client().get(url)
            error = "" if response.status_code == 200 else f"HTTP {response.status_code}"
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"
        latency = (time.perf_counter() - planned) * 1000
        with self._lock:
            self.latencies[label].append(latency)
            if error:
                self.errors[label] += 1
                self.first_error = self.first_error or f"{label}: {error}"

    def warm_up(self, rounds: int) -> None:
        """Every page `rounds` times, one after another: templates compiled, statements
        prepared, connections open in the workers that answer."""
        for n in range(rounds * len(self.pages)):
            self._send(n, time.perf_counter())
        for label in self.latencies:
            self.latencies[label].clear()
            self.errors[label] = 0
        self.first_error = ""

    def run(self, rate: float, seconds: float) -> None:
        open_loop(rate, seconds, self._send)


def _workers_cpu(master: psutil.Process) -> float:
    total = 0.0
    for worker in master.children():
        try:
            times = worker.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def _print_rate(who: str, email: str, phase: RatePhase, rate: float, seconds: float,
                cpu_seconds: float, p95_target: float) -> tuple[str, float, bool]:
    """The rate phase's table; returns the worst page, its p95 and the verdict."""
    requests = sum(len(values) for values in phase.latencies.values())
    print(f"\n{who} ({email}), at {rate:g} req/s for {seconds:g} s against gunicorn: "
          f"{requests} requests")
    print(f"  {'page':<36} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
          f"{'errors':>6}  target")
    p95 = {}
    for label, values in phase.latencies.items():
        if not values:
            continue
        p95[label] = _percentile(values, 0.95)
        met = p95[label] < p95_target and not phase.errors[label]
        print(f"  {label:<36} {len(values):>8} {_percentile(values, 0.5):8.1f} "
              f"{p95[label]:8.1f} {max(values):8.1f} {phase.errors[label]:>6}  {mark(met)}")
    every = [value for values in phase.latencies.values() for value in values]
    errors = sum(phase.errors.values())
    print(f"  {'every page':<36} {len(every):>8} {_percentile(every, 0.5):8.1f} "
          f"{_percentile(every, 0.95):8.1f} {max(every):8.1f} {errors:>6}")
    if phase.first_error:
        print(f"  first error: {phase.first_error}")
    print(f"  workers' CPU per request: {cpu_seconds * 1000 / max(requests, 1):.1f} ms")
    label, slowest = worst(p95)
    met = slowest < p95_target and not errors
    print(f"  worst page p95 {slowest:.1f} ms ({label}); target < {p95_target:g} ms at "
          f"{rate:g} req/s, no errors: {mark(met)}")
    return label, slowest, met


def _rate_phase(args, viewers: dict, events: int) -> None:
    target_rate = TENFOLD_RATE if args.tenfold else REPORT_RATE
    p95_target = TENFOLD_P95_MS if args.tenfold else REPORT_P95_MS
    counts = args.rate == target_rate and (not args.tenfold or events >= 0.9 * TENFOLD_EVENTS)
    if not counts:
        print(f"\n(not recorded as target {5 if args.tenfold else 4}: its rate is "
              f"{target_rate:g} req/s" + (f" on {TENFOLD_EVENTS:,} events)" if args.tenfold
                                          else ")"))
    log = ROOT / "instance" / "bench" / "reporting-gunicorn.log"
    with gunicorn(APP, args.url, log, "/healthz", args.workers) as (base_url, master):
        for who, (email, _, pages) in viewers.items():
            phase = RatePhase(base_url, email, pages)
            phase.warm_up(args.warmup)
            print(f"  {who}: {args.rate:g} req/s for {args.seconds:g} s", flush=True)
            cpu_before = _workers_cpu(master)
            phase.run(args.rate, args.seconds)
            cpu = _workers_cpu(master) - cpu_before
            label, p95, met = _print_rate(who, email, phase, args.rate, args.seconds, cpu,
                                          p95_target)
            if counts:
                key = f"{'tenfold' if args.tenfold else 'report p95'} {SUMMARY_KEYS[who]}"
                figure = f"p95 {p95:.0f} ms ({label})"
                record(key, figure + (f", {events / 1e6:.1f} M events" if args.tenfold
                                      else ""), met)


def main():
    args = _parse()
    config = {"SQLALCHEMY_DATABASE_URI": args.url, "SERVER_NAME": "bench.test", "REDIS_URL": ""}
    app = create_app(config)
    gc.freeze()  # as gunicorn.conf.py does in each worker once the app is loaded
    with app.app_context():
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(1))
        backends = Backends(db.engine)
        sizes = {name: db.session.scalar(select(func.count()).select_from(table))
                 for name, table in (("users", User), ("activity days", ActivityDay))}
        events = db.session.scalar(select(func.count()).select_from(
            db.metadata.tables["activity_events"]))
        programmes = db.session.scalar(select(func.count()).select_from(
            db.metadata.tables["programmes"]))
        CODES.load(VIEWERS.values())
        viewers = {}
        for who, email in VIEWERS.items():
            viewer = find_by_email(email)
            if viewer is None:
                raise SystemExit(f"No {email} here: run bench.generate on this database.")
            buyers = db.session.scalar(select(func.count()).select_from(
                access.reportable_users(viewer).order_by(None).subquery()))
            viewers[who] = (email, viewer.get_id(), buyers, _pages(_busiest_buyer(viewer),
                                                                    args.csv))
        db.session.rollback()
    print(f"{args.url.split(':')[0]}: "
          f"{sizes['users']:,} users, {programmes:,} programmes, {events:,} events, "
          f"{sizes['activity days']:,} activity days")
    if args.tenfold and events < 0.9 * TENFOLD_EVENTS:
        print(f"(--tenfold: target 5 is for {TENFOLD_EVENTS:,} events; this database has "
              f"{events:,}, so its figures are not recorded as target 5's)")
    if not args.tenfold:
        print(f"in-process: {args.runs} runs per page after {args.warmup} unmeasured; target: "
              f"app CPU <= {REPORT_CPU_MS} ms per report page")
        cpu = {}
        for who, (email, session_id, buyers, pages) in viewers.items():
            results = measure(app, statements, backends, session_id, pages, args.runs,
                              args.warmup)
            cpu |= _print_in_process(who, email, buyers, results)
        label, most = worst(cpu)
        met = most <= REPORT_CPU_MS
        print(f"\nmost app CPU per report page: {most:.1f} ms ({label}); target <= "
              f"{REPORT_CPU_MS} ms: {mark(met)}")
        record("report cpu", f"{most:.1f} ms ({label})", met)
    with app.app_context():
        db.engine.dispose()
    if args.seconds:
        _rate_phase(args, {who: (email, buyers, pages) for who, (email, _, buyers, pages)
                           in viewers.items()}, events)


if __name__ == "__main__":
    main()
