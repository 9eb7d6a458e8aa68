"""`cadence serve`'s processes: what the master loads before forking, gunicorn's configuration, static files
collected only when they changed, and the task worker forked beside the web server (`--with-worker`).

The master imports Django, every app and the URLs (so every view and the API), then forks the workers: they
start with all of that in pages shared with the master (copy on write) instead of each importing its own copy
on its first request. Templates are still compiled where they are used: compiling all of them first costs a
third of a second of every start and 7 MiB, for objects a worker copies anyway as soon as it renders them
(every use of a Python object writes its reference count, and so its page).

Nothing that must belong to one process is open at a fork: database connections, the task queue's storage and
the cache's connections are closed first (each worker opens its own on first use); the local-memory cache is
emptied (the master answers no request, but `cadence demo` seeds the data in it first); no thread has been
started; `random` reseeds itself in a forked child, and tokens come from the operating system (`secrets`).
`gc.freeze()` moves everything loaded so far out of the collector's reach, so a collection in a worker does not
write to (and so copy) the shared pages.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import signal
import sys
import threading
import time
import traceback
from argparse import Namespace
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import connections
from django.urls import get_resolver
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY

logger = logging.getLogger(__name__)
STATIC_STAMP = "static-collected"  # in CADENCE_HOME: the fingerprint of the static sources last collected
FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP)
RESTART_PAUSE_SECONDS = 5.0  # a task worker that keeps failing is started again at most this often


# --- Before the fork ----------------------------------------------------------------------------------------
def load_before_fork(application: WSGIHandler, *, tasks: bool = False) -> WSGIHandler:
    """Load what every worker needs into the master (with `tasks`, the task modules too), then leave nothing
    open that a fork would share."""
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports the URL modules: every view and the API
    resolver.reverse_dict  # noqa: B018 - builds the reverse lookup tables once
    if tasks:
        autodiscover_modules("tasks")
    for cache in caches.all(initialized_only=True):
        if isinstance(cache, LocMemCache):
            cache.clear()  # per process: what the master put there (seeding the demo) would go stale in each worker
    close_shared_resources()
    if threading.active_count() != 1:
        raise RuntimeError("a thread runs in the master: it would be lost, holding its locks, in every fork")
    gc.collect()
    gc.freeze()
    return application


def close_shared_resources() -> None:
    """Close what a forked process must not share with the master: database connections, the task queue's
    storage (SQLite or Redis connections) and the cache's connections."""
    connections.close_all()
    HUEY.storage.close()
    caches.close_all()


def pre_fork(server: Any, worker: Any) -> None:
    """Before each fork, also of a worker started again later: the master holds nothing a worker could share.
    (Closing in the master, never in the worker: a worker closing an inherited PostgreSQL connection would end
    the master's session too.)"""
    close_shared_resources()


def gunicorn_config(options: Namespace) -> dict[str, Any]:
    """gunicorn's settings for `cadence serve`'s options."""
    return {
        "bind": f"{options.host}:{options.port}",
        "workers": options.workers,
        "threads": options.threads,
        "worker_class": "gthread",
        # The application is loaded once in the master and shared by the workers (see the module's docstring).
        "preload_app": True,
        "pre_fork": pre_fork,
        "timeout": 60,
        "graceful_timeout": 20,
        "accesslog": "-" if options.access_log else None,
        "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        # gunicorn's control socket is per user by default, so two servers (a demo and a test,
        # two nodes on one host) would take each other's; Cadence does not use it.
        "control_socket_disable": True,
    }


# --- Static files -------------------------------------------------------------------------------------------
def static_fingerprint() -> str:
    """What collecting depends on: the storage and every source file's path, size and modification time."""
    entries = []
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            prefix = getattr(storage, "prefix", None) or ""
            entries.append(f"{prefix}/{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    for entry in sorted(entries):
        digest.update(entry.encode() + b"\n")
    return digest.hexdigest()


def collect_static_if_changed() -> bool:
    """Collect the static files unless the sources are the ones collected last time; returns whether it did.

    Collecting post-processes every file again even when nothing changed (hashing, compressing: seconds on
    a small machine), so it is skipped then; when it runs, it runs in a forked child, so the memory it
    takes is not left in the master that every worker inherits."""
    stamp = Path(settings.CADENCE_HOME) / STATIC_STAMP
    fingerprint = static_fingerprint()
    if stamp.is_file() and stamp.read_text() == fingerprint and _collected():
        return False
    stamp.unlink(missing_ok=True)
    status = _wait(_fork(lambda: call_command("collectstatic", interactive=False, verbosity=0)))
    if status != 0:
        raise SystemExit(f"collecting the static files failed (exit status {status})")
    stamp.write_text(fingerprint)
    return True


def _collected() -> bool:
    """Whether STATIC_ROOT still holds a collection (and its manifest, when the storage keeps one)."""
    root = Path(settings.STATIC_ROOT)
    name = getattr(staticfiles_storage, "manifest_name", None)
    return root.is_dir() and any(root.iterdir()) and (name is None or (root / name).is_file())


# --- Processes ----------------------------------------------------------------------------------------------
def _fork(target: Callable[[], object]) -> int:
    """Run `target` in a forked child that never returns into the caller's code; returns the child's pid."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        for signum in FORWARDED_SIGNALS:
            signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)
        target()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _wait(pid: int) -> int:
    _pid, status = os.waitpid(pid, 0)
    return _exit_code(status)


def _exit_code(status: int) -> int:
    """A child's exit code, or 128 + the number of the signal that ended it (as a shell says)."""
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


def run_task_worker() -> None:
    """The huey consumer, as `cadence worker` runs it."""
    call_command("run_huey")


def supervise(*, web: Callable[[], object], tasks: Callable[[], object]) -> int:
    """Run the web server and the task worker as two children of this process, forked after the application
    was loaded, so both share its pages. This process only watches: it passes on the signals that stop or
    reload (TERM, INT, QUIT, HUP), starts the task worker again if it ends while the web server runs, and ends
    (after stopping the task worker) when the web server ends, with its exit status."""
    stopping = False
    children = {"tasks": 0, "web": 0}

    def forward(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = stopping or signum != signal.SIGHUP
        for pid in children.values():
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signum)

    for signum in FORWARDED_SIGNALS:
        signal.signal(signum, forward)
    children["tasks"] = _fork(tasks)
    children["web"] = _fork(web)
    started = time.monotonic()
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 0
        code = _exit_code(status)
        if pid == children["web"]:
            children["web"] = 0
            if children["tasks"]:
                forward(signal.SIGTERM, None)
                _wait(children["tasks"])
            return code
        if pid == children["tasks"]:
            children["tasks"] = 0
            if stopping:
                continue
            logger.error("the task worker ended (status %s); starting it again", code)
            time.sleep(max(0.0, RESTART_PAUSE_SECONDS - (time.monotonic() - started)))
            if stopping:  # a signal came during the pause
                continue
            started = time.monotonic()
            children["tasks"] = _fork(tasks)
