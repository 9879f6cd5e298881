# SPDX-License-Identifier: AGPL-3.0-or-later
"""Live fan-out against its limit (SPEC §14, "Live"; issue 19).

1,000 WebSocket clients watch a board (/ws/live/?board=everyone.points.month&tv=<token>, a
TV screen's link: the partner audience) on the portal served as docker-compose.yml's
`asgi` serves it: uvicorn with BENCH_ASGI_WORKERS processes (default 2) on one port,
portal.asgi (AllowedHostsOriginValidator, AuthMiddlewareStack, leaderboard.hub.LiveSocket),
DEBUG off, PostgreSQL through Django's psycopg pool (DATABASE_POOL=true), Redis channel
layer and cache. A driver process on the same database and Redis (a Django process like
the web worker that approves a lead; bench/live_ws/driver.py) qualifies a lead of a fresh
referrer whose points put them at #1: `lead_qualify` commits and publishes its events; a
Celery worker (as in production) handles points.recorded, moves the Redis boards and
pushes each board's diff, encoded once per audience, to the board's groups. Each client
notes when the diff naming the new #1 arrives; the latency is from just before
`lead_qualify` was called.

In the same run, the limit: 1,000 more clients on a bare Channels consumer (bench/bare_ws/:
one group, each message relayed as it is), served the same way (uvicorn, same number of
processes, same channel layer), and one `group_send` from the driver. Portal actions and
bare broadcasts alternate (the actions more than PUSH_WINDOW_SECONDS apart, so coalescing
never holds one back). For the second half of the rounds, STALLED clients that completed
the handshake and never read again sit in the portal's room: the others' last-client p95
must not move. Then the bare room leaves and the portal's room grows to
BENCH_LIVE_BIG_CLIENTS (default 10,000) for BENCH_LIVE_BIG_ROUNDS more actions (p95
reported, nothing may be lost).

Before the rounds the sockets idle 6 s (longer than redis-py's default socket timeout);
after them all disconnect at once and the script checks that no channel is left in a Redis
group (core layer). The layer is the one portal/settings/base.py uses (pub/sub);
BENCH_LIVE_BACKENDS=core,pubsub measures both.

It prints the last client's latency per action (p50/p95/max), the first and median
client, deliveries lost (a client that did not get the message within 5 s, or whose socket
closed), CPU per part, the ratio to the bare broadcast, and PASS/FAIL:

- the last client's p95 under 300 ms at 1,000 clients;
- nothing lost (1,000 and 10,000 clients);
- within 1.5x the bare broadcast (last-client p95, same channel layer, same processes);
- stalled clients in the room move the others' p95 by at most 25% or 30 ms.

A budget that fails is a measurement (exit 0); a broken run (a server that does not start,
sockets that do not connect, a wrong diff) exits 1.

Clients: the `websockets` package, all in this process (Origin and Host headers sent;
the open-file limit is raised to the hard limit, which the servers inherit).

Environment: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432, a role that may
create databases), BENCH_REDIS_URL (default redis://127.0.0.1:6379/11: flushed),
BENCH_LIVE_CLIENTS (default 1000 per server), BENCH_LIVE_ROUNDS (default 30 measured
actions per backend, after 2 warm-up ones), BENCH_LIVE_BACKENDS (default: the layer of
portal/settings/base.py, pubsub; "core,pubsub" compares both),
BENCH_ASGI_WORKERS (default 2), BENCH_LIVE_BIG_CLIENTS (default 10000; 0 skips that
phase), BENCH_LIVE_BIG_ROUNDS (default 10), BENCH_LIVE_DB (default vouch_bench_live: dropped
and recreated on every run). About 5 minutes.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import gc
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
UVICORN = str(Path(sys.executable).parent / "uvicorn")

sys.path.insert(0, str(BENCH))
from lead_submit import (  # noqa: E402
    CLOCK_TICKS,
    PG_URL,
    Broken,
    base_env,
    free_port,
    machine_busy,
    postgres_pid,
    recreate_database,
    redis_pid,
    run,
)
from live_ws import BACKENDS, PREFIX  # noqa: E402

try:
    import websockets
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed
except ImportError:  # pragma: no cover
    sys.exit("bench/live_fanout.py needs the `websockets` package: pip install websockets")

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
CLIENTS = int(os.environ.get("BENCH_LIVE_CLIENTS", "1000"))
ROUNDS = int(os.environ.get("BENCH_LIVE_ROUNDS", "30"))
WARMUP = 2
# The layer production uses (portal/settings/base.py) unless BENCH_LIVE_BACKENDS says.
PROJECT_BACKEND = next(
    name
    for name, path in BACKENDS.items()
    if f'"{path}"' in (ROOT / "portal" / "settings" / "base.py").read_text()
)
BACKEND_NAMES = [
    b.strip()
    for b in os.environ.get("BENCH_LIVE_BACKENDS", PROJECT_BACKEND).split(",")
    if b.strip()
]
WORKERS = int(os.environ.get("BENCH_ASGI_WORKERS", "2"))  # uvicorn processes per server
BIG_CLIENTS = int(os.environ.get("BENCH_LIVE_BIG_CLIENTS", "10000"))  # 0: skip that phase
BIG_ROUNDS = int(os.environ.get("BENCH_LIVE_BIG_ROUNDS", "10"))
STALLED = 3  # clients that stop reading, in the room for the second half of the rounds
STALL_BUDGET_RATIO, STALL_BUDGET_MS = 1.25, 30.0
DB = os.environ.get("BENCH_LIVE_DB", "vouch_bench_live")
P95_BUDGET_MS = 300.0
RATIO_BUDGET = 1.5
SPACING_SECONDS = 1.2  # between two actions: more than PUSH_WINDOW_SECONDS (1)
LOSS_SECONDS = 5.0  # a client without the message this long after the action lost it
IDLE_SECONDS = 6.0  # silence before the rounds: redis-py's default socket timeout is 5 s
CONNECT_CONCURRENCY = 50  # handshakes in flight at once
TIME_LIMIT_SECONDS = 1200  # the whole run, setup included
SECRET_KEY = secrets.token_urlsafe(48)


# --- processes --------------------------------------------------------------------------

_children: dict[int, str] = {}  # pid (its own session) -> name


def _killpg(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _kill_children() -> None:
    """Last resort (atexit): whatever is still running is killed."""
    for pid in list(_children):
        _killpg(pid, signal.SIGKILL)
        _children.pop(pid, None)


atexit.register(_kill_children)


async def stop_process(proc: asyncio.subprocess.Process, grace: float = 8.0) -> None:
    if proc.returncode is None:
        _killpg(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), grace)
        except TimeoutError:
            _killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(proc.wait(), 5)
    _children.pop(proc.pid, None)


async def spawn(name: str, cmd: list[str], env: dict[str, str], log: Path, **kwargs):
    with open(os.devnull, "rb") as devnull, open(log, "ab") as out:
        proc = await asyncio.create_subprocess_exec(
            *cmd,
            cwd=ROOT,
            env=env,
            stdin=kwargs.pop("stdin", devnull),
            stdout=kwargs.pop("stdout", out),
            stderr=out,
            start_new_session=True,  # its own process group: stopped with everything it runs
            **kwargs,
        )
    _children[proc.pid] = name
    return proc


def log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def nofile_limit(pid: int | None = None) -> int:
    if pid is None:
        return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    try:
        for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
            if line.startswith("Max open files"):
                return int(line.split()[3])
    except (OSError, ValueError, IndexError):
        pass
    return -1


def raise_nofile(needed: int) -> int:
    """Raise this process's soft open-file limit to the hard one (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 1 << 20 if hard == resource.RLIM_INFINITY else hard
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft = nofile_limit()
    if soft < needed:
        raise Broken(
            f"the open-file limit is {soft} (hard {hard}); {needed} are needed: "
            f"raise `ulimit -n` (e.g. `ulimit -n {needed * 2}` as root) and run again"
        )
    return soft


@dataclass
class Server:
    name: str
    proc: asyncio.subprocess.Process
    port: int
    log: Path


async def start_server(name: str, app: str, env: dict[str, str], tmp: Path) -> Server:
    """docker-compose.yml's `asgi` command (uvicorn, WORKERS processes on one port),
    bound to 127.0.0.1."""
    port = free_port()
    log = tmp / f"{name}-uvicorn.log"
    cmd = [
        UVICORN,
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(WORKERS),
        "--ws",
        "websockets",
        "--lifespan",
        "off",
        "--no-access-log",
        "--log-level",
        "warning",
        "--backlog",
        "4096",
    ]
    proc = await spawn(f"uvicorn {name}", cmd, env, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.returncode is not None:
            raise Broken(f"{name}: uvicorn exited with {proc.returncode}:\n{log_tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                await asyncio.sleep(2 if WORKERS > 1 else 0)  # every worker up
                return Server(name, proc, port, log)
        except OSError:
            await asyncio.sleep(0.2)
    raise Broken(f"{name}: uvicorn did not listen on port {port} within 60 s:\n{log_tail(log)}")


def server_log_problems(log: Path) -> list[str]:
    """Errors in a server log (its access-log lines start with the client's address)."""
    found = []
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("127.0.0.1:"):
            continue
        if re.search(r"Traceback|Error|Exception|exception", line):
            found.append(line.strip())
    return found


class Driver:
    """bench/live_ws/driver.py: one JSON command a line, one JSON answer a line."""

    def __init__(self, proc: asyncio.subprocess.Process, log: Path):
        self.proc, self.log = proc, log

    @classmethod
    async def start(cls, env: dict[str, str], tmp: Path, tag: str) -> Driver:
        log = tmp / f"driver-{tag}.log"
        proc = await spawn(
            f"driver {tag}",
            [PYTHON, "-m", "live_ws.driver"],
            env,
            log,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=1 << 22,
        )
        driver = cls(proc, log)
        hello = await driver.read(60)
        if not hello.get("ready"):
            raise Broken(f"driver: {hello}")
        return driver

    async def read(self, timeout: float) -> dict:
        try:
            line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        except TimeoutError:
            raise Broken(
                f"driver: no answer within {timeout:.0f} s:\n{log_tail(self.log)}"
            ) from None
        if not line:
            await asyncio.sleep(0.5)
            raise Broken(f"driver exited ({self.proc.returncode}):\n{log_tail(self.log)}")
        return json.loads(line)

    async def call(self, command: dict, timeout: float = 60) -> dict:
        self.proc.stdin.write((json.dumps(command) + "\n").encode())
        await self.proc.stdin.drain()
        return await self.read(timeout)

    async def stop(self) -> None:
        if self.proc.returncode is None:
            try:
                self.proc.stdin.write(b'{"cmd": "quit"}\n')
                await self.proc.stdin.drain()
                await asyncio.wait_for(self.proc.wait(), 10)
            except (OSError, TimeoutError):
                pass
        await stop_process(self.proc)


# --- clients ----------------------------------------------------------------------------


class Fleet:
    """N WebSocket clients in this process, each noting when the awaited message arrives
    (the first message that contains the round's needle)."""

    def __init__(self, name: str, port: int, path: str):
        self.name = name
        self.url = f"ws://127.0.0.1:{port}{path}"
        self.origin = f"http://127.0.0.1:{port}"  # the Host header follows from the URL
        self.sockets: list = []
        self.tasks: list[asyncio.Task] = []
        self.dropped: dict[int, str] = {}  # sockets the server closed: index -> why
        self.closing = False
        self.needle: str | None = None
        self.got: list = []
        self.count = 0
        self.done = asyncio.Event()

    @property
    def n(self) -> int:
        return len(self.sockets)

    async def connect(self, n: int) -> float:
        """Connect n more clients (the first message each gets is the hello)."""
        started = time.monotonic()
        limit = asyncio.Semaphore(CONNECT_CONCURRENCY)
        base = len(self.sockets)
        self.sockets += [None] * n

        async def one(i: int) -> None:
            async with limit:
                ws = await connect(
                    self.url,
                    origin=self.origin,
                    proxy=None,
                    compression=None,  # one encoding per audience, relayed as it is
                    ping_interval=None,  # the server pings idle sockets itself
                    open_timeout=30,
                    close_timeout=5,
                )
            self.sockets[i] = ws
            self.tasks.append(asyncio.create_task(self._read(i, ws)))

        results = await asyncio.gather(*(one(base + i) for i in range(n)), return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            raise Broken(
                f"{self.name}: {len(errors)} of {n} clients could not connect; first: {errors[0]!r}"
            )
        return time.monotonic() - started

    async def _read(self, i: int, ws) -> None:
        try:
            async for message in ws:
                now = time.monotonic()
                needle = self.needle
                if (
                    needle is not None
                    and self.got[i] is None
                    and isinstance(message, str)
                    and needle in message
                ):
                    self.got[i] = (now, message)
                    self.count += 1
                    self._check_done()
        except ConnectionClosed:
            pass
        finally:
            if not self.closing:
                self.dropped[i] = f"closed {ws.close_code} {ws.close_reason!r}".strip()
                if self.needle is not None:
                    self._check_done()

    def _check_done(self) -> None:
        """Done when every socket has the message or is gone (no waiting for the dead)."""
        gone = sum(1 for j in self.dropped if self.got[j] is None) if self.dropped else 0
        if self.count + gone >= len(self.got):
            self.done.set()

    def arm(self, needle: str) -> None:
        self.got = [None] * self.n
        self.count = 0
        self.done = asyncio.Event()
        self.needle = needle
        if self.dropped:
            self._check_done()

    def disarm(self) -> list:
        self.needle = None
        return self.got

    async def close_all(self) -> None:
        self.closing = True
        await asyncio.gather(
            *(ws.close() for ws in self.sockets if ws is not None), return_exceptions=True
        )
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


# --- CPU accounting ---------------------------------------------------------------------

CPU_PARTS = ("server", "client", "driver", "worker", "redis", "postgres")


def cpu_snapshot(pids: dict[str, int | None]) -> dict[str, float]:
    """CPU seconds so far of each named process and its direct children (PostgreSQL's
    backends: everyone's), of this process (the clients), and of the whole machine."""
    wanted = {pid: name for name, pid in pids.items() if pid}
    totals = dict.fromkeys(pids, 0.0)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                data = f.read()
        except OSError:
            continue
        fields = data[data.rindex(")") + 2 :].split()
        pid, ppid = int(entry), int(fields[1])
        name = wanted.get(pid) or wanted.get(ppid)
        if name:
            totals[name] += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    usage = resource.getrusage(resource.RUSAGE_SELF)
    totals["client"] = usage.ru_utime + usage.ru_stime
    totals["machine"] = machine_busy()
    totals["wall"] = time.monotonic()
    return totals


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its direct children (uvicorn's workers), in MB."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                data = f.read()
            ppid = int(data[data.rindex(")") + 2 :].split()[1])
            if int(entry) != pid and ppid != pid:
                continue
            with open(f"/proc/{entry}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1024


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Milliseconds of CPU per part between two snapshots; "other": every other process."""
    used = {k: (after[k] - before[k]) * 1000 for k in before}
    used["other"] = max(0.0, used["machine"] - sum(used[k] for k in CPU_PARTS))
    return used


# --- measurement ------------------------------------------------------------------------


@dataclass
class Round:
    kind: str  # "bare" or "portal"
    t0: float  # monotonic, just before the call
    t1: float  # the call returned
    arrivals: list[float]  # monotonic, one per client that got it
    lost: int
    events: list = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # ms during the round, per part

    def latencies_ms(self) -> list[float]:
        return sorted((t - self.t0) * 1000 for t in self.arrivals)


class Trace:
    """The worker's timings (bench/live_ws/worker.py), read as the file grows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def since(self, t0: float) -> list:
        """The entries written since the last read that started at or after ``t0``."""
        if not self.path.exists():
            return []
        with self.path.open() as f:
            f.seek(self.offset)
            text = f.read()
        complete = text[: text.rfind("\n") + 1]
        self.offset += len(complete.encode())
        entries = [json.loads(line) for line in complete.splitlines() if line]
        return [e for e in entries if e[2] >= t0]


async def measure(
    fleet: Fleet,
    driver: Driver,
    command: dict,
    needle: str,
    pids: dict[str, int | None],
    trace: Trace | None = None,
) -> tuple[Round, list]:
    """One action or broadcast; the round, and what each client took for the message."""
    before = cpu_snapshot(pids)
    fleet.arm(needle)
    answer = await driver.call(command)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(fleet.done.wait(), LOSS_SECONDS)
    cpu = cpu_used(before, cpu_snapshot(pids))
    got = fleet.disarm()
    if trace is not None:
        answer["events"] = answer["events"] + trace.since(answer["t0"])
    return Round(
        cpu=cpu,
        kind=command["cmd"],
        t0=answer["t0"],
        t1=answer["t1"],
        arrivals=[g[0] for g in got if g is not None],
        lost=sum(1 for g in got if g is None),
        events=answer["events"],
    ), got


def bare_text(token: str) -> str:
    """About the size of the portal's diff when ten ranks change."""
    rows = {str(r): [100000 + r, f"Bare Referrer {r:03d}", 2000 - 10 * r] for r in range(1, 11)}
    return json.dumps({"type": "board", "board": "bare", "round": token, "set": rows, "drop": []})


def check_portal_diff(got: list, referrer: int, points: int) -> None:
    """Every message a client took for the update must be the diff with the new #1."""
    for entry in got:
        if entry is None:
            continue
        data = json.loads(entry[1])
        first = data.get("set", {}).get("1")
        if data.get("type") != "board" or not first or first[0] != referrer or first[2] != points:
            raise Broken(f"expected referrer {referrer} at #1 with {points}, got {entry[1]}")


@dataclass
class BackendResult:
    backend: str
    bare: list[Round]
    portal: list[Round]
    stalled: list[Round]  # the portal rounds with stalled clients in the room
    calm: list[Round]  # the others
    stalled_dropped: int  # stalled clients the server closed
    big: list[Round]  # rounds with BIG_CLIENTS portal clients
    big_clients: int
    big_connect: float | None
    memory: dict[str, float]  # MB, the portal server's processes
    group: str
    connect_seconds: dict[str, float]
    idle_dropped: int
    dropped: int  # sockets a server closed before the mass disconnect
    dropped_why: list[str]
    stale_members: dict[str, int] | None
    log_problems: dict[str, list[str]]
    nofile: dict[str, int]


def redis_client():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5, socket_timeout=10)


async def stale_group_members(groups: list[str]) -> dict[str, int]:
    """Channels left in the core layer's Redis groups after every socket disconnected."""
    client = redis_client()
    keys = {g: f"{PREFIX}:group:{g}" for g in groups}
    deadline = time.monotonic() + 10
    while True:
        left = {g: client.zcard(k) for g, k in keys.items()}
        if not any(left.values()) or time.monotonic() > deadline:
            client.close()
            return left
        await asyncio.sleep(0.5)


def stalled_client(port: int, path: str) -> socket.socket:
    """A client that completes the handshake and then never reads again, with a small
    receive buffer: what the server sends it piles up on the server's side."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:{port}\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            raise Broken("a stalled client's handshake was refused")
        head += chunk
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        raise Broken(f"a stalled client's handshake failed: {head[:80]!r}")
    return sock


def stalled_closed(sock: socket.socket) -> bool:
    """Whether the server has closed a stalled client (its FIN is queued behind the data)."""
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


async def run_backend(backend: str, setup: dict, tmp: Path, next_lead: list[int]) -> BackendResult:
    print(f"== {backend}: {BACKENDS[backend]}, {WORKERS} uvicorn processes per server", flush=True)
    servers: list[Server] = []
    driver = None
    fleets: list[Fleet] = []
    stalled: list[socket.socket] = []
    workers: list[asyncio.subprocess.Process] = []
    try:
        portal = await start_server(
            f"portal-{backend}", "portal.asgi:application", asgi_env(backend), tmp
        )
        servers.append(portal)
        bare = await start_server(
            f"bare-{backend}", "bare_ws.asgi:application", bare_env(backend), tmp
        )
        servers.append(bare)
        driver = await Driver.start(driver_env(backend), tmp, backend)
        # The domain events (points.recorded: move the boards, push them) are handled by a
        # Celery worker, as in production.
        worker_log = tmp / f"worker-{backend}.log"
        worker = await spawn(
            f"worker {backend}",
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "live_ws.worker",
                "worker",
                # docker-compose.yml's worker: two processes.
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            {**driver_env(backend), "BENCH_LIVE_TRACE": str(tmp / f"trace-{backend}.jsonl")},
            worker_log,
        )
        trace = Trace(tmp / f"trace-{backend}.jsonl")
        workers.append(worker)
        deadline = time.monotonic() + 120
        while "ready." not in worker_log.read_text(errors="replace"):
            if worker.returncode is not None or time.monotonic() > deadline:
                raise Broken(f"the Celery worker did not start:\n{log_tail(worker_log)}")
            await asyncio.sleep(0.5)

        portal_path = f"/ws/live/?board={setup['board']}&tv={setup['token']}"
        board_fleet = Fleet("portal", portal.port, portal_path)
        bare_fleet = Fleet("bare", bare.port, "/ws/bare/")
        fleets += [board_fleet, bare_fleet]
        connect_seconds = {}
        for fleet in (bare_fleet, board_fleet):
            connect_seconds[fleet.name] = await fleet.connect(CLIENTS)
            print(
                f"   {CLIENTS} clients connected to {fleet.name} in "
                f"{connect_seconds[fleet.name]:.1f} s",
                flush=True,
            )
        memory = {"portal_start": rss_mb(portal.proc.pid)}
        gc.collect()
        gc.freeze()  # 2,000 connections' objects: keep the collector out of the rounds
        await asyncio.sleep(IDLE_SECONDS)
        idle_dropped = len(board_fleet.dropped) + len(bare_fleet.dropped)
        print(
            f"   idle {IDLE_SECONDS:.0f} s: {idle_dropped} sockets closed by a server",
            flush=True,
        )

        rounds: dict[str, list[Round]] = {"bare": [], "portal": [], "stalled": [], "big": []}
        pids = {
            "driver": driver.proc.pid,
            "worker": worker.pid,
            "redis": redis_pid(),
            "postgres": postgres_pid(),
        }
        bare_pids = {**pids, "server": bare.proc.pid}
        portal_pids = {**pids, "server": portal.proc.pid}
        last_action = 0.0

        async def portal_action(fleet: Fleet) -> Round:
            nonlocal last_action
            await asyncio.sleep(max(0.0, last_action + SPACING_SECONDS - time.monotonic()))
            lead, referrer = setup["leads"][next_lead[0]]
            points = 1000 + 10 * next_lead[0]  # more than anyone so far: a new #1
            next_lead[0] += 1
            portal_round, got = await measure(
                fleet,
                driver,
                {"cmd": "qualify", "lead": lead, "points": points},
                f"[{referrer},",
                portal_pids,
                trace,
            )
            last_action = portal_round.t1
            check_portal_diff(got, referrer, points)
            return portal_round

        half = WARMUP + ROUNDS // 2
        for k in range(WARMUP + ROUNDS):
            if k == half:
                # Clients that stop reading join the room: the others must not notice.
                for _ in range(STALLED):
                    stalled.append(
                        await asyncio.to_thread(stalled_client, portal.port, portal_path)
                    )
            token = f"{backend}-{k}"
            bare_round, _got = await measure(
                bare_fleet,
                driver,
                {"cmd": "bare", "text": bare_text(token)},
                f'"round": "{token}"',
                bare_pids,
            )
            portal_round = await portal_action(board_fleet)
            if k >= WARMUP:
                rounds["bare"].append(bare_round)
                rounds["portal"].append(portal_round)
                if k >= half:
                    rounds["stalled"].append(portal_round)
            await asyncio.sleep(0.2)
        last = [max(r.latencies_ms(), default=float("nan")) for r in rounds["portal"]]
        print(
            f"   {ROUNDS} rounds (+{WARMUP} warm-up): portal last client "
            f"{statistics.median(last):.0f} ms median",
            flush=True,
        )
        stalled_dropped = sum(stalled_closed(sock) for sock in stalled)
        for sock in stalled:
            sock.close()

        big_connect = None
        if BIG_CLIENTS > CLIENTS:
            # The bare room leaves; the portal's room grows to BIG_CLIENTS.
            bare_fleet.closing = True
            await bare_fleet.close_all()
            print(f"   connecting {BIG_CLIENTS - CLIENTS} more portal clients", flush=True)
            gc.unfreeze()
            memory["portal_small"] = rss_mb(portal.proc.pid)
            big_connect = await board_fleet.connect(BIG_CLIENTS - CLIENTS)
            memory["portal_big"] = rss_mb(portal.proc.pid)
            gc.collect()
            gc.freeze()
            print(
                f"   {board_fleet.n} portal clients ({BIG_CLIENTS - CLIENTS} connected in "
                f"{big_connect:.1f} s)",
                flush=True,
            )
            await asyncio.sleep(2)
            for k in range(1 + BIG_ROUNDS):
                big_round = await portal_action(board_fleet)
                if k:
                    rounds["big"].append(big_round)
            big_last = [max(r.latencies_ms(), default=float("nan")) for r in rounds["big"]]
            print(
                f"   {BIG_ROUNDS} rounds at {board_fleet.n}: last client "
                f"{statistics.median(big_last):.0f} ms median",
                flush=True,
            )

        nofile = {s.name: nofile_limit(s.proc.pid) for s in servers}
        dropped = {**board_fleet.dropped, **{-1 - i: v for i, v in bare_fleet.dropped.items()}}
        # Everyone leaves at once (a deploy, a network blip): the groups must empty.
        for fleet in fleets:
            fleet.closing = True
        await asyncio.gather(*(fleet.close_all() for fleet in fleets))
        stale = None
        if backend == "core":
            stale = await stale_group_members([setup["group"], "live.partner", "bare"])
        else:
            await asyncio.sleep(2)
        await driver.stop()
        for server in servers:
            await stop_process(server.proc)
        return BackendResult(
            backend=backend,
            bare=rounds["bare"],
            portal=rounds["portal"],
            stalled=rounds["stalled"],
            calm=[r for r in rounds["portal"] if r not in rounds["stalled"]],
            stalled_dropped=stalled_dropped,
            big=rounds["big"],
            big_clients=board_fleet.n if rounds["big"] else 0,
            big_connect=big_connect,
            memory=memory,
            group=setup["group"],
            connect_seconds=connect_seconds,
            idle_dropped=idle_dropped,
            dropped=len(dropped),
            dropped_why=sorted(set(dropped.values()))[:3],
            stale_members=stale,
            log_problems={s.name: server_log_problems(s.log) for s in servers},
            nofile=nofile,
        )
    finally:
        for sock in stalled:
            sock.close()
        for fleet in fleets:
            if not fleet.closing:
                await fleet.close_all()
        if driver is not None:
            await stop_process(driver.proc)
        for proc in workers:
            await stop_process(proc)
        for server in servers:
            await stop_process(server.proc)


# --- report -----------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """Percentile with linear interpolation (numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass
class Summary:
    rounds: int
    last_p50: float
    last_p95: float
    last_max: float
    first_p50: float
    median_client: float
    lost: int
    deliveries: int


def summarize(rounds: list[Round]) -> Summary:
    lat = [r.latencies_ms() for r in rounds]
    last = [x[-1] if x else float("inf") for x in lat]
    return Summary(
        rounds=len(rounds),
        last_p50=pct(last, 50),
        last_p95=pct(last, 95),
        last_max=max(last),
        first_p50=pct([x[0] for x in lat if x], 50),
        median_client=pct([statistics.median(x) for x in lat if x], 50),
        lost=sum(r.lost for r in rounds),
        deliveries=sum(len(r.arrivals) + r.lost for r in rounds),
    )


def portal_breakdown(result: BackendResult) -> dict[str, float | str]:
    """Medians over the portal's rounds, in ms."""
    parts: dict[str, list[float]] = {
        "commit": [],
        "before": [],
        "send": [],
        "first": [],
        "last": [],
        "returned": [],
        "after": [],
    }
    positions = []
    for r in result.portal:
        committed = [e for e in r.events if e[0] == "committed"]
        boards = [e for e in r.events if e[0] == "push" and e[1].startswith("board.")]
        ours = next((e for e in boards if e[1] == result.group), None)
        if not committed or ours is None or not r.arrivals:
            continue
        positions.append((boards.index(ours) + 1, len(boards)))
        parts["commit"].append((committed[0][2] - r.t0) * 1000)
        parts["before"].append((ours[2] - committed[0][2]) * 1000)
        parts["send"].append((ours[3] - ours[2]) * 1000)
        parts["first"].append((min(r.arrivals) - ours[3]) * 1000)
        parts["last"].append((max(r.arrivals) - ours[3]) * 1000)
        parts["returned"].append((r.t1 - r.t0) * 1000)
        parts["after"].append((r.t1 - ours[3]) * 1000)
    out: dict[str, float | str] = {k: pct(v, 50) for k, v in parts.items()}
    pushes_each = [
        sum(1 for e in r.events if e[0] == "push" and e[1].startswith("board."))
        for r in result.portal
    ]
    push_ms = [
        (e[3] - e[2]) * 1000
        for r in result.portal
        for e in r.events
        if e[0] == "push" and e[1].startswith("board.") and e[1] != result.group
    ]
    out["position"] = (
        f"{statistics.mode(p[0] for p in positions)} of {statistics.mode(p[1] for p in positions)}"
        if positions
        else "?"
    )
    out["pushes"] = statistics.median(pushes_each) if pushes_each else 0
    out["other_push"] = pct(push_ms, 50)
    return out


def bare_breakdown(result: BackendResult) -> dict[str, float]:
    send = [(r.t1 - r.t0) * 1000 for r in result.bare]
    first = [(min(r.arrivals) - r.t1) * 1000 for r in result.bare if r.arrivals]
    last = [(max(r.arrivals) - r.t1) * 1000 for r in result.bare if r.arrivals]
    return {"send": pct(send, 50), "first": pct(first, 50), "last": pct(last, 50)}


def report(results: list[BackendResult]) -> None:
    print()
    print(
        f"{'backend':<7} {'sender':<7} {'rounds':>6} {'last p50':>9} {'last p95':>9} "
        f"{'last max':>9} {'first p50':>10} {'median cl.':>10} {'lost':>10}"
    )
    summaries = {}
    for res in results:
        for kind in ("bare", "portal"):
            s = summarize(getattr(res, kind))
            summaries[res.backend, kind] = s
            print(
                f"{res.backend:<7} {kind:<7} {s.rounds:>6} {s.last_p50:>9.1f} {s.last_p95:>9.1f} "
                f"{s.last_max:>9.1f} {s.first_p50:>10.1f} {s.median_client:>10.1f} "
                f"{f'{s.lost}/{s.deliveries}':>10}"
            )
    print(
        f"ms from just before the call (portal: lead_qualify; bare: group_send) to the message "
        f"at a client; 'last' is the last of {CLIENTS} clients in one round, its p50/p95/max "
        "over the rounds; 'median cl.' the median client, p50 over the rounds; lost: "
        f"deliveries missing after {LOSS_SECONDS:.0f} s."
    )

    print()
    print("where the time goes, portal (medians over the rounds, ms):")
    print(
        f"{'backend':<7} {'to commit':>9} {'to push':>8} {'(ours is)':>10} {'send':>6} "
        f"{'to first':>9} {'to last':>8} {'call returns':>13}"
    )
    for res in results:
        b = portal_breakdown(res)
        print(
            f"{res.backend:<7} {b['commit']:>9.1f} {b['before']:>8.1f} {b['position']:>10} "
            f"{b['send']:>6.1f} {b['first']:>9.1f} {b['last']:>8.1f} {b['returned']:>13.1f}"
        )
    print(
        "to commit: from the call until the Celery worker applies the points to the boards "
        "(lead_qualify's transaction, the events' dispatch and their handlers before it); "
        "to push: from there until the board's group_send starts (Redis board updates and "
        "the pushes of the boards pushed before it, each one's top 10 read and sent); "
        "send: that group_send on the worker; to first/last: from its return to the "
        "first/last client; call returns: lead_qualify's whole call in the driver."
    )
    for res in results:
        for kind in ("bare", "portal"):
            rounds = getattr(res, kind)
            lasts = [
                f"{(max(r.arrivals) - r.t0) * 1000:.0f}"
                + "".join(
                    f"({(e[2] - r.t0) * 1000:.0f})"
                    for e in r.events[:50]
                    if e[0] == "push" and e[1] == res.group
                )
                for r in rounds
                if r.arrivals
            ]
            print(
                f"  {res.backend} {kind}: last client per round, ms (the board's push "
                f"started): {' '.join(lasts)}"
            )
        per_event: dict[str, list[tuple[float, float]]] = {}
        for r in res.portal:
            for e in r.events:
                if e[0] in ("event", "handler"):
                    per_event.setdefault(e[1], []).append(
                        ((e[2] - r.t0) * 1000, (e[3] - e[2]) * 1000)
                    )
        if per_event:
            print(
                f"  {res.backend}: events on the worker (medians, ms from the call to the "
                "handlers' start, and their time): "
                + "; ".join(
                    f"{name} at {pct([a for a, _ in v], 50):.1f}, {pct([d for _, d in v], 50):.1f}"
                    for name, v in sorted(
                        per_event.items(), key=lambda kv: pct([a for a, _ in kv[1]], 50)
                    )
                )
            )
    for res in results:
        m = res.memory
        if "portal_big" in m:
            per_k = (m["portal_big"] - m["portal_small"]) / ((res.big_clients - CLIENTS) / 1000)
            print(
                f"  {res.backend}: portal server memory {m['portal_start']:.0f} MB with "
                f"{CLIENTS} sockets, {m['portal_big']:.0f} MB with {res.big_clients} "
                f"({WORKERS} processes): {per_k:.1f} MB per 1,000 sockets"
            )
    for res in results:
        b = portal_breakdown(res)
        print(
            f"  {res.backend}: {b['pushes']:.0f} board pushes per action, "
            f"{b['other_push']:.1f} ms each for the other boards (median)"
        )
    print("bare: group_send, then to the first / last client (medians, ms):")
    for res in results:
        b = bare_breakdown(res)
        print(f"  {res.backend}: {b['send']:.1f}, then {b['first']:.1f} / {b['last']:.1f}")

    print()
    print(
        "CPU during a round (from just before the call until the last client has it; medians, ms):"
    )
    print(
        f"{'backend':<7} {'sender':<7} {'wall':>6} {'server':>7} {'clients':>8} {'driver':>7} "
        f"{'redis':>6} {'postgres':>9} {'other':>6} {'cores busy':>11}"
    )
    for res in results:
        for kind in ("bare", "portal"):
            cpu = [r.cpu for r in getattr(res, kind) if r.cpu]
            if not cpu:
                continue
            med = {k: pct([c[k] for c in cpu], 50) for k in cpu[0]}
            busy = pct([c["machine"] / c["wall"] for c in cpu if c["wall"] > 0], 50)
            print(
                f"{res.backend:<7} {kind:<7} {med['wall']:>6.0f} {med['server']:>7.0f} "
                f"{med['client']:>8.0f} {med['driver']:>7.0f} {med['redis']:>6.0f} "
                f"{med['postgres']:>9.0f} {med['other']:>6.0f} {busy:>6.2f} of {os.cpu_count()}"
            )
    print(
        f"server: the server measured (portal or bare, its {WORKERS} uvicorn processes); "
        f"clients: this process's {CLIENTS} sockets; "
        "postgres: every backend on the machine; other: every other process on the machine."
    )

    print()
    for res in results:
        stale = (
            "groups emptied"
            if res.stale_members is not None and not any(res.stale_members.values())
            else f"STALE members left: {res.stale_members}"
            if res.stale_members
            else "groups are in-process (nothing in Redis to check)"
        )
        problems = sum(len(v) for v in res.log_problems.values())
        print(
            f"{res.backend}: connected in {res.connect_seconds['bare']:.1f} s (bare) / "
            f"{res.connect_seconds['portal']:.1f} s (portal); {res.idle_dropped} closed while "
            f"idle {IDLE_SECONDS:.0f} s, {res.dropped} by the end of the rounds"
            f"{' ' + str(res.dropped_why) if res.dropped else ''}; "
            f"mass disconnect: {stale}; server log errors: {problems}; "
            f"servers' open-file limit: {min(res.nofile.values())}"
        )
        for name, lines in res.log_problems.items():
            for line in lines[:5]:
                print(f"    {name}: {line}")

    def verdict(backend: str) -> tuple[float, int, float, float]:
        portal, bare = summaries[backend, "portal"], summaries[backend, "bare"]
        return portal.last_p95, portal.lost, portal.last_p95 / bare.last_p95, bare.last_p95

    def budget_lines(backend: str) -> list[tuple[bool, str]]:
        p95, lost, ratio, bare_p95 = verdict(backend)
        s = summaries[backend, "portal"]
        res = next(r for r in results if r.backend == backend)
        calm, stalled = summarize(res.calm), summarize(res.stalled)
        allowed = max(calm.last_p95 * STALL_BUDGET_RATIO, calm.last_p95 + STALL_BUDGET_MS)
        extra = [
            (
                stalled.last_p95 <= allowed,
                f"with {STALLED} stalled clients in the room: last-client p95 "
                f"{stalled.last_p95:.0f} ms against {calm.last_p95:.0f} ms without "
                f"({stalled.rounds} / {calm.rounds} rounds; budget: at most {allowed:.0f} ms, "
                f"{STALL_BUDGET_RATIO}x or +{STALL_BUDGET_MS:.0f} ms); {res.stalled_dropped} of "
                f"{STALLED} stalled clients closed by the server",
            )
        ]
        if res.big:
            big = summarize(res.big)
            extra.append(
                (
                    big.lost == 0,
                    f"{res.big_clients} clients: last-client p95 {big.last_p95:.0f} ms, p50 "
                    f"{big.last_p50:.0f} ms, median client {big.median_client:.0f} ms (reported); "
                    f"{big.lost} of {big.deliveries} deliveries lost (budget: none; "
                    f"{big.rounds} rounds, {res.big_connect:.0f} s to connect "
                    f"{res.big_clients - CLIENTS})",
                )
            )
        return extra + [
            (
                p95 < P95_BUDGET_MS,
                f"last-client p95 {p95:.0f} ms (budget: under {P95_BUDGET_MS:.0f} ms)",
            ),
            (lost == 0, f"{lost} of {s.deliveries} deliveries lost (budget: none)"),
            (
                ratio <= RATIO_BUDGET,
                f"{ratio:.2f}x the bare broadcast ({p95:.0f} / {bare_p95:.0f} ms last-client p95, "
                f"same channel layer; budget: at most {RATIO_BUDGET}x)",
            ),
        ]

    print()
    backends = [r.backend for r in results]
    p95s = [verdict(b)[0] for b in backends]
    # Fewer lost first; then the lower last-client p95, unless the p95s are within 10% of
    # each other (over 30 rounds p95 is the slowest one or two), then the lower p50.
    close = max(p95s) <= 1.1 * min(p95s)
    best = min(
        backends,
        key=lambda b: (
            verdict(b)[1],
            summaries[b, "portal"].last_p50 if close else verdict(b)[0],
        ),
    )
    if len(backends) > 1:
        others = ", ".join(
            f"{b} {verdict(b)[0]:.0f} ms p95 / {summaries[b, 'portal'].last_p50:.0f} ms p50 / "
            f"{verdict(b)[1]} lost"
            for b in backends
            if b != best
        )
        print(
            f"better backend: {best} ({BACKENDS[best]}): last-client p95 {verdict(best)[0]:.0f} "
            f"ms / p50 {summaries[best, 'portal'].last_p50:.0f} ms, {verdict(best)[1]} lost; "
            f"{others}{' (p95 within 10%: decided on p50)' if close else ''}. "
            f"The project's setting (portal/settings/base.py): {PROJECT_BACKEND}."
        )
        fastest_bare = min(summaries[b, "bare"].last_p95 for b in backends)
        print(
            f"(against the faster bare broadcast of the two, {fastest_bare:.0f} ms: "
            f"{verdict(best)[0] / fastest_bare:.2f}x)"
        )
    for ok, text in budget_lines(best):
        print(f"{'PASS' if ok else 'FAIL'}: [{best}] {text}")
    print(
        "(p50 over the rounds, for comparison: "
        + "; ".join(
            f"{b} {summaries[b, 'portal'].last_p50:.0f} / {summaries[b, 'bare'].last_p50:.0f} ms "
            f"= {summaries[b, 'portal'].last_p50 / summaries[b, 'bare'].last_p50:.2f}x"
            for b in backends
        )
        + ")"
    )
    for b in backends:
        if b != best:
            marks = "/".join("PASS" if ok else "FAIL" for ok, _ in budget_lines(b))
            p95, lost, ratio, _ = verdict(b)
            print(f"({b}, for comparison: {p95:.0f} ms, {lost} lost, {ratio:.2f}x: {marks})")


# --- main -------------------------------------------------------------------------------


def common_env(backend: str) -> dict[str, str]:
    """docker-compose.yml's environment, on plain HTTP at 127.0.0.1, and the run's layer."""
    return {
        **base_env(),
        "PYTHONPATH": f"{BENCH}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "live_ws.settings",
        "BENCH_CHANNEL_LAYER": backend,
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "http://127.0.0.1",
        "DATABASE_URL": f"{PG_URL}/{DB}",
        "REDIS_URL": REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
    }


def asgi_env(backend: str) -> dict[str, str]:
    return {**common_env(backend), "DATABASE_POOL": "true"}  # the `asgi` service


def bare_env(backend: str) -> dict[str, str]:
    return {**common_env(backend), "DJANGO_SETTINGS_MODULE": "bare_ws.settings"}


def driver_env(backend: str) -> dict[str, str]:
    # Like the `web` service that approves leads. A fixed hash seed: the boards an entry
    # touches are pushed in the same order for both backends.
    return {**common_env(backend), "DATABASE_CONN_MAX_AGE": "60", "PYTHONHASHSEED": "0"}


async def amain(setup: dict, tmp: Path) -> list[BackendResult]:
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGALRM, task.cancel)
    loop.add_signal_handler(signal.SIGTERM, task.cancel)
    results = []
    next_lead = [0]
    try:
        for backend in BACKEND_NAMES:
            results.append(await run_backend(backend, setup, tmp, next_lead))
    except asyncio.CancelledError:
        raise Broken(
            f"stopped: time limit ({TIME_LIMIT_SECONDS} s) or a signal; partial results: "
            f"{[r.backend for r in results]}"
        ) from None
    return results


def _time_limit(signum, frame):
    raise Broken(f"time limit ({TIME_LIMIT_SECONDS} s) reached")


def main() -> int:
    started = time.monotonic()
    signal.signal(signal.SIGALRM, _time_limit)  # while the event loop runs: its own handler
    signal.alarm(TIME_LIMIT_SECONDS)
    try:
        return _main(started)
    finally:
        signal.alarm(0)


def _main(started: float) -> int:
    for backend in BACKEND_NAMES:
        if backend not in BACKENDS:
            raise Broken(f"BENCH_LIVE_BACKENDS: unknown backend {backend!r} (core, pubsub)")
    nofile = raise_nofile(max(2 * CLIENTS, BIG_CLIENTS) + 500)
    load = os.getloadavg()
    print(
        f"Live fan-out: {os.cpu_count()} cores, load {load[0]:.2f}; uvicorn x{WORKERS} (portal.asgi, "
        f"DEBUG off, DATABASE_POOL), {CLIENTS} WebSocket clients per server in one asyncio "
        f"process (websockets {websockets.__version__}, open-file limit {nofile}); "
        f"{ROUNDS} measured actions per backend (+{WARMUP} warm-up), PostgreSQL {PG_URL}, "
        f"Redis {REDIS_URL}",
        flush=True,
    )
    tmp = Path(tempfile.mkdtemp(prefix="vouch-bench-live-"))
    atexit.register(shutil.rmtree, tmp, True)

    print("== database: recreating, migrating, creating referrers and a TV screen", flush=True)
    recreate_database(DB)
    client = redis_client()
    client.flushdb()
    client.close()
    env = common_env("core")
    run([PYTHON, "manage.py", "migrate", "--no-input"], env, "migrate", timeout=300)
    leads = len(BACKEND_NAMES) * (WARMUP + ROUNDS + 1 + BIG_ROUNDS)
    out = run([PYTHON, "-m", "live_ws.driver", "--setup", str(leads)], env, "setup", timeout=300)
    setup = json.loads(out.strip().splitlines()[-1])

    results = asyncio.run(amain(setup, tmp))
    signal.alarm(0)
    signal.signal(signal.SIGALRM, _time_limit)
    report(results)
    client = redis_client()
    client.flushdb()  # Celery messages nobody consumed, boards, cache
    client.close()
    print(f"\n(run took {time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Broken as exc:
        print(f"BROKEN: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
