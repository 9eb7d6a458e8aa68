"""The `cadence` command and environment-driven settings, checked in real subprocesses."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CADENCE = [sys.executable, "-m", "cadence"]


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"CADENCE_TESTING", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"}
    }
    return env | {"CADENCE_HOME": str(home), "DJANGO_SETTINGS_MODULE": "cadence.settings"} | extra


def _settings(home: Path, expression: str, **extra: str) -> object:
    code = (
        f"import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({expression}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=_env(home, **extra), capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_secret_key_is_generated_once_and_kept(tmp_path: Path):
    first = _settings(tmp_path, "s.SECRET_KEY")
    assert _settings(tmp_path, "s.SECRET_KEY") == first
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
    assert _settings(tmp_path, "s.SECRET_KEY", SECRET_KEY="from-the-environment") == "from-the-environment"


def test_defaults_are_sqlite_in_home_with_wal_debug_off_and_huey_on_sqlite(tmp_path: Path):
    config = _settings(
        tmp_path,
        "[s.DATABASES['default']['NAME'], s.DATABASES['default']['OPTIONS']['init_command'], s.DEBUG, s.HUEY['huey_class'], s.EMAIL_BACKEND]",
    )
    assert config[0] == str(tmp_path / "cadence.sqlite3")
    assert "journal_mode=WAL" in config[1]
    assert config[2] is False
    assert config[3] == "huey.SqliteHuey"
    assert config[4].endswith("console.EmailBackend")


def test_connections_are_kept_and_checked_and_sessions_follow_the_cache(tmp_path: Path):
    expression = (
        "[s.DATABASES['default']['CONN_MAX_AGE'], s.DATABASES['default']['CONN_HEALTH_CHECKS'], s.SESSION_ENGINE]"
    )
    # SQLite too: opening a connection with its pragmas costs more than most of a page.
    assert _settings(tmp_path, expression) == [60, True, "django.contrib.sessions.backends.db"]
    assert _settings(tmp_path, expression, DB_CONN_MAX_AGE="0")[0] == 0
    # With Redis, sessions are read from it and written through to the database (ADR 0011).
    with_redis = _settings(tmp_path, expression, REDIS_URL="redis://127.0.0.1:6379/3")
    assert with_redis == [60, True, "django.contrib.sessions.backends.cached_db"]


def test_the_access_log_is_on_by_default_and_can_be_turned_off(monkeypatch: pytest.MonkeyPatch):
    from cadence.cli import _serve_parser

    assert _serve_parser("cadence serve").parse_args([]).access_log is True
    assert _serve_parser("cadence serve").parse_args(["--no-access-log"]).access_log is False
    monkeypatch.setenv("CADENCE_ACCESS_LOG", "0")
    assert _serve_parser("cadence serve").parse_args([]).access_log is False
    assert _serve_parser("cadence serve").parse_args(["--access-log"]).access_log is True


def test_redis_url_moves_cache_and_huey_to_redis_and_smtp_when_configured(tmp_path: Path):
    config = _settings(
        tmp_path,
        "[s.CACHES['default']['BACKEND'], s.HUEY['huey_class'], s.EMAIL_BACKEND, s.DATABASES['default']['ENGINE']]",
        REDIS_URL="redis://127.0.0.1:6379/3",
        EMAIL_HOST="smtp.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
    )
    assert config == [
        "django.core.cache.backends.redis.RedisCache",
        "huey.PriorityRedisHuey",
        "django.core.mail.backends.smtp.EmailBackend",
        "django.db.backends.postgresql",
    ]


def test_help_lists_the_commands():
    out = subprocess.run([*CADENCE, "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("demo", "serve", "worker"):
        assert command in out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            child = int(status.parent.name)
            found |= {child} | _children(child)
    return found


@pytest.mark.timeout_sensitive
def test_demo_seeds_once_serves_and_ctrl_c_stops_server_and_worker(tmp_path: Path):
    port = _free_port()
    process = subprocess.Popen(
        [*CADENCE, "demo", "--port", str(port), "--workers", "1"],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so a demo that ignores Ctrl-C can still be ended
    )
    try:
        deadline = time.monotonic() + 180  # migrate and seed first: slow when the machine is busy
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/courses/", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert "Data Literacy" in body
        workers = _children(process.pid)
        # The demo migrated and seeded in this process: its connection was closed before the web worker forked.
        database = str((tmp_path / "cadence.sqlite3").resolve())
        assert not any(os.path.realpath(fd) == database for fd in Path(f"/proc/{process.pid}/fd").iterdir())
        assert any(
            "worker" in Path(f"/proc/{pid}/cmdline").read_text() for pid in workers if Path(f"/proc/{pid}").exists()
        )
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            # Never leave a demo server and worker running (and using the CPU) for the rest of the run.
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    assert process.returncode == 0
    assert "teacher@demo.cadence.test" in output and "cadence-demo" in output
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    # A second run seeds nothing new.
    again = subprocess.run([*CADENCE, "seed_demo"], env=_env(tmp_path), capture_output=True, text=True, check=True)
    assert "already there" in again.stdout


def test_with_redis_url_the_cache_and_the_task_queue_really_use_redis(tmp_path: Path):
    """Runs against the Redis server on 127.0.0.1:6379 (database 15, emptied first)."""
    code = (
        "import django; django.setup()\n"
        "from django.core.cache import cache\n"
        "from huey.contrib.djhuey import HUEY\n"
        "from cadence.core.tasks import send_email\n"
        "HUEY.storage.flush_queue()\n"
        "cache.set('cadence-probe', 'ok', 30)\n"
        "send_email(subject='s', body='b', to=['x@example.org'])\n"
        "print(cache.get('cadence-probe'), type(HUEY).__name__, HUEY.pending_count())\n"
        "HUEY.storage.flush_queue()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/15"),
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["ok", "PriorityRedisHuey", "1"]
