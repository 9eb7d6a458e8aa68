"""The `cadence` command: demo, serve, worker, and every Django management command."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

USAGE = """usage: cadence <command> [options]

  demo      migrate, seed the demo course once, print the demo accounts, then serve with a worker
  serve     serve Cadence with gunicorn (--host, --port, --workers, --threads; --with-worker: the task worker too)
  worker    run the background task worker (huey consumer)
  <other>   any Django management command: migrate, createsuperuser, check --deploy, shell, ...
"""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cadence.settings")
    import django

    _leave_out_unused_clients()
    django.setup()


def _leave_out_unused_clients() -> None:
    """huey imports the Redis and PostgreSQL clients whether its storage uses them or not: about 14 MiB and a
    few tenths of a second of every start. When neither the database nor REDIS_URL needs one, it is marked as
    absent (a None in `sys.modules` makes Python's import fail), and huey goes on without it."""
    from django.conf import settings

    unused = {
        "redis": not settings.REDIS_URL,
        "psycopg": settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    }
    for client, absent in unused.items():
        if absent:
            sys.modules.setdefault(client, None)  # type: ignore[arg-type]  # None: the documented "not importable" mark


def _serve_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--host", default=os.environ.get("CADENCE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CADENCE_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("CADENCE_THREADS", "4")))
    parser.add_argument("--no-collectstatic", action="store_true", help="skip collecting static files first")
    parser.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=os.environ.get("CADENCE_ACCESS_LOG", "1") not in ("0", "false", "no"),
        help="write one line per request to standard output (default: on; CADENCE_ACCESS_LOG=0 turns it off)",
    )
    return parser


def serve(argv: Sequence[str], *, prog: str = "cadence serve") -> int:
    parser = _serve_parser(prog)
    parser.add_argument(
        "--with-worker",
        action="store_true",
        default=os.environ.get("CADENCE_WITH_WORKER", "0") not in ("0", "false", "no", ""),
        help="run the task worker too, forked from the same loaded application (one machine: less memory)",
    )
    options = parser.parse_args(list(argv))
    _setup_django()
    from gunicorn.app.base import BaseApplication

    from cadence import server

    if not options.no_collectstatic:
        server.collect_static_if_changed()
    from cadence.wsgi import application

    loaded = server.load_before_fork(application, tasks=options.with_worker)

    class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
        def load_config(self) -> None:
            for key, value in server.gunicorn_config(options).items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return loaded

    if options.with_worker:
        return server.supervise(web=_Gunicorn().run, tasks=server.run_task_worker)
    _Gunicorn().run()
    return 0


def worker(argv: Sequence[str]) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("run_huey", *argv)
    return 0


def demo(argv: Sequence[str]) -> int:
    options = _serve_parser("cadence demo").parse_args(list(argv))
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo")
    print(f"\nCadence is starting at http://{options.host}:{options.port}/  (Ctrl-C stops the server and worker)\n")
    # The worker runs alongside in its own process; stopping the server stops it too.
    worker_process = subprocess.Popen([sys.executable, "-m", "cadence", "worker"])
    try:
        return serve([*argv], prog="cadence demo")
    finally:
        worker_process.send_signal(signal.SIGINT)
        try:
            worker_process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker_process.kill()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        if args:
            return 0
        return 2
    command, rest = args[0], args[1:]
    if command == "serve":
        return serve(rest)
    if command == "worker":
        return worker(rest)
    if command == "demo":
        return demo(rest)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cadence.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cadence", *args])
    return 0
