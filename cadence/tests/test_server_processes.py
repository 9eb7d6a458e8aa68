"""`cadence serve`'s processes (cadence/server.py): the application loaded once before the workers fork, with
nothing open that they would share; heavy libraries kept out of the web and the task worker; static files
collected only when they changed; the task worker forked beside the web server (`--with-worker`).

Memory itself is measured by bench/memory.py, not here."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from cadence import server
from cadence.cli import _serve_parser
from cadence.core.tests.test_cli_and_settings import CADENCE, _children, _env, _free_port

HEAVY = ("sklearn", "scipy", "numpy")

FACTS = """
import gc, json, os, sys, threading
from cadence import cli
cli._setup_django()
from django.db import connection
from django.test import Client
from huey.contrib.djhuey import HUEY
from cadence import server
from cadence.wsgi import application

def open_files():
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            found.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # the listing's own descriptor, closed by now
            pass
    return found

connection.ensure_connection()
HUEY.storage.conn
from django.core.cache import cache
cache.set("left-by-the-master", 1)
database = connection.settings_dict["NAME"]
before = [f for f in open_files() if f in (database, HUEY.storage.filename)]
server.load_before_fork(application)
facts = {
    "open_before": before,
    "open_after": [f for f in open_files() if f in (database, HUEY.storage.filename)],
    "django_connection_open": connection.connection is not None,
    "threads": threading.active_count(),
    "cached": cache.get("left-by-the-master"),
    "frozen": gc.get_freeze_count(),
    "clients": {name: sys.modules.get(name, "not imported") is None for name in ("redis", "psycopg")},
}
client = Client(HTTP_HOST="127.0.0.1")
facts["statuses"] = [client.get(path).status_code for path in ("/healthz", "/accounts/signin/")]
facts["web_imports"] = sorted(m for m in HEAVY_MODULES if m in sys.modules)
from django.utils.module_loading import autodiscover_modules
autodiscover_modules("tasks")
facts["task_worker_imports"] = sorted(m for m in HEAVY_MODULES if m in sys.modules)
print(json.dumps(facts))
""".replace("HEAVY_MODULES", repr(HEAVY))


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What a master knows after loading the application for its workers (one subprocess, many questions)."""
    home = tmp_path_factory.mktemp("home")
    # CADENCE_TESTING: static files from their sources, so nothing needs collecting first.
    env = _env(home, CADENCE_TESTING="1", HUEY_IMMEDIATE="0")
    out = subprocess.run([sys.executable, "-c", FACTS], env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_gunicorn_loads_the_application_in_the_master_before_forking() -> None:
    config = server.gunicorn_config(_serve_parser("cadence serve").parse_args([]))
    assert config["preload_app"] is True
    assert config["pre_fork"] is server.pre_fork
    assert (config["workers"], config["threads"], config["worker_class"]) == (2, 4, "gthread")


def test_the_master_forks_with_no_connection_open_no_thread_an_empty_cache_and_its_objects_frozen(
    facts: dict[str, Any],
) -> None:
    assert len(facts["open_before"]) == 2, "the check opens the database and the task queue first"
    assert facts["open_after"] == []
    assert facts["django_connection_open"] is False
    assert facts["threads"] == 1
    assert facts["cached"] is None, "the local-memory cache is emptied"
    assert facts["frozen"] > 10_000


def test_the_web_process_serves_pages_without_importing_scikit_learn(facts: dict[str, Any]) -> None:
    assert facts["statuses"] == [200, 200]
    assert facts["web_imports"] == []


def test_the_task_worker_loads_its_tasks_without_importing_scikit_learn(facts: dict[str, Any]) -> None:
    """The nightly training runs in a process of its own (insights.training_process)."""
    assert facts["task_worker_imports"] == []


def test_unused_database_and_redis_clients_are_left_out(facts: dict[str, Any], tmp_path: Path) -> None:
    assert facts["clients"] == {"redis": True, "psycopg": True}  # SQLite and no REDIS_URL
    code = "from cadence import cli; cli._leave_out_unused_clients(); import redis, psycopg; print('ok')"
    env = _env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/3", DATABASE_URL="postgres://postgres@127.0.0.1:5432/x")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["ok"]


@pytest.fixture
def static_sources(tmp_path: Path) -> Iterator[Path]:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "site.css").write_text("body { color: black; }")
    with override_settings(
        CADENCE_HOME=tmp_path,
        STATIC_ROOT=tmp_path / "static",
        STATICFILES_DIRS=[sources],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
    ):
        yield sources


def test_static_files_are_collected_again_only_when_their_sources_change(static_sources: Path, tmp_path: Path) -> None:
    assert server.collect_static_if_changed() is True
    assert (tmp_path / "static" / "site.css").is_file()
    assert server.collect_static_if_changed() is False
    (static_sources / "site.css").write_text("body { color: navy; }")
    later = time.time() + 60  # collectstatic copies a source newer than its copy
    os.utime(static_sources / "site.css", (later, later))
    assert server.collect_static_if_changed() is True
    assert (tmp_path / "static" / "site.css").read_text() == "body { color: navy; }"
    (tmp_path / "static" / "site.css").unlink()
    (tmp_path / "static").rmdir()
    assert server.collect_static_if_changed() is True


# --- Real servers ---------------------------------------------------------------------------------------------
def _get(url: str, cookie: str = "") -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
        return int(response.status)


def _wait_until_up(url: str, process: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        try:
            if _get(url) == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer")


def _open_files(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            found.add(os.readlink(fd))
        except OSError:
            continue
    return found


def _stop(process: subprocess.Popen[str], signum: int = signal.SIGTERM) -> str:
    process.send_signal(signum)
    try:
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: only what it started
        output, _ = process.communicate()
        raise
    return output


@pytest.mark.timeout_sensitive
def test_serve_answers_from_two_workers_each_with_its_own_database_connection(tmp_path: Path) -> None:
    env = _env(tmp_path, LOG_LEVEL="WARNING")
    subprocess.run([*CADENCE, "migrate", "sessions", "-v0"], env=env, check=True)  # the one table a request reads
    database = str((tmp_path / "cadence.sqlite3").resolve())
    port = _free_port()
    process = subprocess.Popen(
        [*CADENCE, "serve", "--port", str(port), "--workers", "2", "--no-access-log"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{base}/healthz", process)
        workers = sorted(_children(process.pid))
        assert len(workers) == 2
        # A session cookie makes each request read the sessions table; keep asking until both workers have.
        deadline = time.monotonic() + 60
        with ThreadPoolExecutor(max_workers=8) as pool:
            while not all(database in _open_files(w) for w in workers) and time.monotonic() < deadline:
                statuses = set(pool.map(lambda _: _get(f"{base}/accounts/signin/", "sessionid=" + "0" * 32), range(16)))
                assert statuses == {200}
        assert all(database in _open_files(w) for w in workers), "each worker opened the database itself"
        assert database not in _open_files(process.pid), "the master holds no connection a worker could share"
        assert len(list(Path(f"/proc/{process.pid}/task").iterdir())) == 1
        for worker in workers:
            assert not any(name in Path(f"/proc/{worker}/maps").read_text() for name in HEAVY)
            rollup = {
                line.split(":")[0]: int(line.split()[1])
                for line in Path(f"/proc/{worker}/smaps_rollup").read_text().splitlines()[1:]
            }
            shared = rollup["Shared_Clean"] + rollup["Shared_Dirty"]
            assert shared > rollup["Private_Clean"] + rollup["Private_Dirty"], "workers share the master's pages"
    finally:
        output = _stop(process)
    assert process.returncode == 0, output


@pytest.mark.timeout_sensitive
def test_serve_with_worker_restarts_the_task_worker_and_stops_with_the_web_server(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [*CADENCE, "serve", "--port", str(port), "--workers", "1", "--no-access-log", "--with-worker"],
        env=_env(tmp_path, LOG_LEVEL="WARNING"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", process)

        def task_workers() -> set[int]:
            # The supervisor's two children: gunicorn's master (which has a worker) and the task worker.
            return {pid for pid in _children(process.pid) if not _children(pid) and pid not in web}

        web = {pid for pid in _children(process.pid) if _children(pid)}
        web |= {w for pid in web for w in _children(pid)}
        (first,) = task_workers()
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while task_workers() in (set(), {first}) and time.monotonic() < deadline:
            time.sleep(0.2)
        (second,) = task_workers()
        assert second != first
        everything = _children(process.pid)
    finally:
        output = _stop(process, signal.SIGINT)
    assert process.returncode == 0, output
    assert "the task worker ended" in output
    assert not any(Path(f"/proc/{pid}").exists() for pid in everything)
