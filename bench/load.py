"""Load benchmark: requests/s, latency percentiles and server CPU per request for the learner's pages and
the teacher's busiest ones.

Starts `cadence serve` on 127.0.0.1 against a database built with `cadence seed_large` (the teacher pages
also want `cadence seed_gradebook`), signs in a sample of benchmark learners and one teacher (sessions are
created directly in the database), then drives each page at each concurrency and prints a table:

- req/s and p50/p95/p99 latency as the load generator saw them;
- **CPU ms/req**: the CPU time (user + system) of the server's whole process tree (gunicorn's master and
  workers) over the level, divided by the requests it answered. Unlike req/s, this hardly depends on what
  else the machine runs, and it is the figure the fast-pages goal is written in (≤ 6 ms).

The load comes from `wrk` when it is installed (Debian: `apt install wrk`; one thread, a Lua script
spreading requests over the signed-in learners), else from a small asyncio client. Only loopback addresses
are used; each level runs for --seconds and stops by itself.

Side by side: `--compare-url` points the same load, level by level and alternating with Cadence's pages,
at another server's page (for example the learner home of a Kolibri started next to it), with its cookie
(`--compare-cookie`) and its process (`--compare-pid`, for its CPU per request).

    CADENCE_HOME=/tmp/bench python bench/load.py                         # SQLite in CADENCE_HOME
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cadence_bench python bench/load.py --concurrency 16
    python bench/load.py --pages dashboard --compare-url http://127.0.0.1:8080/api/... --compare-pid 4242
    python bench/load.py --pages dashboard "item page" --concurrency 16 --serve-arg=--with-worker

At the end it prints the server's memory after the run (RSS, PSS and USS over all its processes; see
bench/memory.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

logging.getLogger("httpx").setLevel(logging.WARNING)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cadence.settings")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
WRK = shutil.which("wrk") or "wrk"


@dataclass(frozen=True)
class Visitor:
    cookie: str  # "name=value"
    course_slug: str
    item_id: int


def _session_cookie(user: object) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)  # type: ignore[attr-defined]
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()  # type: ignore[attr-defined]
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def prepare_visitors(count: int) -> tuple[list[Visitor], Visitor | None]:
    """Sessions for `count` benchmark learners, each with a course and the item they would resume, and for
    the teacher of the first benchmark course (None without one)."""
    import django

    django.setup()
    from cadence.accounts.models import User
    from cadence.core.testing.seed import DOMAIN
    from cadence.courses.models import Course, Membership, Role
    from cadence.progress.models import ItemProgress

    users = list(User.objects.filter(email__startswith="learner", email__endswith=f"@{DOMAIN}").order_by("pk")[:count])
    if not users:
        sys.exit("No benchmark data: run `cadence seed_large` on this database first.")
    resume = {
        row["user_id"]: row
        for row in ItemProgress.objects.filter(user__in=users).values("user_id", "item_id", "course__slug")
    }
    learners = [
        Visitor(_session_cookie(u), resume[u.pk]["course__slug"], resume[u.pk]["item_id"])
        for u in users
        if u.pk in resume
    ]
    course = Course.objects.filter(slug__startswith="bench-").order_by("slug").first()
    teacher = (
        Membership.objects.filter(course=course, role=Role.TEACHER).select_related("user").first() if course else None
    )
    staff = Visitor(_session_cookie(teacher.user), course.slug, 0) if teacher and course else None
    return learners, staff


LEARNER_PAGES: dict[str, Callable[[Visitor], str]] = {
    "dashboard": lambda v: "/",
    "course home": lambda v: f"/courses/{v.course_slug}/",
    "item page": lambda v: f"/courses/{v.course_slug}/items/{v.item_id}/",
    # Every item of a benchmark course says "Benchmark item.": the worst case, 500 matches to rank.
    "search": lambda v: f"/courses/{v.course_slug}/search/?q=benchmark+item",
    "library": lambda v: f"/courses/{v.course_slug}/library/",
}
STAFF_PAGES: dict[str, Callable[[Visitor], str]] = {
    "learners table": lambda v: f"/courses/{v.course_slug}/learners/",
    "gradebook": lambda v: f"/courses/{v.course_slug}/gradebook/",
}


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    p50: float  # ms
    p95: float
    p99: float
    cpu_seconds: float | None  # the server process tree's, over the level

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_request(self) -> float | None:
        if self.cpu_seconds is None or not self.requests:
            return None
        return 1000 * self.cpu_seconds / self.requests


# --- Server CPU ----------------------------------------------------------------------------------------
def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the state on (the name may hold spaces)


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU of a process and all its descendants (and of children it has reaped)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        fields = _stat(pid)
        if fields is None:
            continue
        utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
        total += utime + stime + (cutime + cstime if pid == root else 0)
        todo.extend(children.get(pid, []))
    return total / CLOCK_TICKS


def tree_memory_mib(root: int) -> tuple[float, float, float]:
    """RSS, PSS and USS (MiB) summed over a process and its descendants (see bench/memory.py for which to
    read: RSS counts pages the workers share with their master once in each)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry))
    rss = pss = uss = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]
        except OSError:
            continue
        kb = {line.split(":")[0]: int(line.split()[1]) for line in lines}
        rss, pss = rss + kb["Rss"], pss + kb["Pss"]
        uss += kb["Private_Clean"] + kb["Private_Dirty"]
        todo.extend(children.get(pid, []))
    return rss / 1024, pss / 1024, uss / 1024


# --- Load generators ---------------------------------------------------------------------------------------
WRK_SCRIPT = """
local targets = {TARGETS}
local n = #targets
math.randomseed(SEED)
request = function()
  local t = targets[math.random(n)]
  return wrk.format("GET", t[1], {["Cookie"] = t[2]})
end
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format('RESULT {"requests": %d, "errors": %d, "seconds": %f, "p50": %f, "p95": %f, "p99": %f}\\n',
    summary.requests, errors, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(base: str, targets: Sequence[tuple[str, str]], concurrency: int, seconds: float) -> Result:
    """One level with wrk: one thread, `concurrency` connections, requests spread over the targets
    (path, cookie) at random."""
    table = "{" + ", ".join(f"{{{_lua_string(p)}, {_lua_string(c)}}}" for p, c in targets) + "}"
    script = WRK_SCRIPT.replace("{TARGETS}", table).replace("SEED", str(concurrency))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(  # noqa: S603 - our own command line, loopback target
            [WRK, "-t1", f"-c{concurrency}", f"-d{seconds:.0f}s", "--timeout", "60s", "-s", f.name, base],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        os.unlink(f.name)
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    data = json.loads(line.removeprefix("RESULT "))
    # wrk counts non-2xx/3xx answers as errors itself; a 302 to the sign-in page would count as a success
    # there, so the pages are checked once beforehand (`check_pages`).
    return Result(data["requests"], data["errors"], data["seconds"], data["p50"], data["p95"], data["p99"], None)


def run_python(base: str, targets: Sequence[tuple[str, str]], concurrency: int, seconds: float) -> Result:
    """One level with an asyncio client (httpx): heavier on the CPU than wrk, so it takes more of the
    machine from the server."""

    async def level() -> Result:
        deadline = time.monotonic() + seconds
        latencies: list[float] = []
        errors = 0
        rng = random.Random(concurrency)

        async def worker(client: httpx.AsyncClient) -> None:
            nonlocal errors
            while time.monotonic() < deadline:
                path, cookie = rng.choice(targets)
                started = time.perf_counter()
                response = await client.get(path, headers={"Cookie": cookie})
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors += 1

        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60, follow_redirects=False) as client:
            started = time.monotonic()
            await asyncio.gather(*(worker(client) for _ in range(concurrency)))
            elapsed = time.monotonic() - started
        ordered = sorted(latencies) or [float("nan")]

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

        return Result(len(latencies), errors, elapsed, pct(50), pct(95), pct(99), None)

    return asyncio.run(level())


def check_pages(base: str, targets: Sequence[tuple[str, str]]) -> None:
    """Every page answers 200 for its visitor before it is measured (a redirect to sign in would otherwise
    be timed as a very fast page)."""
    for path, cookie in targets[:3]:
        request = urllib.request.Request(base + path, headers={"Cookie": cookie})  # noqa: S310 - loopback
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback only
                if response.status != 200 or response.geturl() != base + path:
                    sys.exit(f"{base + path} answered {response.status} at {response.geturl()}")
        except OSError as exc:
            sys.exit(f"{base + path} failed: {exc}")


def measure(
    engine: Callable[[str, Sequence[tuple[str, str]], int, float], Result],
    base: str,
    targets: Sequence[tuple[str, str]],
    concurrency: int,
    seconds: float,
    pid: int | None,
) -> Result:
    before = tree_cpu_seconds(pid) if pid else None
    result = engine(base, targets, concurrency, seconds)
    if pid and before is not None:
        result.cpu_seconds = tree_cpu_seconds(pid) - before
    return result


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"The server did not answer at {url}.")


def _loopback(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit(f"Only loopback addresses may be load-tested: {url}")
    return f"{parts.scheme}://{parts.netloc}"


def _row(name: str, concurrency: int, r: Result) -> str:
    cpu = "-" if r.cpu_ms_per_request is None else f"{r.cpu_ms_per_request:.1f}"
    return f"| {name} | {concurrency} | {r.rate:.1f} | {r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f} | {cpu} | {r.errors} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 32])
    parser.add_argument("--seconds", type=float, default=10, help="duration of each level")
    parser.add_argument("--learners", type=int, default=500, help="distinct signed-in learners to spread over")
    parser.add_argument("--pages", nargs="+", help="only these pages (default: every learner and staff page)")
    parser.add_argument("--engine", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--compare-url", help="another server's page, loaded alternately with Cadence's")
    parser.add_argument("--compare-cookie", default="", help="the cookie to send to it (name=value)")
    parser.add_argument("--compare-pid", type=int, help="that server's process, for its CPU per request")
    parser.add_argument("--server-log", default="bench-server.log", help="where the server's errors go")
    parser.add_argument("--serve-arg", action="append", default=[], help="another option for cadence serve")
    args = parser.parse_args()

    learners, staff = prepare_visitors(args.learners)
    pages: dict[str, list[tuple[str, str]]] = {
        name: [(path(v), v.cookie) for v in learners] for name, path in LEARNER_PAGES.items()
    }
    if staff is not None:
        pages |= {name: [(path(staff), staff.cookie)] for name, path in STAFF_PAGES.items()}
    if args.pages:
        unknown = set(args.pages) - set(pages)
        if unknown:
            sys.exit(f"Unknown pages: {', '.join(sorted(unknown))}; known: {', '.join(pages)}")
        pages = {name: pages[name] for name in args.pages}
    engine = run_wrk if args.engine == "wrk" else run_python
    compare_base = _loopback(args.compare_url) if args.compare_url else None
    compare_targets = (
        [(args.compare_url.removeprefix(compare_base), args.compare_cookie)]
        if args.compare_url and compare_base
        else []
    )

    base = f"http://127.0.0.1:{args.port}"
    env = os.environ | {"ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "cadence", "serve", "--host", "127.0.0.1", "--port", str(args.port),
         "--workers", str(args.workers), "--threads", str(args.threads), "--no-access-log", *args.serve_arg],
        env=env, stdout=subprocess.DEVNULL, stderr=open(args.server_log, "w"),  # noqa: SIM115 - closed with the process
    )  # fmt: skip
    try:
        wait_until_up(f"{base}/healthz")
        from django.db import connection

        print(f"database: {connection.vendor}; server: gunicorn {args.workers} workers × {args.threads} threads "
              f"{' '.join(args.serve_arg)}; "
              f"{len(learners)} learners; {args.seconds:.0f} s per level; load: {args.engine}; "
              f"machine load average before: {os.getloadavg()[0]:.2f}")  # fmt: skip
        print("| page | concurrency | req/s | p50 ms | p95 ms | p99 ms | CPU ms/req | errors |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, targets in pages.items():
            check_pages(base, targets)
            engine(base, targets, 4, 2)  # warm-up
            for concurrency in args.concurrency:
                r = measure(engine, base, targets, concurrency, args.seconds, server.pid)
                print(_row(name, concurrency, r), flush=True)
                if compare_base:
                    other = measure(engine, compare_base, compare_targets, concurrency, args.seconds, args.compare_pid)
                    print(_row(f"compared: {args.compare_url}", concurrency, other), flush=True)
        rss, pss, uss = tree_memory_mib(server.pid)
        print(
            f"server memory after the run (all its processes): RSS {rss:.1f} MiB, PSS {pss:.1f} MiB, USS {uss:.1f} MiB"
        )
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
