"""Benchmarks (not part of `make test`): how long the demo district takes to load on a fresh
SQLite database, how long the main pages take with the full demo loaded, and the check-in
benchmark (bench/checkin.py: gunicorn under wrk, SQLite and PostgreSQL).

Run with `make bench` (`make bench BENCH_ARGS=checkin` for the check-in benchmark alone).
Prints one line per measurement, then the check-in table; exits 1 when a check-in check fails."""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DANGJIAN_VAR_DIR"] = tempfile.mkdtemp(prefix="dangjian-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from dangjian.accounts.models import User  # noqa: E402


def timed(label: str, fn, repeat: int = 1) -> None:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    print(f"{label:<40} median {statistics.median(times) * 1000:8.1f} ms  (n={repeat})")


def import_rows(count: int, seed: int) -> bytes:
    """A roster workbook of `count` new members spread over the demo's branches."""
    import random

    from dangjian.core.spreadsheets import write_workbook
    from dangjian.core.testing import member_data
    from dangjian.orgs.exports import MEMBER_SHEET, _sheet, day_text
    from dangjian.orgs.imports import MEMBER_COLUMNS
    from dangjian.orgs.models import Organization

    rng = random.Random(seed)
    branches = list(Organization.objects.filter(kind="branch").values_list("name", flat=True))
    rows, seen = [], set()
    while len(rows) < count:
        data = member_data(rng)
        if data["id_number"] in seen or data["phone"] in seen:
            continue
        seen |= {data["id_number"], data["phone"]}
        values = {
            **data,
            "gender": "男" if data["gender"] == "M" else "女",
            "organization": rng.choice(branches),
            "joined_on": day_text(data["joined_on"]),
            "status": "正式党员",
        }
        rows.append([values.get(c.key, "") for c in MEMBER_COLUMNS])
    return write_workbook([_sheet(MEMBER_SHEET, MEMBER_COLUMNS, rows)])


def bench_import(count: int, seed: int) -> float:
    from dangjian.orgs.imports import commit_member_import, plan_member_import

    data = import_rows(count, seed)
    operator = User.objects.get(username="operator")
    started = time.perf_counter()
    plan = plan_member_import(data, "bench.xlsx", user=operator)
    assert not plan.problems, plan.problems[:3]
    commit_member_import(plan, user=operator, filename="bench.xlsx", data=data)
    seconds = time.perf_counter() - started
    print(f"import {count:>6} rows{'':<24} {seconds:8.2f} s   {count / seconds:8.0f} rows/s")
    return seconds


def main() -> None:
    if sys.argv[1:] != ["checkin"]:
        bench_demo()
    import checkin

    if not checkin.main():
        sys.exit(1)


def bench_demo() -> None:
    call_command("migrate", verbosity=0)
    devnull = open(os.devnull, "w")  # noqa: SIM115
    timed("load_demo on an empty database", lambda: call_command("load_demo", stdout=devnull))
    timed("load_demo again (idempotent)", lambda: call_command("load_demo", stdout=devnull))
    client = Client()
    client.force_login(User.objects.get(username="operator"))
    for url in ["/", "/orgs/", "/members/", "/members/?q=wang", "/members/?page=100"]:
        timed(f"GET {url}", lambda url=url: client.get(url), repeat=20)
    small = bench_import(3_700, seed=1)
    large = bench_import(37_000, seed=2)
    print(f"37,000 rows took {large / small:.1f}× as long as 3,700 (bound: 12×)")


if __name__ == "__main__":
    main()
