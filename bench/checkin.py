"""Check-in benchmark (issue 6): staff scanning member codes under load.

For SQLite and for PostgreSQL, each on a fresh database: migrate, add 600 active members, a
district operator and activities in progress, start gunicorn (`dangjian.wsgi`, 2 sync workers,
DEBUG off) and load it with wrk:

- `POST /api/v1/activities/{id}/check-ins/scan` authenticated as the staff scanner page is (the
  session cookie, the CSRF cookie and `X-CSRFToken`, an Origin and Referer of the site). Each
  activity gets every member's code once plus 10% duplicate scans (a second physical scan, with
  its own nonce), shuffled. wrk walks the activities one after the other, each one's scans in
  order, its threads taking turns through the same list (every other scan).
  32 connections for throughput, 4 connections (on a fresh set of activities) for latency.
- `GET /healthz` (one `SELECT 1`; with the staff's cookies the session and the user are read
  too), with the same wrk settings and headers, as the yardstick: half its time just before the
  32-connection scans and half just after.

wrk stops after a fixed time, in the middle of some activity. Afterwards the first activity of
the 32-connection run is replayed in full over HTTP (the same nonces: what wrk reached must not
change, the rest checks in). The database must then hold exactly 600 check-ins for that activity
(the final count) and for every activity whose 660 scans were all answered during a run, no
activity more than 600, and as many rows as answers 201. Any non-2xx answer or wrong count fails
the run; a missed performance target is only reported. The load average before the runs is
printed too: other work on the machine skews the figures.

Run with `make bench`, or alone: `.venv/bin/python bench/checkin.py`."""

import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve().parent / "checkin.lua"

MEMBERS = 600
DUPLICATES = MEMBERS // 10
SCANS = MEMBERS + DUPLICATES
SECONDS = int(os.environ.get("BENCH_SECONDS", 10))
WRK_THREADS = 2
WORKERS = 2
# Activities per run: far more than 10 s at 32 connections can scan, so wrk never runs out
# (a thread that does makes the run fail).
ACTIVITIES = {"warm-up": 2, "32 connections": 30, "4 connections": 16}
TARGET_RATIO = 0.35
TARGET_P99_MS = 50.0
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://root@127.0.0.1:5432")


class BenchError(Exception):
    """A failed check: the benchmark's figures cannot be trusted."""


@dataclass
class Result:
    database: str
    scans_per_s: float = 0.0
    new_per_s: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    healthz_per_s: float = 0.0
    final_count: int | None = None
    first_in_run: int = 0
    load_before: float = 0.0
    complete_activities: int = 0
    queries_new: tuple[int, int] | None = None  # (SELECT/INSERT/UPDATE, all SQL statements)
    queries_repeat: tuple[int, int] | None = None
    problems: list[str] = field(default_factory=list)
    skipped: str = ""

    @property
    def ratio(self) -> float:
        return self.scans_per_s / self.healthz_per_s if self.healthz_per_s else 0.0


# ---------------------------------------------------------------- inside Django (subprocesses)


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()


def seed(out: Path) -> None:
    """Migrate, then write the members, the staff's session and the activities to `out`."""
    _django()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from dangjian.accounts.models import Role
    from dangjian.accounts.services import create_account
    from dangjian.campaigns import services
    from dangjian.campaigns.models import ActivityType
    from dangjian.core import testing
    from dangjian.orgs.services import create_members

    call_command("migrate", verbosity=0)
    district = testing.build_district()
    rows, seen = [], set()
    rng = random.Random(6)
    while len(rows) < MEMBERS:
        data = testing.member_data(rng)
        if not seen & {data["id_number"], data["phone"]}:
            seen |= {data["id_number"], data["phone"]}
            rows.append({**data, "organization": district.branches[len(rows) % 4]})
    members = create_members(rows, by=None, source="check-in benchmark")
    codes = [services.current_member_code(m) for m in members]
    staff = create_account(
        by=None,
        username="scanner",
        name="签到工作人员",
        password=secrets.token_urlsafe(16),
        role=Role.OPERATOR,
    )
    campaign = services.create_campaign(
        by=None,
        name="党史学习教育",
        starts_on=dt.date.today() - dt.timedelta(days=30),
        ends_on=dt.date.today() + dt.timedelta(days=30),
        is_current=True,
    )
    lecture = ActivityType.objects.get(code="lecture")
    starts_at = timezone.now() - dt.timedelta(minutes=10)

    def activity(title: str) -> int:
        return services.create_activity(
            by=None,
            campaign=campaign,
            type=lecture,
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=4),
            organizers=[district.root],
        ).pk

    sets = {
        name: [activity(f"{name} #{i}") for i in range(1, count + 1)]
        for name, count in ACTIVITIES.items()
    }

    # Log in and open the scanner page, as the staff's browser does: the session and CSRF cookies.
    probe = activity("queries per scan")
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    page = client.get(f"/activities/{probe}/scanner/")
    if page.status_code != 200 or "csrftoken" not in client.cookies:
        raise BenchError(f"scanner page answered {page.status_code} without a CSRF cookie")
    csrf = client.cookies["csrftoken"].value

    def scan(code: str, nonce: str, status: int) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                f"/api/v1/activities/{probe}/check-ins/scan",
                {"code": code, "nonce": nonce},
                content_type="application/json",
                headers={"X-CSRFToken": csrf},
            )
        if response.status_code != status:
            raise BenchError(f"probe scan answered {response.status_code}: {response.content!r}")
        return [q["sql"] for q in queries.captured_queries]

    scan(codes[-1], "probe-warm", 201)  # first request of the process: caches fill
    new, repeat = scan(codes[0], "probe-new", 201), scan(codes[0], "probe-repeat", 200)
    out.write_text(
        json.dumps(
            {
                "codes": codes,
                "sets": sets,
                "session": client.cookies["sessionid"].value,
                "csrf": csrf,
                "queries": {"new": new, "repeat": repeat},
            }
        )
    )


def counts(ids_file: Path) -> None:
    """Print {activity id: check-ins} for the activity ids in `ids_file`, and the total."""
    _django()
    from django.db.models import Count

    from dangjian.campaigns.models import CheckIn

    ids = json.loads(ids_file.read_text())
    rows = CheckIn.objects.filter(activity_id__in=ids).values("activity_id").annotate(n=Count("id"))
    found = {str(r["activity_id"]): r["n"] for r in rows}
    doubled = (
        CheckIn.objects.values("activity_id", "member_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    print(json.dumps({"counts": {str(i): found.get(str(i), 0) for i in ids}, "doubled": doubled}))


# ---------------------------------------------------------------- the orchestra


def _run(args: list[str], env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, check=False, text=True, capture_output=True, **kwargs)  # noqa: S603


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BenchError(f"{name} not found (Debian: apt-get install {name})")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _django_step(env: dict, *args: str) -> str:
    started = time.monotonic()
    done = _run([sys.executable, __file__, *args], env=env, cwd=ROOT)
    if done.returncode != 0:
        raise BenchError(f"`checkin.py {args[0]}` failed:\n{done.stderr[-3000:]}")
    if os.environ.get("BENCH_VERBOSE"):
        print(f"  {args[0]} took {time.monotonic() - started:.1f} s", flush=True)
    return done.stdout


def _scans(run: int, activity_ids: list[int], codes: list[str], rng: random.Random) -> list[str]:
    """The lines of a scans file: per activity, every code once and 10% twice, shuffled. Nonces
    are unique over every run ("a<activity index>-<run>.<scan>")."""
    lines = []
    for k, activity_id in enumerate(activity_ids, start=1):
        path = f"/api/v1/activities/{activity_id}/check-ins/scan"
        scans = codes + rng.sample(codes, DUPLICATES)
        rng.shuffle(scans)
        for n, code in enumerate(scans, start=1):
            body = json.dumps({"code": code, "nonce": f"a{k}-{run}.{n}"})
            lines.append(f"{k}\t{path}\t{body}\n")
    return lines


class Server:
    """gunicorn serving `dangjian.wsgi` on a free local port."""

    def __init__(self, env: dict, log: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        gunicorn = Path(sys.executable).with_name("gunicorn")
        args = [str(gunicorn), "dangjian.wsgi", "--workers", str(WORKERS)]
        args += ["--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}"]
        with log.open("w") as out:
            self.process = subprocess.Popen(  # noqa: S603
                args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise BenchError("gunicorn did not answer /healthz within 30 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _wrk(server: Server, headers: list[str], connections: int, seconds: int, *args) -> dict:
    command = [_tool("wrk"), "--threads", str(WRK_THREADS), "--connections", str(connections)]
    # wrk leaves answers slower than --timeout out of the latency figures: keep them all.
    command += ["--duration", f"{seconds}s", "--timeout", "30s", "--latency"]
    command += ["--script", str(SCRIPT)]
    for header in headers:
        command += ["--header", header]
    done = _run([*command, server.url, "--", *map(str, args)], timeout=seconds + 60)
    lines = [line for line in done.stdout.splitlines() if line.startswith("CHECKIN-BENCH ")]
    if done.returncode != 0 or not lines:
        raise BenchError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    result = json.loads(lines[0].removeprefix("CHECKIN-BENCH "))
    result["stderr"] = done.stderr.strip()
    return result


def _data_queries(statements: list[str]) -> tuple[int, int]:
    """(queries that read or write rows, every statement with BEGIN, SAVEPOINT, COMMIT…)."""
    data = [q for q in statements if q.split(None, 1)[0].upper() in ("SELECT", "INSERT", "UPDATE")]
    return len(data), len(statements)


def _check_wrk(name: str, run: dict, result: Result) -> None:
    errors = {k: v for k, v in run["errors"].items() if v}
    if run["bad"] or errors:
        result.problems.append(
            f"{name}: {run['bad']} non-2xx answers, errors {errors or 'none'} {run['stderr']}"
        )
    if run["exhausted"]:
        result.problems.append(f"{name}: a wrk thread ran out of scans; raise ACTIVITIES")


def bench_database(name: str, database_url: str | None) -> Result:
    result = Result(name)
    var = Path(tempfile.mkdtemp(prefix="dangjian-checkin-bench-"))
    env = {**os.environ, "DANGJIAN_VAR_DIR": str(var), "SECRET_KEY": secrets.token_urlsafe(50)}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    database = None
    server = None
    try:
        if database_url is not None:
            if shutil.which("createdb") is None:
                result.skipped = "createdb not found"
                return result
            database = f"dangjian_bench_{os.getpid()}_{secrets.token_hex(3)}"
            created = _run([_tool("createdb"), "--maintenance-db", database_url, database])
            if created.returncode != 0:
                result.skipped = f"createdb failed: {created.stderr.strip()[:200]}"
                database = None
                return result
            env["DATABASE_URL"] = f"{database_url.rsplit('/', 1)[0]}/{database}"
        print(f"[{name}] migrating and adding {MEMBERS} members…", flush=True)
        _django_step({**env, "DEBUG": "1"}, "seed", str(var / "seed.json"))
        data = json.loads((var / "seed.json").read_text())
        result.queries_new = _data_queries(data["queries"]["new"])
        result.queries_repeat = _data_queries(data["queries"]["repeat"])
        (var / "queries.json").write_text(json.dumps(data["queries"], indent=1))

        rng = random.Random(6)
        for run, (set_name, ids) in enumerate(data["sets"].items(), start=1):
            lines = _scans(run, ids, data["codes"], rng)
            (var / f"{set_name}.tsv").write_text("".join(lines))

        result.load_before = os.getloadavg()[0]
        server = Server({**env, "DEBUG": "0"}, var / "gunicorn.log")
        origin = server.url
        headers = [
            f"Cookie: sessionid={data['session']}; csrftoken={data['csrf']}",
            f"X-CSRFToken: {data['csrf']}",
            f"Origin: {origin}",
            f"Referer: {origin}/activities/{data['sets']['warm-up'][0]}/scanner/",
            "Content-Type: application/json",
            "Accept: application/json",
        ]
        # /healthz right before and right after the 32-connection scans, so that both see the
        # same machine: the ratio is scans/s over the mean /healthz rate of the two halves.
        runs, healthz = {}, []
        for set_name, connections, seconds in [
            ("warm-up", 4, 2),
            ("healthz", 32, SECONDS // 2),
            ("32 connections", 32, SECONDS),
            ("healthz", 32, SECONDS - SECONDS // 2),
            ("4 connections", 4, SECONDS),
        ]:
            if set_name == "healthz":
                print(f"[{name}] /healthz, {connections} connections, {seconds} s…", flush=True)
                healthz.append(_wrk(server, headers, connections, seconds, "healthz"))
                _check_wrk("/healthz", healthz[-1], result)
                continue
            print(f"[{name}] check-in scans, {set_name}, {seconds} s…", flush=True)
            scans_file = var / f"{set_name}.tsv"
            runs[set_name] = _wrk(server, headers, connections, seconds, scans_file, WRK_THREADS)
            _check_wrk(f"scans at {set_name}", runs[set_name], result)
        print(f"[{name}] replaying the first activity's {SCANS} scans…", flush=True)
        replays = {"32 connections": _replay_first(server, headers, var / "32 connections.tsv")}
        if replays["32 connections"]["bad"]:
            statuses = sorted(set(replays["32 connections"]["bad"]))
            result.problems.append(f"replay: non-2xx answers {statuses}")
        server.stop()

        seconds_32 = runs["32 connections"]["duration_us"] / 1e6
        scans_32 = runs["32 connections"]["created"] + runs["32 connections"]["repeated"]
        result.scans_per_s = scans_32 / seconds_32
        result.new_per_s = runs["32 connections"]["created"] / seconds_32
        result.p50_ms = runs["4 connections"]["p50_us"] / 1000
        result.p99_ms = runs["4 connections"]["p99_us"] / 1000
        healthz_seconds = sum(h["duration_us"] for h in healthz) / 1e6
        result.healthz_per_s = sum(h["other"] for h in healthz) / healthz_seconds
        _check_counts(env, var, data["sets"], runs, replays, result)
    except BenchError as exc:
        result.problems.append(str(exc))
    finally:
        if server is not None:
            server.stop()
        if database is not None:
            _run([_tool("dropdb"), "--maintenance-db", database_url, "--if-exists", database])
        if result.problems:
            print(f"[{name}] kept {var} for inspection", flush=True)
        else:
            shutil.rmtree(var, ignore_errors=True)
    return result


def _replay_first(server: Server, headers: list[str], scans_file: Path) -> dict:
    """Send the first activity's 660 scans again, with their nonces, 8 at a time: the scans
    wrk did not reach check in now, and every replayed nonce must change nothing."""
    lines = [line.split("\t", 2) for line in scans_file.read_text().splitlines()]
    scans = [(path, body) for k, path, body in lines if k == "1"]
    header_map = dict(h.split(": ", 1) for h in headers)

    def send(scan: tuple[str, str]) -> int:
        path, body = scan
        request = urllib.request.Request(  # noqa: S310
            server.url + path, data=body.encode(), headers=header_map, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                return answer.status
        except urllib.error.HTTPError as exc:
            return exc.code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(send, scans))
    return {
        "scans": len(scans),
        "created": statuses.count(201),
        "bad": [s for s in statuses if s not in (200, 201)],
    }


def _check_counts(
    env: dict, var: Path, sets: dict, runs: dict, replays: dict, result: Result
) -> None:
    """Every activity whose scans were all answered during a run holds exactly 600 check-ins,
    one per member, each answered 201 once; none holds more; every 201 is a row. The replayed
    first activity holds exactly 600."""
    ids = [i for set_ids in sets.values() for i in set_ids]
    (var / "ids.json").write_text(json.dumps(ids))
    found = json.loads(_django_step({**env, "DEBUG": "0"}, "counts", str(var / "ids.json")))
    if found["doubled"]:
        result.problems.append(f"{found['doubled']} members checked in twice to one activity")
    for set_name, set_ids in sets.items():
        run, replay = runs[set_name], replays.get(set_name)
        in_db = 0
        for k, activity_id in enumerate(set_ids, start=1):
            count = found["counts"][str(activity_id)]
            in_db += count
            answered, new = run["answered"].get(str(k), 0), run["new"].get(str(k), 0)
            if count > MEMBERS:
                result.problems.append(f"{set_name}: activity {activity_id} has {count} check-ins")
            if answered == SCANS:
                if set_name == "32 connections":
                    result.complete_activities += 1
                if count != MEMBERS or new != MEMBERS:
                    result.problems.append(
                        f"{set_name}: activity {activity_id} fully scanned but has {count} "
                        f"check-ins and {new} answers 201 (want {MEMBERS})"
                    )
            if k == 1 and replay is not None and count != MEMBERS:
                result.problems.append(
                    f"{set_name}: first activity {activity_id} has {count} check-ins after the "
                    f"replay (want {MEMBERS})"
                )
        # A scan still in flight when wrk stopped may have been written without being answered.
        created = run["created"] + (replay["created"] if replay else 0)
        if not created <= in_db <= created + 32:
            result.problems.append(
                f"{set_name}: {in_db} check-ins in the database for {created} answers 201"
            )
    first = sets["32 connections"][0]
    result.first_in_run = runs["32 connections"]["answered"].get("1", 0)
    result.final_count = found["counts"][str(first)]
    if result.final_count != MEMBERS:
        result.problems.append(f"final check-in count {result.final_count}, want {MEMBERS}")


def _table(results: list[Result]) -> None:
    def shown(r: Result, cell) -> str:
        if r.skipped:
            return "skipped"
        try:
            return cell(r)
        except TypeError:  # a figure the failed run did not reach
            return "-"

    def row(label: str, cell) -> None:
        cells = "".join(f"{shown(r, cell):>22}" for r in results)
        print(f"{label:<56}{cells}")

    def met(ok: bool) -> str:
        return "met" if ok else "MISSED"

    print()
    print(
        f"Check-in benchmark: gunicorn {WORKERS} sync workers, DEBUG off; wrk {WRK_THREADS} "
        f"threads, {SECONDS} s a run, {os.cpu_count()} CPUs; an activity: {MEMBERS} members "
        f"+ {DUPLICATES} duplicate scans"
    )
    row("", lambda r: r.database)
    row("load average before the runs (1 min)", lambda r: f"{r.load_before:.1f}")
    row("check-in scans/s, 32 connections", lambda r: f"{r.scans_per_s:.0f}")
    row("  of which new check-ins/s", lambda r: f"{r.new_per_s:.0f}")
    row("/healthz requests/s, 32 connections", lambda r: f"{r.healthz_per_s:.0f}")
    row(
        f"ratio check-in / healthz (target ≥ {TARGET_RATIO})",
        lambda r: f"{r.ratio:.2f} {met(r.ratio >= TARGET_RATIO)}",
    )
    row("check-in p50 latency, 4 connections", lambda r: f"{r.p50_ms:.1f} ms")
    row(
        f"check-in p99 latency, 4 connections (< {TARGET_P99_MS:.0f})",
        lambda r: f"{r.p99_ms:.1f} ms {met(r.p99_ms < TARGET_P99_MS)}",
    )
    row(
        "queries a scan, new / already in (all SQL statements)",
        lambda r: (
            f"{r.queries_new[0]} / {r.queries_repeat[0]} "
            f"({r.queries_new[1]} / {r.queries_repeat[1]})"
        ),
    )
    row("activities fully scanned at 32 connections", lambda r: str(r.complete_activities))
    row(f"first activity: scans answered in the run (of {SCANS})", lambda r: str(r.first_in_run))
    row(f"final check-in count, after the replay (want {MEMBERS})", lambda r: str(r.final_count))
    for r in results:
        if r.skipped:
            print(f"{r.database} skipped: {r.skipped}")
        for problem in r.problems:
            print(f"FAILED {r.database}: {problem}")


def main() -> bool:
    """Run both databases and print the table; False when a check failed."""
    try:
        _tool("wrk")
    except BenchError as exc:
        print(f"check-in benchmark: {exc}")
        return False
    results = [bench_database("SQLite", None), bench_database("PostgreSQL", f"{POSTGRES}/postgres")]
    _table(results)
    return not any(r.problems for r in results)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "seed":
        seed(Path(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "counts":
        counts(Path(sys.argv[2]))
    else:
        sys.exit(0 if main() else 1)
