"""Durability under a crash: a submission whose receipt was shown survives a SIGKILL of the server.

The server runs as a real `cadence serve` (gunicorn) subprocess on 127.0.0.1 against its own database: SQLite
in a temporary CADENCE_HOME or, when DATABASE_URL points to PostgreSQL, a fresh database created for this test
on the same server and dropped afterwards. The test runner's own database is never used.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
from psycopg import sql

CADENCE = [sys.executable, "-m", "cadence"]
KEY = "fault-test-submission-1"
TEXT = "My essay, which must survive a crash."
PDF = b"%PDF-1.7\n%%EOF\n"

# Run in a subprocess with the server's environment: a teacher's course with one assignment item, a learner
# in it, and a signed-in session for the learner (created in the database, as bench/load.py does).
SETUP = """
import json, django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from cadence.accounts.models import User
from cadence.assessment.services import assignments
from cadence.courses import services

teacher = User.objects.create_user("teacher@fault.cadence.test", None, display_name="Teacher", is_staff=True)
learner = User.objects.create_user("learner@fault.cadence.test", None, display_name="Learner")
course = services.create_course(
    actor=teacher,
    data={"title": "Fault Course", "slug": "fault-course", "visibility": "published", "enrolment": "open"},
)
module = services.create_module(actor=teacher, course=course, data={"title": "Week 1"})
item = services.create_item(
    actor=teacher, module=module, data={"title": "Essay", "kind": "assignment", "completion_rule": "submitted"}
)
assignments.save_settings(actor=teacher, item=item, data={"accept_text": True, "accept_files": True})
services.join_course(user=learner, course=course)
session = SessionStore()
session[SESSION_KEY] = str(learner.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = learner.get_session_auth_hash()
session.create()
print(json.dumps({"slug": course.slug, "item_id": item.pk, "session": session.session_key}))
"""

# Read straight from the server's database with the driver (not through Django): one row per stored file.
STORED_SQL: Final = (
    "SELECT s.id, s.text, s.text_sha256, s.submitted_at, f.file, f.filename, f.sha256"
    " FROM assessment_submission s LEFT JOIN assessment_submissionfile f ON f.submission_id = s.id"
    " WHERE s.idempotency_key = {p} ORDER BY s.id, f.id"
)


@dataclass(frozen=True)
class Stored:
    """What the database holds: every submission, and the rows stored for one idempotency key."""

    total: int
    rows: list[tuple[Any, ...]]


def _stored(home: Path, database_url: str | None, key: str) -> Stored:
    if database_url:
        with psycopg.connect(database_url) as conn:
            total = conn.execute("SELECT COUNT(*) FROM assessment_submission").fetchone()
            rows = conn.execute(sql.SQL(STORED_SQL).format(p=sql.Placeholder()), (key,)).fetchall()
    else:
        with closing(sqlite3.connect(home / "cadence.sqlite3")) as db:
            total = db.execute("SELECT COUNT(*) FROM assessment_submission").fetchone()
            rows = db.execute(STORED_SQL.format(p="?"), (key,)).fetchall()
    assert total is not None
    return Stored(total=int(total[0]), rows=[tuple(row) for row in rows])


def _aware(value: datetime | str) -> datetime:
    """A timestamp as PostgreSQL (aware datetime) or SQLite (naive UTC text) returns it."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _env(home: Path, **extra: str) -> dict[str, str]:
    dropped = {"CADENCE_TESTING", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "MEDIA_ROOT", "HUEY_IMMEDIATE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    own = {"CADENCE_HOME": str(home), "DJANGO_SETTINGS_MODULE": "cadence.settings", "LOG_LEVEL": "WARNING"}
    return env | own | extra


def _run(env: Mapping[str, str], command: Sequence[str]) -> str:
    """Run a command to completion; on failure, fail the test with what it printed."""
    # A migrate can take minutes on a loaded 2-core machine.
    out = subprocess.run(list(command), env=dict(env), capture_output=True, text=True, check=False, timeout=600)
    if out.returncode != 0:
        pytest.fail(f"{command[:4]} exited with {out.returncode}:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    return out.stdout


def _cadence(env: Mapping[str, str], *args: str) -> None:
    _run(env, [*CADENCE, *args])


def _python_json(env: Mapping[str, str], code: str) -> Any:
    return json.loads(_run(env, [sys.executable, "-c", code]).strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """`cadence serve` in its own process group, so one SIGKILL takes the gunicorn master and its worker."""

    process: subprocess.Popen[bytes]
    log: IO[bytes]
    log_path: Path

    def kill(self) -> None:
        """SIGKILL, no graceful shutdown, as in a crash or from the OOM killer. Safe to call twice."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]


def _start_server(env: Mapping[str, str], port: int, log_path: Path) -> Server:
    log = log_path.open("ab")
    process = subprocess.Popen(
        [*CADENCE, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-collectstatic"],
        env=dict(env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group (pgid == pid)
    )
    server = Server(process=process, log=log, log_path=log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            server.kill()
            pytest.fail(f"cadence serve exited with {process.returncode}:\n{server.output()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.kill()
    pytest.fail(f"cadence serve did not answer /healthz within 30 s:\n{server.output()}")


def _client(port: int, cookies: Mapping[str, str]) -> httpx.Client:
    """A fresh client per server life: no kept-alive connection to a killed server is reused."""
    return httpx.Client(base_url=f"http://127.0.0.1:{port}", cookies=dict(cookies), timeout=15, follow_redirects=False)


def _submit(client: httpx.Client, url: str, csrf_token: str) -> httpx.Response:
    return client.post(
        url,
        data={"csrfmiddlewaretoken": csrf_token, "key": KEY, "text": TEXT},
        files={"files": ("a.pdf", PDF, "application/pdf")},
    )


@pytest.fixture
def server_database() -> Iterator[dict[str, str]]:
    """Environment for the server's own database: SQLite in CADENCE_HOME, or a fresh PostgreSQL database when
    the suite runs on PostgreSQL (created on the same server under a unique name, dropped afterwards)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield {}
        return
    name = f"cadence_fault_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield {"DATABASE_URL": urlunsplit(urlsplit(url)._replace(path=f"/{name}"))}
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.mark.timeout_sensitive
def test_a_receipted_submission_survives_a_server_kill_and_its_retry_stays_single(
    tmp_path: Path, server_database: dict[str, str]
) -> None:
    """Proves the promise of the receipt: once the learner has been redirected to it, the submission (text
    and file) is committed and on disk. The server is SIGKILLed the moment the 302 arrives, with no graceful
    shutdown; after a restart the receipt still shows the text's and the file's SHA-256, the database holds
    exactly one submission for the key with its file's bytes intact, and a retry of the same POST (same
    idempotency key) after the crash leads to the same receipt without storing a second submission.
    (SIGKILL loses no page cache: this proves commit-before-receipt, not fsync against a power cut.)"""
    home = tmp_path / "home"
    # gunicorn's control socket goes to $XDG_RUNTIME_DIR, else to a ~/.gunicorn shared by every server of the user.
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = _env(home, ALLOWED_HOSTS="127.0.0.1", XDG_RUNTIME_DIR=str(runtime), **server_database)
    database_url = server_database.get("DATABASE_URL")
    # Static files (for the manifest storage a production server uses) are collected while the database is built.
    with (tmp_path / "collectstatic.log").open("w+") as static_log:
        collectstatic = subprocess.Popen(
            [*CADENCE, "collectstatic", "--no-input", "--verbosity", "0"],
            env=env,
            stdout=static_log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            _cadence(env, "migrate", "--no-input", "--verbosity", "0")
            world = _python_json(env, SETUP)
        finally:
            returncode = collectstatic.wait(timeout=600)
        static_log.seek(0)
        assert returncode == 0, static_log.read()[-4000:]
    item_url = f"/courses/{world['slug']}/items/{world['item_id']}/"
    submit_url = f"{item_url}assignment/submit/"
    port = _free_port()
    log_path = tmp_path / "server.log"

    server = _start_server(env, port, log_path)
    try:
        with _client(port, {"sessionid": world["session"]}) as client:
            page = client.get(item_url)
            assert page.status_code == 200, server.output()
            assert 'name="key"' in page.text
            csrf_token = client.cookies["csrftoken"]
            before = datetime.now(UTC)
            response = _submit(client, submit_url, csrf_token)
            server.kill()  # at once: the receipt is the only thing the learner has seen
            after = datetime.now(UTC)
        assert response.status_code == 302, server.output()
        receipt_url = response.headers["location"]
        assert re.fullmatch(rf"/courses/{world['slug']}/submissions/\d+/", receipt_url)

        server = _start_server(env, port, log_path)
        cookies = {"sessionid": world["session"], "csrftoken": csrf_token}
        with _client(port, cookies) as client:
            receipt = client.get(receipt_url)
            assert receipt.status_code == 200, server.output()
            assert hashlib.sha256(TEXT.encode()).hexdigest() in receipt.text
            assert hashlib.sha256(PDF).hexdigest() in receipt.text
            assert "a.pdf" in receipt.text

            stored = _stored(home, database_url, KEY)
            assert stored.total == 1 and len(stored.rows) == 1, stored
            ((submission_id, text, text_sha256, submitted_at, name, filename, file_sha256),) = stored.rows
            assert receipt_url.endswith(f"/submissions/{submission_id}/")
            assert text == TEXT and text_sha256 == hashlib.sha256(TEXT.encode()).hexdigest()
            # The time of record is when the request arrived, not when it was processed or recovered.
            assert before <= _aware(submitted_at) <= after
            assert filename == "a.pdf" and file_sha256 == hashlib.sha256(PDF).hexdigest()
            assert (home / "media" / name).read_bytes() == PDF

            # A retry of the same POST, as a browser sends when a crash hid the answer: same receipt, nothing doubled.
            retry = _submit(client, submit_url, csrf_token)
            assert retry.status_code == 302, server.output()
            assert retry.headers["location"] == receipt_url
        assert _stored(home, database_url, KEY).total == 1
    finally:
        server.kill()
