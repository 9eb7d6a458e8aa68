"""Load benchmark: requests/s and latency percentiles for the learner's busiest pages.

Starts `cadence serve` on 127.0.0.1 against a database built with `cadence seed_large`, signs in a
sample of benchmark learners (sessions are created directly in the database), then drives the
dashboard, the course home, an item page, course search and the library at each concurrency level and
prints a table.

    CADENCE_HOME=/tmp/bench python bench/load.py                         # SQLite in CADENCE_HOME
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cadence_bench python bench/load.py

Only loopback addresses are used. Each level runs for --seconds and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

import httpx

logging.getLogger("httpx").setLevel(logging.WARNING)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cadence.settings")


@dataclass(frozen=True)
class Learner:
    cookie: str
    course_slug: str
    item_id: int


def prepare_learners(count: int) -> list[Learner]:
    """Sessions for `count` benchmark learners, each with a course and the item they would resume."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from cadence.accounts.models import User
    from cadence.core.testing.seed import DOMAIN
    from cadence.progress.models import ItemProgress

    users = list(User.objects.filter(email__startswith="learner", email__endswith=f"@{DOMAIN}").order_by("pk")[:count])
    if not users:
        sys.exit("No benchmark data: run `cadence seed_large` on this database first.")
    resume = {
        row["user_id"]: row
        for row in ItemProgress.objects.filter(user__in=users).values("user_id", "item_id", "course__slug")
    }
    learners = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        row = resume[user.pk]
        learners.append(
            Learner(cookie=session.session_key or "", course_slug=row["course__slug"], item_id=row["item_id"])
        )
    return learners


PAGES: dict[str, Callable[[Learner], str]] = {
    "dashboard": lambda learner: "/",
    "course home": lambda learner: f"/courses/{learner.course_slug}/",
    "item page": lambda learner: f"/courses/{learner.course_slug}/items/{learner.item_id}/",
    # Every item of a benchmark course says "Benchmark item.": the worst case, 500 matches to rank.
    "search": lambda learner: f"/courses/{learner.course_slug}/search/?q=benchmark+item",
    "library": lambda learner: f"/courses/{learner.course_slug}/library/",
}


@dataclass
class Result:
    page: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


async def run_level(base: str, page: str, learners: list[Learner], concurrency: int, seconds: float) -> Result:
    path_of = PAGES[page]
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors = 0
    rng = random.Random(concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.monotonic() < deadline:
            learner = rng.choice(learners)
            started = time.perf_counter()
            response = await client.get(path_of(learner), headers={"Cookie": f"sessionid={learner.cookie}"})
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors += 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60, follow_redirects=False) as client:
        started = time.monotonic()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    return Result(page, concurrency, len(latencies), errors, elapsed, latencies)


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"The server did not answer at {url}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=10, help="duration of each level")
    parser.add_argument("--learners", type=int, default=500, help="distinct signed-in learners to spread over")
    parser.add_argument("--server-log", default="bench-server.log", help="where the server's errors go")
    args = parser.parse_args()

    learners = prepare_learners(args.learners)
    base = f"http://127.0.0.1:{args.port}"
    env = os.environ | {"ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "cadence", "serve", "--host", "127.0.0.1", "--port", str(args.port),
         "--workers", str(args.workers), "--threads", str(args.threads)],
        env=env, stdout=subprocess.DEVNULL, stderr=open(args.server_log, "w"),  # noqa: SIM115 - closed with the process
    )  # fmt: skip
    try:
        wait_until_up(f"{base}/healthz")
        from django.db import connection

        print(f"database: {connection.vendor}; server: gunicorn {args.workers} workers × {args.threads} threads; "
              f"{len(learners)} learners; {args.seconds:.0f} s per level")  # fmt: skip
        print(f"{'page':<12} {'conc':>4} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}")
        for page in PAGES:
            asyncio.run(run_level(base, page, learners, 4, 2))  # warm-up
            for concurrency in args.concurrency:
                r = asyncio.run(run_level(base, page, learners, concurrency, args.seconds))
                print(
                    f"{page:<12} {concurrency:>4} {r.requests / r.seconds:>8.1f} {r.percentile(50):>8.1f} "
                    f"{r.percentile(95):>8.1f} {r.percentile(99):>8.1f} {r.errors:>6}",
                    flush=True,
                )
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
