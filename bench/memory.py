"""Memory of an idle one-machine install, and its cold start.

Starts `cadence serve` (gunicorn: a master and --workers worker processes) and `cadence worker` (the huey
consumer), or with --with-worker the one command `cadence serve --with-worker`, on a fresh CADENCE_HOME
(SQLite, migrated), waits until /healthz answers, makes a few requests so every web worker is warm (the
sign-in page and /healthz, several at once), leaves everything idle for --idle seconds, then reads each
process's /proc/<pid>/smaps_rollup and prints, per process and in total:

- **RSS**: resident pages mapped by the process. Pages a forked worker still shares with its master (and
  shared libraries) count in full in every process, so the sum over a master and its workers counts them
  several times: it overstates what the install takes.
- **PSS**: each resident page divided by the number of processes mapping it. The sum over the install is
  what it really occupies (a page shared by the master and two workers counts a third in each).
- **USS**: pages only this process maps (private clean + private dirty): what stopping it would free.

**Cold start**: from starting `cadence serve` (its command line, Python's start included) to the first 200
from /healthz, for --cold-starts starts in a row on the same home: the first collects the static files
(a new home, or a new release), the others are restarts (nothing changed). The web server is started
alone for these; the task worker only for the memory figures.

Only loopback addresses are used. Every process started here is stopped at the end. The processes run
`python -m cadence` from the working directory: run it from the checkout to be measured.

    python bench/memory.py                          # 2 web workers × 4 threads, one task worker
    python bench/memory.py --workers 3 --idle 10    # another configuration
    python bench/memory.py --json                   # figures as JSON too
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

CADENCE = [sys.executable, "-m", "cadence"]
MIB = 1024  # smaps_rollup speaks kB
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Memory:
    role: str
    pid: int
    rss: float  # MiB
    pss: float
    uss: float
    swap: float


def smaps_rollup(pid: int) -> dict[str, int]:
    """The kB figures of /proc/<pid>/smaps_rollup."""
    figures: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        value = rest.split()
        if value and value[0].isdigit():
            figures[name] = int(value[0])
    return figures


def memory(role: str, pid: int) -> Memory:
    f = smaps_rollup(pid)
    uss = f.get("Private_Clean", 0) + f.get("Private_Dirty", 0)
    return Memory(role, pid, f["Rss"] / MIB, f["Pss"] / MIB, uss / MIB, f.get("Swap", 0) / MIB)


def children(pid: int) -> list[int]:
    """Direct children of a process, by pid."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU of a process, its descendants and the children it has reaped (as in bench/load.py)."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
        total += utime + stime + (cutime + cstime if pid == root else 0)
        todo.extend(children(pid))
    return total / CLOCK_TICKS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, timeout: float = 5) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
        response.read()
        return int(response.status)


def wait_for_200(url: str, started: float, timeout: float = 60) -> float:
    """Seconds from `started` (a perf_counter reading) to the first 200 from `url`."""
    while time.perf_counter() - started < timeout:
        try:
            if get(url, timeout=2) == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.01)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


def start(args: Sequence[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own command line
            [*CADENCE, *args], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: the process and its children only
            process.wait()


def prepare_home(home: Path, env: dict[str, str], log: Path) -> None:
    with log.open("ab") as out:
        command = [*CADENCE, "migrate", "--noinput", "-v0"]
        subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, check=True)  # noqa: S603


def warm(base: str, workers: int) -> None:
    """Several requests at once, so the kernel hands some to every web worker."""
    paths = ["/accounts/signin/", "/healthz"] * (4 * max(workers, 1))
    with ThreadPoolExecutor(max_workers=2 * max(workers, 1)) as pool:
        for _ in range(3):
            statuses = list(pool.map(lambda p: get(base + p, timeout=30), paths))
            if set(statuses) != {200}:
                raise SystemExit(f"warm-up requests answered {sorted(set(statuses))}")


def processes(serve_pid: int, combined: bool) -> list[Memory]:
    """The web server's processes; with --with-worker, the supervising process and the forked task worker too
    (the child with children of its own is gunicorn's master)."""
    if not combined:
        return [memory("web master", serve_pid), *(memory("web worker", pid) for pid in children(serve_pid))]
    rows = [memory("supervisor", serve_pid)]
    for child in children(serve_pid):
        workers = children(child)
        if workers:
            rows += [memory("web master", child), *(memory("web worker", pid) for pid in workers)]
        else:
            rows.append(memory("task worker (forked)", child))
    return rows


def table(rows: Sequence[Memory]) -> str:
    lines = ["| process | pid | RSS MiB | PSS MiB | USS MiB |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {m.role} | {m.pid} | {m.rss:.1f} | {m.pss:.1f} | {m.uss:.1f} |" for m in rows]

    def total(label: str, part: Sequence[Memory]) -> str:
        rss, pss, uss = (sum(getattr(m, k) for m in part) for k in ("rss", "pss", "uss"))
        return f"| **{label}** | | **{rss:.1f}** | **{pss:.1f}** | **{uss:.1f}** |"

    web = [m for m in rows if m.role.startswith("web")]
    if len(web) != len(rows):
        lines.append(total("web (master and workers)", web))
    lines.append(total("total", rows))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (cadence serve's default)")
    parser.add_argument("--threads", type=int, default=4, help="threads per web worker")
    parser.add_argument("--serve-arg", action="append", default=[], help="another option for cadence serve")
    parser.add_argument("--worker-arg", action="append", default=[], help="an option for cadence worker")
    parser.add_argument("--no-task-worker", action="store_true", help="measure the web server alone")
    parser.add_argument(
        "--with-worker",
        action="store_true",
        help="one command: `cadence serve --with-worker` (the task worker forked beside the web server)",
    )
    parser.add_argument("--idle", type=float, default=5, help="seconds left idle before measuring")
    parser.add_argument("--cold-starts", type=int, default=3, help="starts timed for the cold start")
    parser.add_argument("--home", type=Path, help="CADENCE_HOME to use (default: a new temporary one)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="cadence-memory-"))
    log = home / "bench-memory.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CADENCE_TESTING"}}
    env |= {"CADENCE_HOME": str(home), "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    serve_args = [
        "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers),
        "--threads", str(args.threads), "--no-access-log", *args.serve_arg,
    ]  # fmt: skip
    combined = args.with_worker and not args.no_task_worker

    prepare_home(home, env, log)
    load_before = os.getloadavg()

    cold: list[tuple[float, float]] = []  # (seconds, CPU seconds of the server's processes) to the first 200
    for _ in range(args.cold_starts):
        started = time.perf_counter()
        server = start(serve_args, env, log)
        try:
            seconds = wait_for_200(f"{base}/healthz", started)
            cold.append((seconds, tree_cpu_seconds(server.pid)))
        finally:
            stop(server)

    server = start([*serve_args, *(["--with-worker"] if combined else [])], env, log)
    separate = args.no_task_worker or combined
    task_worker = None if separate else start(["worker", *args.worker_arg], env, log)
    try:
        wait_for_200(f"{base}/healthz", time.perf_counter())
        warm(base, args.workers)
        time.sleep(args.idle)
        if task_worker is not None and task_worker.poll() is not None:
            raise SystemExit(f"cadence worker stopped (see {log})")
        rows = processes(server.pid, combined)
        if task_worker is not None:
            rows.append(memory("task worker", task_worker.pid))
            rows += [memory("task worker child", pid) for pid in children(task_worker.pid)]
    finally:
        if task_worker is not None:
            stop(task_worker)
        stop(server)

    load_after = os.getloadavg()
    print(
        f"cadence serve --workers {args.workers} --threads {args.threads} {' '.join(args.serve_arg)}"
        f"{' --with-worker' if combined else ''}; "
        f"{'' if separate else 'cadence worker ' + ' '.join(args.worker_arg) + '; '}SQLite in {home}; idle {args.idle:.0f} s"
    )
    print(f"machine: {os.cpu_count()} CPUs; load average (1, 5, 15 min) before {load_before}, after {load_after}")
    print()
    print(table(rows))
    print()
    if cold:

        def shown(start: tuple[float, float]) -> str:
            return f"{start[0]:.2f} s ({start[1]:.2f} s CPU)"

        print(f"cold start (process start to the first 200 from /healthz), first start: {shown(cold[0])}")
        if cold[1:]:
            median = (statistics.median(c[0] for c in cold[1:]), statistics.median(c[1] for c in cold[1:]))
            print(f"restarts: {', '.join(shown(c) for c in cold[1:])}; median {shown(median)}")
    if args.json:
        print(json.dumps({"processes": [asdict(m) for m in rows], "cold_starts": cold}, indent=1))


if __name__ == "__main__":
    main()
