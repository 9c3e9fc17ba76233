"""Load benchmark: the product's pages and fragments under gunicorn, against a bare Flask app.

    .venv/bin/python -m bench.load [--requests 600] [--seconds 2] [--rate 50] [--only NAME ...]

Starts gunicorn with gunicorn.conf.py on loopback, twice: first for bench/hello.py, then for
the product on DATABASE_URL (which must hold the demo data or a generated distributor).
Each entry of bench/pages.py is measured in two bounded phases:

- throughput: --concurrency clients send requests back to back;
- latency at --rate requests per second, sent on a fixed schedule (a late answer delays
  nothing: latency counts from the planned send time).

Each of these phases stops at --requests requests or --seconds seconds, whichever comes
first. With --mix SECONDS, a last phase sends every entry in turn at --rate for that long:
the soak run (workers' memory is printed at its start and end).
"""

import argparse
import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from bench.pages import FRAGMENT, Entry, Targets, find_targets, select_entries
from bench.server import APP, HELLO, ROOT, Session, gunicorn, worker_memory

HELLO_ENTRY = Entry("hello (bare Flask)", FRAGMENT, "", lambda t, n: "/hello")
PAGE_LIMIT, FRAGMENT_LIMIT = 50 * 1024, 5 * 1024  # bytes: HTML of a page, compressed fragment


@dataclass
class Figures:
    """What one phase measured for one entry."""

    latencies: list[float] = field(default_factory=list)  # seconds
    errors: int = 0
    raw_bytes: int = 0  # last answer, decoded
    wire_bytes: int = 0  # last answer, as sent (compressed)
    elapsed: float = 0.0
    first_error: str = ""

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000


class Driver:
    """Sends entries' requests as their roles' users, one HTTP client per thread and role."""

    def __init__(self, base_url: str, targets: Targets, entries: list[Entry]):
        self.targets = targets
        accounts = targets.accounts
        self.sessions = {entry.role: Session(base_url, accounts.email(entry.role),
                                             accounts.password) for entry in entries}
        self._local = threading.local()
        self._lock = threading.Lock()

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

    def throughput(self, entry: Entry, requests: int, seconds: float,
                   concurrency: int) -> Figures:
        """Closed loop: `concurrency` clients, each sending its next request on an answer."""
        figures, counter = Figures(), iter(range(requests))
        start = time.perf_counter()
        deadline = start + seconds

        def client_loop():
            while time.perf_counter() < deadline:
                with self._lock:
                    n = next(counter, None)
                if n is None:
                    return
                self.send(entry, n, figures, time.perf_counter())

        threads = [threading.Thread(target=client_loop) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        figures.elapsed = time.perf_counter() - start
        return figures

    def at_rate(self, entries: list[Entry], rate: float, requests: int,
                seconds: float) -> dict[str, Figures]:
        """Open loop: request i is due at start + i / rate, whatever the answers do."""
        figures = {entry.name: Figures() for entry in entries}
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=32) as pool:
            for n in range(requests):
                planned = start + n / rate
                if planned - start >= seconds:
                    break
                time.sleep(max(0.0, planned - time.perf_counter()))
                entry = entries[n % len(entries)]
                pool.submit(self.send, entry, n // len(entries), figures[entry.name], planned)
        elapsed = time.perf_counter() - start
        for item in figures.values():
            item.elapsed = elapsed
        return figures


def _warm_up(driver: Driver, entries: list[Entry], workers: int, concurrency: int) -> None:
    """A few requests per entry and worker: templates compiled, connections open."""
    for entry in entries:
        driver.throughput(entry, 3 * workers, 30, concurrency)


def _measure(driver: Driver, entries: list[Entry], args) -> dict[str, tuple[Figures, Figures]]:
    results = {}
    for entry in entries:
        peak = driver.throughput(entry, args.requests, args.seconds, args.concurrency)
        paced = (driver.at_rate([entry], args.rate, args.requests, args.seconds)[entry.name]
                 if args.rate else Figures())
        results[entry.name] = (peak, paced)
        print(f"  measured {entry.name}", flush=True)
    return results


def _ms(figures: Figures) -> str:
    return " ".join(f"{figures.percentile(p):>6.1f}" for p in (50, 95, 99))


def _print_table(entries: list[Entry], results, hello_rps: float, rate: float) -> None:
    """One line per entry: peak throughput and its ratio to hello, latency at the rate."""
    print(f"\n{'entry':<22} {'kind':<8} {'req/s':>7} {'ratio':>5}   "
          f"{'p50':>6} {'p95':>6} {'p99':>6} ms  {'errors':>6}  {'bytes':>7} {'sent':>6}")
    for entry in entries:
        peak, paced = results[entry.name]
        shown = paced if paced.latencies else peak
        errors = peak.errors + paced.errors
        limit, size = ((PAGE_LIMIT, peak.raw_bytes) if entry.kind == "page"
                       else (FRAGMENT_LIMIT, peak.wire_bytes))
        ratio = peak.rps / hello_rps if hello_rps else float("nan")
        print(f"{entry.name:<22} {entry.kind:<8} {peak.rps:>7.1f} {ratio:>5.2f}   "
              f"{_ms(shown)}     {errors:>6}  {peak.raw_bytes:>7} {peak.wire_bytes:>6}"
              f"{'  over size' if size > limit else ''}")
        if errors:
            print(f"{'':<22} first error: {peak.first_error or paced.first_error}")
    latency = f"at {rate:g} req/s" if rate else "in the throughput phase"
    print(f"(req/s: throughput phase; p50-p99: {latency}; bytes: the answer decoded; "
          "sent: as sent, compressed)")


def _print_mixed(figures: dict[str, Figures], rate: float) -> None:
    print(f"\nmixed run, every entry in turn at {rate:g} req/s in all")
    print(f"{'entry':<22} {'requests':>8}   {'p50':>6} {'p95':>6} {'p99':>6} ms  {'errors':>6}")
    for name, item in figures.items():
        print(f"{name:<22} {len(item.latencies):>8}   {_ms(item)}     {item.errors:>6}")
        if item.errors:
            print(f"{'':<22} first error: {item.first_error}")


def _print_memory(before: dict[int, int], after: dict[int, int]) -> None:
    print("\nworker resident memory (MiB): start -> end")
    for pid in sorted(before.keys() | after.keys()):
        start = f"{before[pid] / 2**20:.1f}" if pid in before else "-"
        end = f"{after[pid] / 2**20:.1f}" if pid in after else "gone"
        print(f"  pid {pid}: {start} -> {end}")


def _targets(database_url: str) -> Targets:
    os.environ["DATABASE_URL"] = database_url
    from webapp import create_app
    from webapp.extensions import db

    app = create_app()
    with app.app_context():
        targets = find_targets()
        db.engine.dispose()
    return targets


def main(argv=None) -> None:
    args = _arguments(argv)
    entries = select_entries(args.only)
    log = ROOT / "instance" / "bench" / "load-gunicorn.log"
    print(f"database: {args.database_url}\ngunicorn log: {log}")
    targets = _targets(args.database_url)
    print("accounts: " + ", ".join(f"{role} {email}"
                                   for role, email in targets.accounts.emails.items()))

    with gunicorn(HELLO, args.database_url, log, "/hello", args.workers) as (url, master):
        driver = Driver(url, targets, [HELLO_ENTRY])
        _warm_up(driver, [HELLO_ENTRY], len(master.children()), args.concurrency)
        hello = _measure(driver, [HELLO_ENTRY], args)
    with gunicorn(APP, args.database_url, log, "/healthz", args.workers) as (url, master):
        driver = Driver(url, targets, entries)
        _warm_up(driver, entries, len(master.children()), args.concurrency)
        memory_before = worker_memory(master)
        results = _measure(driver, entries, args)
        if args.mix:
            print(f"  mixed run: all entries in turn at {args.rate:g} req/s for "
                  f"{args.mix:g} s", flush=True)
            mixed = driver.at_rate(entries, args.rate, int(args.rate * args.mix) + 1, args.mix)
        memory_after = worker_memory(master)

    hello_rps = hello[HELLO_ENTRY.name][0].rps
    _print_table([HELLO_ENTRY], hello, hello_rps, args.rate)
    _print_table(entries, results, hello_rps, args.rate)
    if args.mix:
        _print_mixed(mixed, args.rate)
    _print_memory(memory_before, memory_after)


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or
                        f"sqlite:///{ROOT / 'instance' / 'webapp.db'}")
    # Enough that the fastest entry (the hello app, over 1,000 per second) is timed for most
    # of a second rather than a few tens of milliseconds; the others stop at --seconds.
    parser.add_argument("--requests", type=int, default=600,
                        help="most requests per entry and phase (default 600)")
    parser.add_argument("--seconds", type=float, default=2.0,
                        help="most seconds per entry and phase (default 2)")
    parser.add_argument("--concurrency", type=int, default=4,
                        help="clients in the throughput phase (default 4)")
    parser.add_argument("--rate", type=float, default=50,
                        help="requests per second in the latency phase; 0 skips it")
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
