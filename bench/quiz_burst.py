"""Quiz burst benchmark: many learners start the same quiz within seconds, then autosave an answer every 15 s.

Starts `cadence serve` on 127.0.0.1 (as bench/load.py does) and drives it as the learners' browsers would:

1. **quiz page** (before the burst): each learner opens the quiz's item page, which gives the browser its
   CSRF cookie and the start form's token (at most `--open-concurrency` at a time; timed, not part of it).
2. **start**: at a random moment within `--window` seconds (10 by default) each learner presses *Start the
   quiz*: the form's POST with its CSRF token, as without JavaScript; the answer is a redirect to the attempt.
3. **attempt page**: the browser follows the redirect and shows the attempt.
4. **autosave**: every `--every` seconds (15) after starting, for `--duration` seconds (60), the page's
   script saves one answer (a different question each time), as `autosave.js` does: the question's field,
   `position`, an increasing `sequence`, `for_user`, with the `X-CSRFToken` and `X-Autosave` headers.

For each phase it prints the requests, errors, p50/p95/p99 latency, and the server's CPU per request (the
CPU of gunicorn's process tree over the phase's time window, as bench/load.py measures it; a phase's window
also holds the other phases' requests that fall in it, so the start window counts the attempt pages too).
Then it checks what the learners were told against the database: one attempt per learner, and every
acknowledged autosave stored (the stored sequence of each question is the last one acknowledged).

Data: with `cadence seed_large` data in the database, the quiz goes in `bench-000` (a module "Quiz burst"
with a quiz of `--questions` single-choice questions, made once through the services by the course's
teacher) and the takers are its first `--learners` learners. Without it, the script makes a small course of
its own (`quiz-burst`, accounts at burst.cadence.test). Each run deletes the attempts of earlier runs at
that quiz (benchmark data only), so every learner starts afresh.

    CADENCE_HOME=/tmp/bench python bench/quiz_burst.py                  # SQLite in CADENCE_HOME
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cadence_bench python bench/quiz_burst.py --duration 120

Only loopback addresses are used; the run stops by itself (window + duration + a few seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import os
import random
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from load import _session_cookie, tree_cpu_seconds, wait_until_up

if TYPE_CHECKING:  # Django is set up inside `prepare`, so its models are imported there
    from cadence.accounts.models import User
    from cadence.courses.models import Course, Item

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cadence.settings")
# This checkout's code, here and in the server, whichever checkout the virtual environment was installed from.
ROOT = str(Path(__file__).resolve().parents[1])
sys.path.insert(0, ROOT)

MODULE_TITLE = "Quiz burst"
QUIZ_TITLE = "Burst quiz"
OWN_DOMAIN = "burst.cadence.test"
OWN_SLUG = "quiz-burst"
PHASES = ("quiz page", "start", "attempt page", "autosave")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CHOICE_INPUT = re.compile(r'name="q(\d+)-choice"[^>]*?value="([^"]*)"|value="([^"]*)"[^>]*?name="q(\d+)-choice"')


@dataclass(frozen=True)
class Taker:
    user_id: int
    session_cookie: str  # "name=value"


@dataclass(frozen=True)
class Quiz:
    course_slug: str
    item_id: int
    questions: int
    source: str
    takers: list[Taker]
    warmup: list[Taker]  # other learners of the course, who go through every page once before the burst


# --- Data ------------------------------------------------------------------------------------------------
def _own_course(count: int) -> tuple[Course, User, list[int]]:
    """A course of `count` learners and a teacher, made once (bulk inserts for the learners)."""
    from django.contrib.auth.hashers import make_password

    from cadence.accounts.models import User
    from cadence.courses import services
    from cadence.courses.models import Course, Membership, Role

    teacher = User.objects.filter(email=f"teacher@{OWN_DOMAIN}").first()
    if teacher is None:
        teacher = User.objects.create_user(f"teacher@{OWN_DOMAIN}", None, display_name="Burst teacher", is_staff=True)
    course = Course.objects.filter(slug=OWN_SLUG).first() or services.create_course(
        actor=teacher, data={"title": "Quiz burst", "slug": OWN_SLUG, "visibility": "published"}
    )
    have = User.objects.filter(email__endswith=f"@{OWN_DOMAIN}", email__startswith="learner").count()
    if have < count:
        password = make_password(None)  # sessions are made directly: nobody signs in with a password
        User.objects.bulk_create(
            [
                User(email=f"learner{n:05d}@{OWN_DOMAIN}", display_name=f"Burst learner {n}", password=password)
                for n in range(have, count)
            ]
        )
    ids = list(
        User.objects.filter(email__endswith=f"@{OWN_DOMAIN}", email__startswith="learner")
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    enrolled = set(Membership.objects.filter(course=course).values_list("user_id", flat=True))
    Membership.objects.bulk_create(
        [Membership(user_id=uid, course=course, role=Role.LEARNER) for uid in ids if uid not in enrolled]
    )
    return course, teacher, ids


def _quiz_item(course: Course, teacher: User, questions: int, time_limit: int) -> Item:
    """The benchmark quiz, made once through the services as its teacher would."""
    from cadence.assessment.domain.definitions import Option, QuestionDef, QuestionType
    from cadence.assessment.services import bank, quizzes
    from cadence.courses import services
    from cadence.courses.models import Item, Module

    item = Item.objects.filter(course=course, kind="quiz", title=QUIZ_TITLE).first()
    if item is not None:
        return item
    module = Module.objects.filter(course=course, title=MODULE_TITLE).first() or services.create_module(
        actor=teacher, course=course, data={"title": MODULE_TITLE}
    )
    item = services.create_item(
        actor=teacher,
        module=module,
        data={"title": QUIZ_TITLE, "kind": "quiz", "completion_rule": "submitted"},
    )
    quizzes.save_settings(
        actor=teacher,
        item=item,
        data={"time_limit_minutes": time_limit or None, "attempts_allowed": 0},
    )
    quiz = quizzes.quiz_for(item)
    for n in range(1, questions + 1):
        definition = QuestionDef(
            QuestionType.SINGLE,
            f"Burst question {n}: which of these is {n}?",
            tuple(Option(str(n + k), Decimal(1 if k == 0 else 0)) for k in range(4)),
            title=f"Burst question {n}",
        )
        question = bank.save_question(actor=teacher, course=course, definition=definition)
        quizzes.add_slot(actor=teacher, quiz=quiz, question=question)
    return item


def prepare(count: int, warmup: int, questions: int, time_limit: int) -> Quiz:
    import django

    django.setup()
    from django.db import connection

    from cadence.accounts.models import User
    from cadence.assessment.models import Attempt, QuizSlot
    from cadence.courses.models import Course, Membership, Role

    course = Course.objects.filter(slug="bench-000").first()
    teacher = (
        Membership.objects.filter(course=course, role=Role.TEACHER).select_related("user").first() if course else None
    )
    learner_ids = (
        list(
            Membership.objects.filter(course=course, role=Role.LEARNER)
            .order_by("user_id")
            .values_list("user_id", flat=True)[: count + warmup]
        )
        if course
        else []
    )
    if course is not None and teacher is not None and len(learner_ids) >= count + warmup:
        source = f"seed_large's bench-000 ({Membership.objects.filter(course=course).count()} members)"
        owner = teacher.user
    else:
        course, owner, learner_ids = _own_course(count + warmup)
        source = f"its own course {OWN_SLUG}"
    item = _quiz_item(course, owner, questions, time_limit)
    Attempt.objects.filter(quiz__item=item).delete()  # earlier runs' attempts: every learner starts afresh
    users = User.objects.filter(pk__in=learner_ids).order_by("pk")
    takers = [Taker(u.pk, _session_cookie(u)) for u in users]
    slots = QuizSlot.objects.filter(quiz__item=item).count()
    quiz = Quiz(course.slug, item.pk, slots, source, takers[:count], takers[count:])
    connection.close()  # the server's requests must not wait on this process's connection
    return quiz


# --- Load ------------------------------------------------------------------------------------------------
@dataclass
class Sample:
    phase: str
    began: float  # monotonic seconds
    ended: float
    ok: bool


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    acknowledged: dict[tuple[int, int], int] = field(default_factory=dict)  # (attempt, position) -> sequence
    attempts: dict[int, int] = field(default_factory=dict)  # user id -> attempt id
    problems: list[str] = field(default_factory=list)
    cpu: list[tuple[float, float]] = field(default_factory=list)  # (monotonic, server CPU seconds)


# --- A small HTTP/1.1 client: the load generator shares the two cores with the server, so it stays lean -----
@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names; the last value of each
    cookies: dict[str, str]
    text: str


class Client:
    """One connection per request (`Connection: close`), as a browser's after 15 idle seconds; no redirects
    followed, no compression asked for. Much cheaper on the CPU than a general-purpose client."""

    def __init__(self, host: str, port: int, timeout: float = 60) -> None:
        self.host, self.port, self.timeout = host, port, timeout

    async def request(
        self, method: str, path: str, *, headers: Mapping[str, str], data: Mapping[str, str] | None = None
    ) -> Reply:
        return await asyncio.wait_for(self._request(method, path, headers, data), self.timeout)

    async def _request(
        self, method: str, path: str, headers: Mapping[str, str], data: Mapping[str, str] | None
    ) -> Reply:
        body = urllib.parse.urlencode(data).encode() if data is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if data is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            raw = await reader.read()
        finally:
            writer.close()
        head, _, content = raw.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        found: dict[str, str] = {}
        cookies: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            found[name.strip().lower()] = value.strip()
            if name.strip().lower() == "set-cookie":
                key, _, rest = value.strip().partition("=")
                cookies[key] = rest.split(";", 1)[0]
        if found.get("transfer-encoding") == "chunked":
            content = _unchunk(content)
        return Reply(int(status_line.split()[1]), found, cookies, content.decode("utf-8", "replace"))


def _unchunk(data: bytes) -> bytes:
    out, rest = b"", data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out


async def _timed(
    run: Run,
    phase: str,
    client: Client,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    data: Mapping[str, str] | None = None,
) -> Reply | None:
    began = time.monotonic()
    try:
        response = await client.request(method, url, headers=headers, data=data)
    except (OSError, TimeoutError, ValueError, IndexError) as exc:
        run.samples.append(Sample(phase, began, time.monotonic(), ok=False))
        run.problems.append(f"{phase}: {type(exc).__name__} {exc}")
        return None
    run.samples.append(Sample(phase, began, time.monotonic(), ok=True))
    return response


def _fail(run: Run, what: str) -> None:
    run.samples[-1].ok = False
    run.problems.append(what)


async def open_quiz_page(
    run: Run, client: Client, quiz: Quiz, taker: Taker, gate: asyncio.Semaphore
) -> tuple[str, str] | None:
    """The quiz's item page: the CSRF cookie and the start form's token, as a browser gets them."""
    async with gate:
        url = f"/courses/{quiz.course_slug}/items/{quiz.item_id}/"
        response = await _timed(run, "quiz page", client, "GET", url, headers={"Cookie": taker.session_cookie})
    if response is None:
        return None
    token = CSRF_INPUT.search(response.text)
    if response.status != 200 or token is None:
        _fail(run, f"quiz page: {response.status}, start form {'found' if token else 'missing'}")
        return None
    csrf_cookie = response.cookies.get("csrftoken")
    return f"csrftoken={csrf_cookie}" if csrf_cookie else "", token.group(1)


def _choices(page: str) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for match in CHOICE_INPUT.finditer(page):
        position, value = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        found.setdefault(int(position), []).append(value)
    return found


async def take_quiz(
    run: Run,
    client: Client,
    quiz: Quiz,
    taker: Taker,
    csrf: tuple[str, str],
    *,
    t0: float,
    start_at: float,
    every: float,
    duration: float,
    rng: random.Random,
) -> None:
    csrf_cookie, token = csrf
    cookie = f"{taker.session_cookie}; {csrf_cookie}"
    await asyncio.sleep(max(0.0, t0 + start_at - time.monotonic()))
    started = time.monotonic()
    start_url = f"/courses/{quiz.course_slug}/items/{quiz.item_id}/quiz/attempts/"
    response = await _timed(
        run, "start", client, "POST", start_url, data={"csrfmiddlewaretoken": token}, headers={"Cookie": cookie}
    )
    if response is None:
        return
    location = response.headers.get("location", "")
    attempt = re.search(r"/attempts/(\d+)/$", location)
    if response.status != 302 or attempt is None:
        _fail(run, f"start: {response.status} to {location or '-'}")
        return
    attempt_id = int(attempt.group(1))
    run.attempts[taker.user_id] = attempt_id
    page = await _timed(run, "attempt page", client, "GET", location, headers={"Cookie": cookie})
    if page is None:
        return
    choices = _choices(page.text)
    if page.status != 200 or len(choices) != quiz.questions:
        _fail(run, f"attempt page: {page.status}, {len(choices)} of {quiz.questions} questions shown")
        return
    token = CSRF_INPUT.search(page.text).group(1)  # type: ignore[union-attr]  # the attempt form has it
    sequence = int(time.time() * 1000) * 1000  # as autosave.js: increasing across reloads
    save_url = f"/courses/{quiz.course_slug}/attempts/{attempt_id}/save/"
    saves = int(duration // every)
    for n in range(1, saves + 1):
        await asyncio.sleep(max(0.0, started + n * every - time.monotonic()))
        position = (n - 1) % quiz.questions + 1
        sequence += 1
        data = {
            f"q{position}-choice": rng.choice(choices[position]),
            "for_user": str(taker.user_id),
            "position": str(position),
            "sequence": str(sequence),
        }
        headers = {"Cookie": cookie, "X-CSRFToken": token, "X-Autosave": "1", "Accept": "application/json"}
        saved = await _timed(run, "autosave", client, "POST", save_url, data=data, headers=headers)
        if saved is None:
            continue
        if saved.status != 200 or "saved_at" not in saved.text:
            _fail(run, f"autosave: {saved.status} {saved.text[:120]}")
            continue
        run.acknowledged[(attempt_id, position)] = sequence


async def sample_cpu(run: Run, pid: int, stop: asyncio.Event) -> None:
    while True:
        run.cpu.append((time.monotonic(), tree_cpu_seconds(pid)))
        if stop.is_set():
            return
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.5)


async def burst(quiz: Quiz, port: int, args: argparse.Namespace, pid: int) -> Run:
    run = Run()
    rng = random.Random(args.seed)
    client = Client("127.0.0.1", port)
    warm = Run()  # every page once per warm-up learner (each worker's first requests load code and templates)
    for taker in quiz.warmup:
        csrf = await open_quiz_page(warm, client, quiz, taker, asyncio.Semaphore(1))
        if csrf is not None:
            await take_quiz(warm, client, quiz, taker, csrf, t0=time.monotonic(), start_at=0, every=0.01,
                            duration=0.01 * quiz.questions, rng=rng)  # fmt: skip
    if warm.problems:
        sys.exit(f"The warm-up failed: {warm.problems[0]}")
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_cpu(run, pid, stop))
    gate = asyncio.Semaphore(args.open_concurrency)
    tokens = await asyncio.gather(*(open_quiz_page(run, client, quiz, t, gate) for t in quiz.takers))
    t0 = time.monotonic() + 1.0
    starts = sorted(rng.uniform(0, args.window) for _ in quiz.takers)
    await asyncio.gather(
        *(
            take_quiz(run, client, quiz, taker, csrf, t0=t0, start_at=start_at, every=args.every,
                      duration=args.duration, rng=random.Random(rng.random()))
            for taker, csrf, start_at in zip(quiz.takers, tokens, rng.sample(starts, len(starts)), strict=True)
            if csrf is not None
        )
    )  # fmt: skip
    stop.set()
    await sampler
    return run


# --- Report ----------------------------------------------------------------------------------------------
def _percentile(ordered: Sequence[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


def _cpu_at(run: Run, moment: float) -> float:
    times = [t for t, _cpu in run.cpu]
    i = bisect.bisect_left(times, moment)
    if i <= 0:
        return run.cpu[0][1]
    if i >= len(run.cpu):
        return run.cpu[-1][1]
    (t1, c1), (t2, c2) = run.cpu[i - 1], run.cpu[i]
    return c1 + (c2 - c1) * (moment - t1) / (t2 - t1) if t2 > t1 else c2


def report(run: Run) -> None:
    print("| phase | requests | errors | p50 ms | p95 ms | p99 ms | window s | requests in window | CPU ms/req |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for phase in PHASES:
        mine = [s for s in run.samples if s.phase == phase]
        if not mine:
            continue
        ordered = sorted(1000 * (s.ended - s.began) for s in mine)
        began, ended = min(s.began for s in mine), max(s.ended for s in mine)
        in_window = sum(1 for s in run.samples if s.began < ended and s.ended > began)
        cpu = _cpu_at(run, ended) - _cpu_at(run, began)
        print(
            f"| {phase} | {len(mine)} | {sum(not s.ok for s in mine)} | {_percentile(ordered, 50):.1f} | "
            f"{_percentile(ordered, 95):.1f} | {_percentile(ordered, 99):.1f} | {ended - began:.1f} | {in_window} | "
            f"{1000 * cpu / in_window:.1f} |"
        )


def verify(run: Run, quiz: Quiz) -> list[str]:
    """What the learners were told, checked against the database."""
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from cadence.assessment.models import Attempt, AttemptQuestion

    faults: list[str] = []
    per_learner = dict(
        Attempt.objects.filter(quiz__item_id=quiz.item_id)
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    twice = [uid for uid, n in per_learner.items() if n != 1]
    if twice:
        faults.append(f"{len(twice)} learners have more than one attempt")
    missing = [uid for uid in run.attempts if uid not in per_learner]
    if missing:
        faults.append(f"{len(missing)} attempts that were started are not stored")
    stored = {
        (a, p): (seq, bool(resp))
        for a, p, seq, resp in AttemptQuestion.objects.filter(attempt_id__in=run.attempts.values()).values_list(
            "attempt_id", "position", "sequence", "response"
        )
    }
    lost = [key for key, seq in run.acknowledged.items() if stored.get(key, (0, False)) != (seq, True)]
    if lost:
        faults.append(f"{len(lost)} acknowledged autosaves are not what is stored, e.g. {lost[:3]}")
    connection.close()
    return faults


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=4, help="further learners who warm the server up first")
    parser.add_argument("--questions", type=int, default=5, help="questions in the quiz (when it is made)")
    parser.add_argument("--time-limit", type=int, default=30, help="the quiz's time limit in minutes (0: none)")
    parser.add_argument("--window", type=float, default=10, help="seconds over which the learners start")
    parser.add_argument("--every", type=float, default=15, help="seconds between one learner's autosaves")
    parser.add_argument("--duration", type=float, default=60, help="seconds each learner keeps autosaving")
    parser.add_argument("--open-concurrency", type=int, default=8, help="quiz pages opened at once before")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server-log", default="bench-quiz-burst-server.log", help="where the server's errors go")
    args = parser.parse_args()

    quiz = prepare(args.learners, args.warmup, args.questions, args.time_limit)
    base = f"http://127.0.0.1:{args.port}"
    env = os.environ | {"ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING", "PYTHONPATH": ROOT}
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "cadence", "serve", "--host", "127.0.0.1", "--port", str(args.port),
         "--workers", str(args.workers), "--threads", str(args.threads), "--no-access-log"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(args.server_log, "w"),  # noqa: SIM115 - closed with the process
    )  # fmt: skip
    try:
        wait_until_up(f"{base}/healthz")
        from django.db import connection

        load_before = os.getloadavg()
        client_cpu = time.process_time()
        print(
            f"database: {connection.vendor}; server: gunicorn {args.workers} workers × {args.threads} threads; "
            f"quiz of {quiz.questions} questions in {quiz.source}; {len(quiz.takers)} learners start within "
            f"{args.window:.0f} s, then autosave every {args.every:.0f} s for {args.duration:.0f} s; "
            f"load average before: {load_before[0]:.2f}",
            flush=True,
        )
        run = asyncio.run(burst(quiz, args.port, args, server.pid))
        print(
            f"load average after: {os.getloadavg()[0]:.2f}; the load generator's own CPU: "
            f"{time.process_time() - client_cpu:.1f} s"
        )
        report(run)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    faults = verify(run, quiz)
    for problem in run.problems[:10]:
        print(f"error: {problem}")
    if len(run.problems) > 10:
        print(f"… and {len(run.problems) - 10} more errors")
    print("checked against the database: " + ("; ".join(faults) if faults else "one attempt per learner, every "
          f"acknowledged autosave stored ({len(run.acknowledged)})"))  # fmt: skip
    if faults or run.problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
