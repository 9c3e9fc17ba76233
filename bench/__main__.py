"""Every performance figure, by one command, on the database at DATABASE_URL:

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_load \\
        .venv/bin/python -m bench [--soak SECONDS] [--skip NAME ...]

runs in turn, each printing its own table:

- load: throughput, latency at 50 requests per second, errors and sizes of every page and
  fragment next to the bare Flask app under the same gunicorn configuration (and its floors
  of one read and one committed write on the database), and the workers' memory (with
  --soak, the soak run of every entry at 50 requests per second);
- explain: statements per page and full-table scans (PostgreSQL only);
- browser: LCP, CLS, total blocking time and bytes, desktop and iPad (needs Chromium);
- reporting: the reporting pages' server time and statements, as an SC and over every
  buyer (on a generated distributor, bench/generate.py);
- ipad: the in-meeting view's first load, tap answers and save times (on the demo data).

A part that cannot run on this database (the wrong data, SQLite for explain) says so and the
others carry on; the exit status is 1 if any part failed.
"""

import argparse
import os
import subprocess
import sys

PARTS = ["load", "explain", "browser", "reporting", "ipad"]


def _command(part: str, url: str, soak: int) -> list[str]:
    command = [sys.executable, "-m", f"bench.{part}"]
    if part == "load" and soak:
        command += ["--rate", "50", "--mix", str(soak)]
    if part == "reporting":
        command += [url, "--csv"]
    return command


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soak", type=int, default=0, metavar="SECONDS",
                        help="add the soak run to the load part (600 for the 10-minute run)")
    parser.add_argument("--skip", nargs="*", default=[], choices=PARTS)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise SystemExit("Set DATABASE_URL to the database to measure.")
    failed = []
    for part in PARTS:
        if part in args.skip or (part == "explain" and not url.startswith("postgresql")):
            print(f"\n=== {part}: skipped", flush=True)
            continue
        print(f"\n=== {part}", flush=True)
        if subprocess.run(_command(part, url, args.soak), check=False).returncode:
            failed.append(part)
    print(f"\n=== done; {'failed: ' + ', '.join(failed) if failed else 'every part ran'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
