"""Load benchmark: the product's pages and fragments under gunicorn, against its floors.

    .venv/bin/python -m bench.load [--seconds 2] [--rate 50] [--mix SECONDS] [--only NAME ...]

Starts gunicorn with gunicorn.conf.py on loopback, twice: first for bench/hello.py (hello,
and the floors of one read and one write on the database), then for the product on
DATABASE_URL (which must hold the demo data or a generated distributor).
Each entry of bench/pages.py is measured in two phases, each of --seconds:

- throughput: wrk (Debian's package, driven by bench/wrk.lua) sends the entry's requests
  back to back on --concurrency connections, from a plan of --requests requests made in
  advance. wrk is written in C; the Python clients of the latency phase cost more of the
  two cores per request than the hello app itself does, so they cannot tell how many
  requests the hello app answers (about a quarter of what wrk finds);
- latency at --rate requests per second, sent by Python clients on a fixed schedule (a late
  answer delays nothing: latency counts from the planned send time), at most --requests.

With --mix SECONDS, a last phase sends every entry in turn at --rate for that long: the soak
run (workers' memory is printed at its start and end).

Printed beside each figure with MET / NOT MET (bench/targets.py): p95 under 50 ms at 50
requests per second with no errors, for every entry but reporting (target 1); throughput
at least 0.2 of the read floor's for a read, 0.3 of the write floor's for a save (2, 3);
a page's HTML under 50 KB, a fragment under 5 KB as sent (6); the soak with no errors and
no worker grown by 10 MiB or more from its start to its end (1).
"""

import argparse
import math
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx

from bench.hello import scratch_table
from bench.pages import (
    FRAGMENT,
    Entry,
    Targets,
    find_targets,
    refresh_note_versions,
    select_entries,
)
from bench.server import (
    ACCEPT_ENCODING,
    APP,
    HELLO,
    ROOT,
    USER_AGENT,
    Session,
    gunicorn,
    open_loop,
    worker_memory,
)
from bench.targets import (
    FRAGMENT_BYTES,
    LATENCY_P95_MS,
    LATENCY_RATE,
    PAGE_BYTES,
    READ_SHARE,
    SOAK_GROWTH_MIB,
    WRITE_SHARE,
    mark,
    record,
    worst,
)

HELLO_ENTRY = Entry("hello (bare Flask)", FRAGMENT, "", lambda t, n: "/hello")
# What the database adds to the hello app at the least (bench/hello.py): the floors of a
# page that reads and of a save, against which the product's own are read.
READ_FLOOR = Entry("hello + one read", FRAGMENT, "", lambda t, n: "/hello/read")
WRITE_FLOOR = Entry("hello + one write", FRAGMENT, "", lambda t, n: "/hello/write",
                    method="POST")
BASELINES = [HELLO_ENTRY, READ_FLOOR, WRITE_FLOOR]


@dataclass
class Figures:
    """What a latency phase (Python clients) measured for one entry."""

    latencies: list[float] = field(default_factory=list)  # seconds
    errors: int = 0
    raw_bytes: int = 0  # last answer, decoded
    wire_bytes: int = 0  # last answer, as sent (compressed)
    first_error: str = ""

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000


@dataclass
class Peak:
    """What wrk measured for one entry in the throughput phase."""

    requests: int = 0
    seconds: float = 0.0
    p50: float = float("nan")  # milliseconds
    p95: float = float("nan")
    p99: float = float("nan")
    errors: int = 0
    first_error: str = ""
    exhausted: bool = False  # a connection sent every request of its plan and started again

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


WRK = shutil.which("wrk") or ""
WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
WRK_LINE = re.compile(r"^wrk (.*)$", re.M)


def peak(base_url: str, entry: Entry, targets: Targets, session: Session, requests: int,
         seconds: float, concurrency: int) -> Peak:
    """The throughput phase: wrk sends the entry's requests (each as the latency phase would,
    made in advance) for `seconds` on `concurrency` connections, a thread each. A lane's
    requests all go, in order, on one connection."""
    headers = {"Accept-Encoding": ACCEPT_ENCODING, "User-Agent": USER_AGENT}
    session.refresh()
    if session.cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
    if entry.htmx:
        headers["HX-Request"] = "true"
    if entry.method == "POST":
        headers["X-CSRFToken"] = session.csrf_token
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    lines = [str(entry.status)]
    for n in range(requests):
        body = urlencode(entry.form(targets, n)) if entry.form else ""
        path = quote(entry.path(targets, n), safe="/?=&%:")
        lines.append(f"{entry.lane(targets, n) % concurrency}\t{entry.method}\t{path}\t{body}")
    with tempfile.NamedTemporaryFile("w", prefix="wrk-", suffix=".txt") as plan:
        plan.write("\n".join(lines) + "\n")
        plan.flush()
        command = [WRK, f"-t{concurrency}", f"-c{concurrency}", f"-d{math.ceil(seconds)}s",
                   "--timeout", "30s", "-s", str(WRK_SCRIPT)]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command += [base_url, "--", plan.name]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = WRK_LINE.search(output)
    if found is None:
        raise SystemExit(f"wrk printed no figures for {entry.name}:\n{output}")
    values = dict(pair.split("=", 1) for pair in found.group(1).split())
    return Peak(int(values["requests"]), float(values["seconds"]), float(values["p50"]),
                float(values["p95"]), float(values["p99"]), int(values["errors"]),
                values["first_error"].replace("_", " "), values["exhausted"] == "1")


class Driver:
    """Sends entries' requests as their roles' users, one HTTP client per thread and role."""

    def __init__(self, base_url: str, app, targets: Targets, entries: list[Entry]):
        self.base_url = base_url
        self.app = app  # the product on the database measured, to look things up in it
        self.targets = targets
        accounts = targets.accounts
        self.sessions = {entry.role: Session(base_url, accounts.email(entry.role),
                                             accounts.password) for entry in entries}
        self._local = threading.local()
        self._lock = threading.Lock()

    def throughput(self, entry: Entry, requests: int, seconds: float,
                   concurrency: int) -> Peak:
        """`peak` for the entry as its role's user. After saves, waits for those wrk left
        being answered when it stopped (a request per connection at most), then reads the
        note versions they left, for the next phase to build on."""
        fastest = peak(self.base_url, entry, self.targets, self.sessions[entry.role],
                       requests, seconds, concurrency)
        if entry.form:
            time.sleep(1)
            with self.app.app_context():
                refresh_note_versions(self.targets)
        return fastest

    def _client(self, role: str) -> httpx.Client:
        clients = self._local.__dict__.setdefault("clients", {})
        if role not in clients:
            clients[role] = self.sessions[role].client()
        return clients[role]

    def send(self, entry: Entry, n: int, figures: Figures, planned: float) -> None:
        session = self.sessions[entry.role]
        headers = {"X-CSRFToken": session.csrf_token} if entry.method == "POST" else {}
        if entry.htmx:
            headers["HX-Request"] = "true"
        try:
            response = self._client(entry.role).request(
                entry.method, entry.path(self.targets, n), headers=headers,
                data=entry.form(self.targets, n) if entry.form else None)
            body = response.content
            error = "" if response.status_code == entry.status else f"HTTP {response.status_code}"
        except httpx.HTTPError as failure:
            error, body, response = f"{type(failure).__name__}: {failure}", b"", None
        latency = time.perf_counter() - planned
        with self._lock:
            figures.latencies.append(latency)
            if error:
                figures.errors += 1
                figures.first_error = figures.first_error or error
            elif response is not None:
                figures.raw_bytes = len(body)
                figures.wire_bytes = response.num_bytes_downloaded

    def at_rate(self, entries: list[Entry], rate: float, requests: int,
                seconds: float) -> dict[str, Figures]:
        """Open loop: request i is due at start + i / rate, whatever the answers do; the
        entries in turn."""
        figures = {entry.name: Figures() for entry in entries}

        def send(n: int, planned: float) -> None:
            entry = entries[n % len(entries)]
            self.send(entry, n // len(entries), figures[entry.name], planned)

        open_loop(rate, seconds, send, limit=requests)
        return figures


def _warm_up(driver: Driver, entries: list[Entry], concurrency: int) -> None:
    """A second of requests per entry: templates compiled, every worker's connections open."""
    for entry in entries:
        driver.throughput(entry, 3000, 1, concurrency)


def _measure(driver: Driver, entries: list[Entry], args) -> dict[str, tuple[Peak, Figures]]:
    results = {}
    for entry in entries:
        fastest = driver.throughput(entry, args.requests, args.seconds, args.concurrency)
        # The latency phase; without one, a single request for the answer's sizes.
        paced = driver.at_rate([entry], args.rate or 1, args.requests if args.rate else 1,
                               args.seconds)[entry.name]
        results[entry.name] = (fastest, paced)
        print(f"  measured {entry.name}", flush=True)
    return results


def _ms(figures: Figures) -> str:
    return " ".join(f"{figures.percentile(p):>6.1f}" for p in (50, 95, 99))


def _verdict(met: bool | None) -> str:
    return "-" if met is None else mark(met)


@dataclass
class Row:
    """One entry's figures beside its targets (None: no target of bench.load's for it)."""

    entry: Entry
    fastest: Peak
    paced: Figures
    share: float  # req/s over its floor's (a read's or a save's)
    throughput: bool | None
    latency: bool | None
    size: int  # bytes: a page's HTML decoded, a fragment as sent
    fits: bool


def _rows(entries: list[Entry], results, floors: dict[str, float], rate: float) -> list[Row]:
    rows = []
    for entry in entries:
        fastest, paced = results[entry.name]
        floor = floors["write" if entry.saves else "read"]
        share = fastest.rps / floor if floor else float("nan")
        needed = WRITE_SHARE if entry.saves else READ_SHARE
        throughput = None if entry.report else share >= needed and not fastest.errors
        latency = (None if entry.report or rate != LATENCY_RATE else
                   paced.percentile(95) < LATENCY_P95_MS and not paced.errors)
        size, limit = ((paced.raw_bytes, PAGE_BYTES) if entry.kind == "page"
                       else (paced.wire_bytes, FRAGMENT_BYTES))
        rows.append(Row(entry, fastest, paced, share, throughput, latency, size,
                        size < limit and not paced.errors))
    return rows


def _print_baselines(hello, floors: dict[str, float], rate: float) -> None:
    print(f"\n{'baseline (bench/hello.py)':<24} {'req/s':>8}   "
          f"{'p50':>6} {'p95':>6} {'p99':>6} ms  {'errors':>6}")
    for entry in BASELINES:
        fastest, paced = hello[entry.name]
        latencies = _ms(paced) if rate else " ".join(
            f"{ms:>6.1f}" for ms in (fastest.p50, fastest.p95, fastest.p99))
        print(f"{entry.name:<24} {fastest.rps:>8.1f}   {latencies}     "
              f"{fastest.errors + paced.errors:>6}")
    print(f"so a read must reach {READ_SHARE} x {floors['read']:.0f} = "
          f"{READ_SHARE * floors['read']:.0f} req/s, a save {WRITE_SHARE} x "
          f"{floors['write']:.0f} = {WRITE_SHARE * floors['write']:.0f} req/s")


def _print_table(rows: list[Row], rate: float) -> None:
    """One line per entry: throughput against its floor, latency at the rate, size; each
    beside its target's verdict."""
    print(f"\n{'entry':<24} {'kind':<8} {'req/s':>7} {'floor':<5} {'share':>5}  "
          f"{'target':<7}  {'p50':>6} {'p95':>6} {'p99':>6} ms {'target':<7}  "
          f"{'errors':>6}  {'bytes':>7} {'sent':>6} target")
    for row in rows:
        entry, fastest, paced = row.entry, row.fastest, row.paced
        latencies = (_ms(paced) if rate else
                     " ".join(f"{ms:>6.1f}" for ms in (fastest.p50, fastest.p95, fastest.p99)))
        errors = fastest.errors + paced.errors
        print(f"{entry.name:<24} {entry.kind:<8} {fastest.rps:>7.1f} "
              f"{'write' if entry.saves else 'read':<5} {row.share:>5.2f}  "
              f"{_verdict(row.throughput):<7}  {latencies}    {_verdict(row.latency):<7}  "
              f"{errors:>6}  {paced.raw_bytes:>7} {paced.wire_bytes:>6} {mark(row.fits)}"
              f"{'  (plan used up: raise --requests)' if fastest.exhausted else ''}")
        if errors:
            print(f"{'':<24} first error: {fastest.first_error or paced.first_error}")
    latency = f"at {rate:g} req/s" if rate else "in the throughput phase"
    print(f"(req/s: throughput phase, wrk; share: req/s over the floor's, target >= "
          f"{READ_SHARE} for a read, >= {WRITE_SHARE} for a save; p50-p99: {latency}, target "
          f"p95 < {LATENCY_P95_MS} ms at {LATENCY_RATE} req/s with no errors; bytes: the "
          f"answer decoded, target < {PAGE_BYTES // 1024} KB for a page; sent: as sent, "
          f"compressed, target < {FRAGMENT_BYTES // 1024} KB for a fragment. Reporting "
          "entries: no throughput or latency target here, see bench.reporting)")


def _record_rows(rows: list[Row]) -> None:
    """The worst entry of each target bench.load measures, for the run's summary."""
    timed = [row for row in rows if row.latency is not None]
    if timed:
        name, p95 = worst({row.entry.name: row.paced.percentile(95) for row in timed})
        errors = sum(row.paced.errors for row in timed)
        record("latency", f"p95 {p95:.1f} ms ({name})"
               + (f", {errors} errors" if errors else ""), all(row.latency for row in timed))
    for key, saves in (("read throughput", False), ("write throughput", True)):
        measured = {row.entry.name: row for row in rows
                    if row.throughput is not None and row.entry.saves == saves}
        if measured:
            name, share = worst({name: row.share for name, row in measured.items()},
                                highest=False)
            record(key, f"{share:.2f} x floor ({name}, {measured[name].fastest.rps:.0f} req/s)",
                   all(row.throughput for row in measured.values()))
    for key, kind, unit in (("page size", "page", "KB HTML"), ("fragment size", "fragment",
                                                                "KB sent")):
        measured = [row for row in rows if row.entry.kind == kind]
        if measured:
            name, size = worst({row.entry.name: row.size for row in measured})
            record(key, f"{size / 1024:.1f} {unit} ({name})", all(row.fits for row in measured))


def _print_mixed(figures: dict[str, Figures], rate: float, seconds: float) -> None:
    print(f"\nsoak: every entry in turn at {rate:g} req/s in all for {seconds:g} s")
    print(f"{'entry':<24} {'requests':>8}   {'p50':>6} {'p95':>6} {'p99':>6} ms  {'errors':>6}")
    for name, item in figures.items():
        print(f"{name:<24} {len(item.latencies):>8}   {_ms(item)}     {item.errors:>6}")
        if item.errors:
            print(f"{'':<24} first error: {item.first_error}")
    errors = sum(item.errors for item in figures.values())
    requests = sum(len(item.latencies) for item in figures.values())
    print(f"errors in the soak: {errors} of {requests:,} requests (target: none): "
          f"{mark(not errors)}")
    record("soak errors", f"{errors} errors in {requests:,} requests, {seconds:g} s",
           not errors)


def _print_memory(warm: dict[int, int], start: dict[int, int], end: dict[int, int],
                  soaked: bool) -> None:
    """Each worker's resident memory; with a soak, its growth from the soak's start to its
    end against the target (a worker gone, or a new one, is a miss)."""
    mib = 2 ** 20
    print("\nworker resident memory (MiB): after warm-up, "
          + ("soak start, soak end (growth in the soak)" if soaked else "end of the run"))
    growth = {}
    for pid in sorted(warm.keys() | start.keys() | end.keys()):
        columns = [f"{sizes[pid] / mib:.1f}" if pid in sizes else "-"
                   for sizes in ((warm, start, end) if soaked else (warm, end))]
        line = f"  pid {pid}: " + " -> ".join(columns)
        if soaked:
            growth[pid] = (end[pid] - start[pid]) / mib if pid in start and pid in end \
                else float("inf")
            line += (f"  ({growth[pid]:+.1f})" if pid in start and pid in end
                     else "  (replaced)")
        print(line)
    if soaked and growth:
        pid, most = worst(growth)
        met = most < SOAK_GROWTH_MIB
        print(f"most a worker grew in the soak: {most:+.1f} MiB (target < {SOAK_GROWTH_MIB} "
              f"MiB): {mark(met)}")
        record("soak memory", f"{most:+.1f} MiB (worst worker)" if most != float("inf")
               else "a worker was replaced", met)


def _targets(database_url: str):
    """The product on the database measured, and the targets found in it."""
    os.environ["DATABASE_URL"] = database_url
    from webapp import create_app
    from webapp.extensions import db

    app = create_app()
    with app.app_context():
        targets = find_targets()
        db.engine.dispose()
    return app, targets


def main(argv=None) -> None:
    args = _arguments(argv)
    if not WRK:
        raise SystemExit("bench.load needs wrk for its throughput phase: apt-get install wrk")
    entries = select_entries(args.only)
    log = ROOT / "instance" / "bench" / "load-gunicorn.log"
    print(f"database: {args.database_url}\ngunicorn log: {log}")
    app, targets = _targets(args.database_url)
    print("accounts: " + ", ".join(f"{role} {email}"
                                   for role, email in targets.accounts.emails.items()))

    with scratch_table(args.database_url), \
            gunicorn(HELLO, args.database_url, log, "/hello", args.workers) as (url, master):
        driver = Driver(url, app, targets, BASELINES)
        _warm_up(driver, BASELINES, args.concurrency)
        hello = _measure(driver, BASELINES, args)
    with gunicorn(APP, args.database_url, log, "/healthz", args.workers) as (url, master):
        driver = Driver(url, app, targets, entries)
        _warm_up(driver, entries, args.concurrency)
        warm = worker_memory(master)
        results = _measure(driver, entries, args)
        soak_start = worker_memory(master)
        if args.mix:
            print(f"  soak: all entries in turn at {args.rate:g} req/s for "
                  f"{args.mix:g} s", flush=True)
            mixed = driver.at_rate(entries, args.rate, int(args.rate * args.mix) + 1, args.mix)
        soak_end = worker_memory(master)

    floors = {"read": hello[READ_FLOOR.name][0].rps, "write": hello[WRITE_FLOOR.name][0].rps}
    _print_baselines(hello, floors, args.rate)
    rows = _rows(entries, results, floors, args.rate)
    _print_table(rows, args.rate)
    _record_rows(rows)
    if args.mix:
        _print_mixed(mixed, args.rate, args.mix)
    _print_memory(warm, soak_start, soak_end, bool(args.mix))


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or
                        f"sqlite:///{ROOT / 'instance' / 'webapp.db'}")
    # wrk's plan: more than the fastest entry (the hello app, a few thousand per second)
    # answers in --seconds.
    parser.add_argument("--requests", type=int, default=40_000,
                        help="requests planned for wrk per entry, and the most sent in a "
                             "latency phase (default 40,000)")
    parser.add_argument("--seconds", type=float, default=2.0,
                        help="most seconds per entry and phase (default 2)")
    parser.add_argument("--concurrency", type=int, default=4,
                        help="connections in the throughput phase (default 4)")
    parser.add_argument("--rate", type=float, default=LATENCY_RATE,
                        help=f"requests per second in the latency phase (default "
                             f"{LATENCY_RATE}, the target's); 0 skips it")
    parser.add_argument("--workers", type=int, help="GUNICORN_WORKERS for both servers")
    parser.add_argument("--mix", type=float, default=0, metavar="SECONDS",
                        help="then send all entries in turn at --rate for SECONDS (a soak run)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="entries to measure")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.seconds <= 0 or args.concurrency < 1 or args.rate < 0:
        parser.error("--requests, --seconds and --concurrency must be positive")
    if args.mix < 0 or (args.mix and not args.rate):
        parser.error("--mix needs a positive number of seconds and a --rate")
    return args


if __name__ == "__main__":
    main()
