"""Benchmarks (not part of `make test`): how long the demo district takes to load on a fresh
SQLite database, and how long the main pages take with the full demo loaded.

Run with `make bench`. Prints one line per measurement."""

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


def main() -> None:
    call_command("migrate", verbosity=0)
    devnull = open(os.devnull, "w")  # noqa: SIM115
    timed("load_demo on an empty database", lambda: call_command("load_demo", stdout=devnull))
    timed("load_demo again (idempotent)", lambda: call_command("load_demo", stdout=devnull))
    client = Client()
    client.force_login(User.objects.get(username="operator"))
    for url in ["/", "/orgs/", "/members/", "/members/?q=wang", "/members/?page=100"]:
        timed(f"GET {url}", lambda url=url: client.get(url), repeat=20)


if __name__ == "__main__":
    main()
