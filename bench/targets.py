"""The speed targets, and each measured figure's verdict against its target.

Every script prints MET / NOT MET beside the figures a target is about. When the
environment names a file in BENCH_VERDICTS (python -m bench sets it), each verdict is also
appended there as one line of JSON, and `python -m bench` prints them as one summary table
at the end of the run, in the order of TARGETS.
"""

import json
import os
from dataclasses import dataclass

VERDICTS_FILE = "BENCH_VERDICTS"

# 1. Every page and fragment but reporting, at 50 requests per second (bench.load).
LATENCY_RATE = 50  # requests per second, open loop
LATENCY_P95_MS = 50
# The soak (bench.load --mix): memory is flat when no worker grew by this much or more
# from the soak's start to its end.
SOAK_GROWTH_MIB = 10
# 2. and 3. Throughput against the floors bench/hello.py measures in the same run.
READ_SHARE = 0.2  # of one SELECT 1 through Flask and SQLAlchemy: five times a trivial read
WRITE_SHARE = 0.3  # of one row inserted and committed
# 4. Reporting made afresh (bench.reporting).
REPORT_CPU_MS = 50  # the app's CPU per report page
REPORT_RATE = 10
REPORT_P95_MS = 300
# 5. Reporting at ten times the events (bench.reporting --tenfold, on bench_10x).
TENFOLD_EVENTS = 20_000_000
TENFOLD_RATE = 2
TENFOLD_P95_MS = 1000
# 6. Sizes (bench.load) and the browser (bench.browser).
PAGE_BYTES = 50 * 1024  # HTML of a whole page, decoded
FRAGMENT_BYTES = 5 * 1024  # an htmx fragment as sent, compressed
LCP_MS = 1000
CLS = 0.05
LARGE_TABLE_ROWS = 10_000  # bench.explain: a full scan of a table this big is a miss
# bench.ipad's own targets for the in-meeting view.
IPAD_FIRST_LOAD_BYTES = 100 * 1024
IPAD_TAP_BYTES = 2 * 1024


@dataclass(frozen=True)
class Target:
    key: str
    text: str
    measured_by: str


TARGETS = [
    Target("latency", f"1. p95 < {LATENCY_P95_MS} ms at {LATENCY_RATE} req/s, no errors "
           "(every entry but reporting)", "bench.load"),
    Target("soak errors", "1. soak of every entry in turn: zero errors",
           "--soak 600"),
    Target("soak memory", f"1. soak: each worker's memory grows < {SOAK_GROWTH_MIB} MiB",
           "--soak 600"),
    Target("read throughput", f"2. each read: req/s >= {READ_SHARE} x read floor",
           "bench.load"),
    Target("write throughput", f"3. each save: req/s >= {WRITE_SHARE} x write floor",
           "bench.load"),
    Target("report cpu", f"4. app CPU per report page <= {REPORT_CPU_MS} ms",
           "bench.reporting"),
    Target("report p95 sc", f"4. reports p95 < {REPORT_P95_MS} ms at {REPORT_RATE} req/s, SC",
           "bench.reporting"),
    Target("report p95 all", f"4. reports p95 < {REPORT_P95_MS} ms at {REPORT_RATE} req/s, "
           "all buyers", "bench.reporting"),
    Target("tenfold sc", f"5. 10x events: p95 < {TENFOLD_P95_MS} ms at {TENFOLD_RATE} req/s, "
           "SC", "--tenfold-url URL"),
    Target("tenfold all", f"5. 10x events: p95 < {TENFOLD_P95_MS} ms at {TENFOLD_RATE} "
           "req/s, all buyers", "--tenfold-url URL"),
    Target("statements", "6. SQL statements per page independent of data size",
           "tests/test_statement_counts.py"),
    Target("scans", f"6. no full-table scan (tables >= {LARGE_TABLE_ROWS:,} rows)",
           "bench.explain"),
    Target("page size", f"6. page HTML < {PAGE_BYTES // 1024} KB", "bench.load"),
    Target("fragment size", f"6. fragment < {FRAGMENT_BYTES // 1024} KB compressed",
           "bench.load"),
    Target("lcp", f"6. LCP < {LCP_MS} ms on loopback", "bench.browser"),
    Target("cls", f"6. CLS < {CLS}", "bench.browser"),
    Target("ipad first load", f"iPad: first load < {IPAD_FIRST_LOAD_BYTES // 1024} KB "
           "compressed", "bench.ipad"),
    Target("ipad tap", f"iPad: a tap's answer < {IPAD_TAP_BYTES // 1024} KB", "bench.ipad"),
]
BY_KEY = {target.key: target for target in TARGETS}
# Not measured by a run: a test guards it, whatever the machine.
BY_TEST = {"statements": "tests/test_statement_counts.py (not run here)"}


def mark(met: bool) -> str:
    return "MET" if met else "NOT MET"


def record(key: str, figure: str, met: bool) -> None:
    """Keep a verdict for the run's summary (when BENCH_VERDICTS names a file)."""
    if key not in BY_KEY:
        raise ValueError(f"no target {key!r}")
    path = os.environ.get(VERDICTS_FILE)
    if path:
        with open(path, "a", encoding="utf-8") as verdicts:
            verdicts.write(json.dumps({"key": key, "figure": figure, "met": met}) + "\n")


def worst(values: dict[str, float], highest: bool = True) -> tuple[str, float]:
    """The name and value of the worst entry: the highest (or the lowest) value."""
    name = (max if highest else min)(values, key=values.__getitem__)
    return name, values[name]


def summary(path: str) -> list[str]:
    """The summary table's lines, from the verdicts a run wrote to `path`: one row per
    target, in TARGETS order; a target measured twice keeps its latest verdict."""
    found: dict[str, dict] = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as verdicts:
            for line in verdicts:
                row = json.loads(line)
                found[row["key"]] = row
    rows = []
    for target in TARGETS:
        if target.key in found:
            figure, verdict = found[target.key]["figure"], mark(found[target.key]["met"])
        elif target.key in BY_TEST:
            figure, verdict = BY_TEST[target.key], "BY TEST"
        else:
            figure, verdict = f"not measured ({target.measured_by})", "-"
        rows.append((target.text, figure, verdict))
    width = max(len(text) for text, _, _ in rows)
    figures = max(len(figure) for _, figure, _ in rows)
    return [f"{'target':<{width}}  {'figure (worst entry)':<{figures}}  verdict",
            f"{'-' * width}  {'-' * figures}  -------",
            *(f"{text:<{width}}  {figure:<{figures}}  {verdict}" for text, figure, verdict
              in rows)]
