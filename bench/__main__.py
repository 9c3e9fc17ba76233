"""Every performance figure beside its target, by one command, on the database at DATABASE_URL:

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_load \\
        .venv/bin/python -m bench [--soak 600] [--tenfold-url URL] [--quick] [--skip NAME ...]

runs in turn, each printing its own tables with MET / NOT MET beside the figures a target
is about (bench/targets.py):

- load: throughput, latency at 50 requests per second, errors and sizes of every page and
  fragment, beside the floors of one read and one committed write (bench/hello.py) measured
  in the same run, and the workers' memory; with --soak, the soak of every entry in turn;
- explain: statements per page and full-table scans (PostgreSQL only);
- browser: LCP, CLS, total blocking time and bytes, desktop and iPad (needs Chromium);
- reporting: the app's CPU per report page in-process, and the reports' latency at 10
  requests per second against gunicorn, as an SC and over every buyer (on a generated
  distributor, bench/generate.py);
- ipad: the in-meeting view's first load, tap answers and save times;
- tenfold, with --tenfold-url: the reports at 2 requests per second on a database of ten
  times the events (bench.reporting --tenfold).

It ends with one summary table: each target, its figure (the worst entry) and MET / NOT
MET. A part that cannot run on this database (the wrong data, SQLite for explain) says so
and the others carry on; the exit status is 1 if any part failed (bench.explain's is 1 when
it finds a full-table scan). --quick runs every part
with short settings, to check that the scripts run: its figures are no measure of the
targets.
"""

import argparse
import os
import subprocess
import sys
import tempfile

from bench.targets import VERDICTS_FILE, summary

PARTS = ["load", "explain", "browser", "reporting", "ipad", "tenfold"]
# Short settings per part, for --quick.
QUICK = {"load": ["--seconds", "1"],
         "reporting": ["--runs", "3", "--warmup", "1", "--seconds", "10"],
         "ipad": ["--saves", "30"],
         "tenfold": ["--warmup", "1", "--seconds", "20"]}


def _command(part: str, url: str, args) -> list[str]:
    module = "reporting" if part == "tenfold" else part
    command = [sys.executable, "-m", f"bench.{module}"]
    if part == "load" and args.soak:
        command += ["--mix", str(args.soak)]
    if part == "reporting":
        command += [url, "--csv"]
    if part == "tenfold":
        command += [args.tenfold_url, "--tenfold"]
    return command + (QUICK.get(part, []) if args.quick else [])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soak", type=int, default=0, metavar="SECONDS",
                        help="add the soak run to the load part (600 for the 10-minute run)")
    parser.add_argument("--tenfold-url", metavar="URL",
                        help="a database of ten times the events (bench.generate --events "
                             "20000000), for target 5")
    parser.add_argument("--quick", action="store_true",
                        help="short settings, to check that every part runs")
    parser.add_argument("--skip", nargs="*", default=[], choices=PARTS)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise SystemExit("Set DATABASE_URL to the database to measure.")
    failed = []
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        verdicts = os.path.join(work, "verdicts.jsonl")
        environment = {**os.environ, VERDICTS_FILE: verdicts}
        for part in PARTS:
            if (part in args.skip or (part == "explain" and not url.startswith("postgresql"))
                    or (part == "tenfold" and not args.tenfold_url)):
                print(f"\n=== {part}: skipped", flush=True)
                continue
            print(f"\n=== {part}", flush=True)
            if subprocess.run(_command(part, url, args), env=environment,
                              check=False).returncode:
                failed.append(part)
        note = " (--quick: short settings, not a measure of the targets)" if args.quick else ""
        print(f"\n=== summary{note}")
        print("\n".join(summary(verdicts)))
    print("\n=== done; " + (f"non-zero exit status: {', '.join(failed)}" if failed
                             else "every part ran"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
