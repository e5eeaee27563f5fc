"""Live voting under load: C viewers on WebSockets, B ballots per second over HTTP.

    python bench/live_load.py [--viewers 1000] [--rate 200] [--duration 30] [--workers 2]
                              [--server uvicorn|daphne] [--find-max] [--quick]
                              [--window-ms N] [--cast-threads N] [--profile DIR]

It creates a fresh PostgreSQL database (dropped at the end), migrates it, seeds a process in
voting with a session, N paired tablets and one ballot token each (as if N voters had been
checked in), starts the ASGI server with production settings (Redis channel layer and
coalescer), opens the viewers' sockets on the process's public live group from separate load
processes, then casts ballots through the real kiosk endpoint at the given rate.

Latency of a ballot: from the moment its cast's response arrives to the moment *every* viewer
has received a count that includes it (the k-th acknowledged ballot is seen once a viewer's
count reaches k: viewers get coalesced counts, not one message per ballot). Also printed:
sustained ballots per second, p50/p95/p99, the same per (ballot, viewer) pair, memory of each
server process, errors, and lost ballots (acknowledged but not in the database); CPU while
casting of the servers (and per ballot), of PostgreSQL and of the benchmark's own viewer
sockets and casters, which share the machine. With --profile, py-spy samples each server
process (collapsed stacks in DIR) and the servers' CPU per ballot is split by thread.

Only loopback addresses are used. Needs PostgreSQL and Redis (defaults below, or
--database-url / --redis-url). The last line is machine-readable:
    ballots_per_s=<n> p95_ms=<n> viewers=<n> lost=<n>
"""

import argparse
import asyncio
import contextlib
import http.client
import json
import multiprocessing as mp
import os
import re
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
BALLOTS_RE = re.compile(rb'"ballots":(\d+)')
# --find-max tries these rates (10 s each, ascending) until one misses p95 < 500 ms or falls
# more than 10 % short of the asked rate.
FIND_MAX_RATES = (25, 50, 75, 100, 125, 150, 200, 250, 300, 400)
SECRET = "bench-only-" + secrets.token_hex(32)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 65536), want), hard))


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


# Environment ------------------------------------------------------------------------------


def server_env(database_url: str, redis_url: str) -> dict:
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": SECRET,
        "CENSUS_HMAC_KEY": "bench-census-" + "x" * 32,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECURE_SSL_REDIRECT": "False",
        "WAGTAILADMIN_BASE_URL": "http://127.0.0.1",
        "LOG_LEVEL": "ERROR",
        # Production's own default (CONN_MAX_AGE=0, issue 14): the kiosk's cast pool threads
        # are long-lived, so their connections are reused between casts anyway.
    }


def admin_connection(admin_url: str):
    import psycopg2

    parts = urllib.parse.urlparse(admin_url)
    connection = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname=(parts.path or "/postgres").lstrip("/") or "postgres",
    )
    connection.autocommit = True
    return connection


def database_url_for(admin_url: str, name: str) -> str:
    parts = urllib.parse.urlparse(admin_url)
    return urllib.parse.urlunparse(parts._replace(path=f"/{name}"))


# Seeding (in this process, through Django) ---------------------------------------------------


def seed(total: int, projects: int = 8) -> dict:
    """A process in voting, an open session, and `total` tablets each holding one token."""
    import django

    django.setup()
    import datetime as dt

    from django.utils import timezone

    from budgeting.live import broadcast, credentials
    from budgeting.live.models import BallotToken, Tablet, VotingSession
    from budgeting.models import Channel, Participation, Process, Project
    from citizens.models import CensusRecord

    broadcast.reset()
    now = timezone.now()
    process = Process.objects.create(
        title="Bench budget",
        budget=10_000_000,
        state=Process.State.VOTING,
        voting_opens_at=now - dt.timedelta(days=1),
        voting_closes_at=now + dt.timedelta(days=1),
        ballot_rule=Process.BallotRule.KNAPSACK,
        live_results=Process.LiveResults.FULL,
    )
    project_ids = [
        Project.objects.create(
            process=process,
            title=f"Project {i}",
            cost=10_000 + 1_000 * i,
            state=Project.State.FEASIBLE,
            district=("Centro", "Navile")[i % 2],
        ).pk
        for i in range(projects)
    ]
    session = VotingSession.objects.create(
        process=process,
        place_name="Bench hall",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=12),
        state=VotingSession.State.OPEN,
    )
    census = CensusRecord.objects.bulk_create(
        [
            CensusRecord(
                identity_hash=f"bench{i:059d}",
                district=("Centro", "Navile")[i % 2],
                birth_year=1950 + i % 50,
            )
            for i in range(total)
        ],
        batch_size=2000,
    )
    Participation.objects.bulk_create(
        [
            Participation(
                process=process,
                census_record=record,
                channel=Channel.IN_PERSON,
                district=record.district,
                birth_year=record.birth_year,
                session=session,
            )
            for record in census
        ],
        batch_size=2000,
    )
    raw_credentials = [credentials.device_credential_new() for _ in range(total)]
    tablets = Tablet.objects.bulk_create(
        [
            Tablet(
                session=session,
                label=f"T{i}",
                credential_hash=credentials.device_credential_hash(c),
                state=Tablet.State.VOTING,
                connections=1,
                last_seen=now,
            )
            for i, c in enumerate(raw_credentials)
        ],
        batch_size=2000,
    )
    nonces = [credentials.token_nonce_new() for _ in range(total)]
    BallotToken.objects.bulk_create(
        [
            BallotToken(
                session=session,
                nonce=n,
                token_hash=credentials.token_hash(credentials.token_from_nonce(n)),
                tablet=t,
                created_at=now,
                expires_at=now + dt.timedelta(hours=6),
            )
            for n, t in zip(nonces, tablets, strict=True)
        ],
        batch_size=2000,
    )
    return {
        "process": process.pk,
        "projects": project_ids,
        "casts": [
            (c, credentials.token_from_nonce(n))
            for c, n in zip(raw_credentials, nonces, strict=True)
        ],
    }


def count_ballots(process_id: int) -> int:
    from budgeting.models import Ballot

    return Ballot.objects.filter(process_id=process_id).count()


# Servers --------------------------------------------------------------------------------------


class Servers:
    def __init__(self, kind: str, workers: int, env: dict, ws: str = "auto"):
        self.kind = kind
        self.procs = []
        self.ports = []
        if kind == "uvicorn":
            port = free_port()
            self.ports = [port]
            self.procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "config.asgi:application",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--workers",
                        str(workers),
                        "--log-level",
                        "warning",
                        "--no-access-log",
                        "--lifespan",
                        "off",
                        "--ws",
                        ws,
                    ],
                    cwd=REPO,
                    env=env,
                    start_new_session=True,
                )
            )
        else:  # daphne has no workers option: one process per port
            for _ in range(workers):
                port = free_port()
                self.ports.append(port)
                self.procs.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "daphne",
                            "-b",
                            "127.0.0.1",
                            "-p",
                            str(port),
                            "--verbosity",
                            "0",
                            "config.asgi:application",
                        ],
                        cwd=REPO,
                        env=env,
                        start_new_session=True,
                    )
                )

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        for port in self.ports:
            while True:
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    connection.request("GET", "/api/health")
                    connection.getresponse().read()
                    connection.close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"server on {port} did not start") from None
                    time.sleep(0.3)

    def pids(self) -> list[int]:
        """The processes that serve requests (uvicorn's workers, or each daphne)."""
        if self.kind != "uvicorn":
            return [p.pid for p in self.procs]
        master = self.procs[0].pid
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                if ppid == master:
                    children.append(int(entry.name))
        workers = [pid for pid in children if "resource_tracker" not in _cmdline(pid)]
        return workers or children or [master]

    def memory(self) -> list[tuple[int, float, float]]:
        rows = []
        for pid in self.pids():
            status = _status(pid)
            rows.append((pid, status.get("VmRSS", 0) / 1024, status.get("VmHWM", 0) / 1024))
        return rows

    def stop(self):
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


def cpu_seconds(pids, *, reaped=False) -> float:
    """User + system CPU time of processes (from /proc/<pid>/stat); with ``reaped``, also
    that of their children that have exited (PostgreSQL backends end and are reaped by the
    postmaster between two readings: without it their time would vanish from the total)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
        if reaped:
            total += (int(fields[13]) + int(fields[14])) / ticks
    return total


def postgres_pids() -> list[int]:
    """The postmaster and its backends (their command name is "postgres")."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _status(pid: int) -> dict:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    values = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])  # kB
    return values


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def profile_start(directory, pids, duration, label) -> list:
    """py-spy (a dev dependency) samples each server process while ballots are cast."""
    if not directory:
        return []
    Path(directory).mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
    return [
        subprocess.Popen(
            [
                str(Path(sys.executable).with_name("py-spy")),
                "record",
                "--pid",
                str(pid),
                "--rate",
                "250",
                "--duration",
                str(int(duration) + 1),
                "--format",
                "raw",
                "--nonblocking",
                "--threads",
                "--output",
                str(Path(directory) / f"{slug}-{pid}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in pids
    ]


def thread_cpu(pids) -> dict[tuple[int, int], float]:
    """CPU seconds of every thread of the processes, by (pid, thread id)."""
    ticks = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            seconds[(pid, int(task.name))] = (int(fields[11]) + int(fields[12])) / ticks
    return seconds


def thread_roles(pids, before, after) -> dict[str, float]:
    """CPU seconds spent between two readings, by Python thread name (from py-spy dump):
    the event loop (MainThread), the cast pool, the broadcaster, the snapshot builders."""
    names = {}
    for pid in pids:
        dump = subprocess.run(
            [str(Path(sys.executable).with_name("py-spy")), "dump", "--pid", str(pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        for tid, name in re.findall(r'^Thread (\d+) \(\w+\): "([^"]*)"', dump, re.M):
            names[(pid, int(tid))] = re.sub(r"_\d+$", "", name)
    roles: dict[str, float] = {}
    for key, spent in after.items():
        role = names.get(key, "other")
        roles[role] = roles.get(role, 0.0) + spent - before.get(key, 0.0)
    return roles


def profile_stop(profilers) -> None:
    for profiler in profilers:
        try:
            profiler.wait(timeout=30)
        except subprocess.TimeoutExpired:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=10)


# Viewers (separate processes) -------------------------------------------------------------------


def viewer_process(
    urls, origin, count, ready, start_evt, stop_evt, out, pattern=BALLOTS_RE, client="raw"
):
    """Open `count` sockets (round-robin over urls); record (time, count) when the count that
    `pattern` reads in a message grows (ballots here; bench/meeting_load.py reads voters).

    ``client``: ``raw`` (default) is a minimal RFC 6455 client (``RawViewer``); ``websockets``
    the websockets library's asyncio client, about five times the CPU per message."""
    raise_open_files()
    run = _raw_viewers if client == "raw" else _viewers
    asyncio.run(run(urls, origin, count, ready, stop_evt, out, pattern))


class RawViewer(asyncio.Protocol):
    """A WebSocket viewer that does only what a phone's browser must: the opening handshake
    (checked: 101 and the Sec-WebSocket-Accept of its key), reading the server's frames
    (unmasked, possibly fragmented or split across reads), answering pings and closes with
    masked frames, and recording when a text message carries a higher count.

    The sockets stand for 1,000 phones but share the server's two cores: the websockets
    library's client spent about 40 µs of this machine's CPU per message (27 % of a core at
    6.7 messages a second on 1,000 sockets), which the server then lacked; this one reads a
    message in a few microseconds, so the benchmark measures the server more than itself."""

    GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    def __init__(self, path, host, origin, pattern, timeline, opened, closed):
        import base64
        import hashlib

        self.path, self.host, self.origin = path, host, origin
        self.pattern, self.timeline = pattern, timeline
        self.opened, self.closed = opened, closed
        self.key = base64.b64encode(secrets.token_bytes(16))
        self.accept = base64.b64encode(hashlib.sha1(self.key + self.GUID).digest())  # noqa: S324 - RFC 6455
        self.buffer = bytearray()
        self.handshake_done = False
        self.fragments = bytearray()
        self.best = -1
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        transport.write(
            (
                f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {self.key.decode()}\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: {self.origin}\r\n\r\n"
            ).encode()
        )

    def connection_lost(self, exc):
        if not self.opened.done():
            self.opened.set_result(False)
        if not self.closed.done():
            self.closed.set_result(True)

    def data_received(self, data):
        self.buffer += data
        if not self.handshake_done:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).lower()
            del self.buffer[: end + 4]
            if not head.startswith(b"http/1.1 101") or self.accept.lower() not in head:
                self.opened.set_result(False)
                self.transport.close()
                return
            self.handshake_done = True
            self.opened.set_result(True)
        self._frames()

    def _frames(self):
        buffer = self.buffer
        while len(buffer) >= 2:
            first, second = buffer[0], buffer[1]
            length, start = second & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, start = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, start = int.from_bytes(buffer[2:10], "big"), 10
            if second & 0x80:  # a server must not mask its frames
                self.transport.close()
                return
            if len(buffer) < start + length:
                return
            payload = bytes(buffer[start : start + length])
            del buffer[: start + length]
            self._frame(first & 0x80, first & 0x0F, payload)

    def _frame(self, fin, opcode, payload):
        if opcode in (0x0, 0x1, 0x2):  # continuation, text, binary
            if not fin:
                self.fragments += payload
                return
            if self.fragments:
                payload, self.fragments = bytes(self.fragments) + payload, bytearray()
            match = self.pattern.search(payload)
            if match:
                n = int(match.group(1))
                if n > self.best:
                    self.best = n
                    self.timeline.append((time.monotonic(), n))
        elif opcode == 0x9:  # ping
            self.send(0xA, payload)
        elif opcode == 0x8:  # close: answer it, then the server closes the connection
            self.send(0x8, payload[:2])
            if not self.closed.done():
                self.closed.set_result(True)

    def send(self, opcode, payload=b""):
        mask = secrets.token_bytes(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    def close(self):
        if self.transport is not None and not self.transport.is_closing():
            self.send(0x8, (1000).to_bytes(2, "big"))
            self.transport.close()


async def _raw_viewers(urls, origin, count, ready, stop_evt, out, pattern):
    loop = asyncio.get_running_loop()
    timelines = [[] for _ in range(count)]
    failures = [0]
    opening = asyncio.Semaphore(50)
    viewers = []

    async def one(i):
        url = urllib.parse.urlparse(urls[i % len(urls)])
        opened, closed = loop.create_future(), loop.create_future()
        try:
            async with opening:
                _transport, viewer = await loop.create_connection(
                    lambda: RawViewer(
                        url.path, url.netloc, origin, pattern, timelines[i], opened, closed
                    ),
                    url.hostname,
                    url.port,
                )
                ok = await asyncio.wait_for(opened, 30)
        except (TimeoutError, OSError):
            ok = False
        with ready.get_lock():
            ready.value += 1
        if not ok:
            failures[0] += 1
            return
        viewers.append(viewer)
        await closed  # only the server closes or drops a socket before the end (a failure)
        failures[0] += 1

    tasks = [asyncio.create_task(one(i)) for i in range(count)]
    while not stop_evt.is_set():
        await asyncio.sleep(0.1)
    for viewer in viewers:
        viewer.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    out.send((timelines, failures[0]))
    out.close()


async def _viewers(urls, origin, count, ready, stop_evt, out, pattern):
    from websockets.asyncio.client import connect

    timelines = [[] for _ in range(count)]
    failures = [0]
    opening = asyncio.Semaphore(50)

    async def one(i):
        url = urls[i % len(urls)]
        try:
            async with opening:
                ws = await connect(url, origin=origin, compression=None, open_timeout=30)
        except Exception:
            failures[0] += 1
            with ready.get_lock():
                ready.value += 1
            return
        with ready.get_lock():
            ready.value += 1
        best = -1
        timeline = timelines[i]
        try:
            async for message in ws:
                raw = message if isinstance(message, bytes) else message.encode()
                match = pattern.search(raw)
                if match:
                    n = int(match.group(1))
                    if n > best:
                        best = n
                        timeline.append((time.monotonic(), n))
        except Exception:
            failures[0] += 1
        finally:
            await ws.close()

    tasks = [asyncio.create_task(one(i)) for i in range(count)]
    while not stop_evt.is_set():
        await asyncio.sleep(0.1)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    out.send((timelines, failures[0]))
    out.close()


# Casting (threads in this process) ------------------------------------------------------------


class Caster:
    def __init__(self, ports, process_projects, casts, rate, duration, threads=48):
        self.ports = ports
        self.projects = process_projects
        self.casts = casts
        self.rate = rate
        self.n = min(len(casts), int(rate * duration))
        self.results = [None] * self.n
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(max_workers=threads)
        self.csrf = secrets.token_hex(16)

    def _connection(self, port):
        connections = getattr(self.local, "connections", None)
        if connections is None:
            connections = self.local.connections = {}
        if port not in connections:
            connections[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        return connections[port]

    def cast(self, i):
        credential, token = self.casts[i]
        port = self.ports[i % len(self.ports)]
        body = json.dumps(
            {"token": token, "key": secrets.token_hex(16), "projects": [self.projects[i % 4]]}
        )
        headers = {
            "Content-Type": "application/json",
            "Cookie": f"pb_live_device={credential}; csrftoken={self.csrf}",
            "X-CSRFToken": self.csrf,
        }
        sent = time.monotonic()
        for attempt in range(2):
            connection = self._connection(port)
            try:
                connection.request("POST", "/budgeting/live/kiosk/cast/", body, headers)
                response = connection.getresponse()
                response.read()
                self.results[i] = (sent, time.monotonic(), response.status)
                return
            except (OSError, http.client.HTTPException):
                connection.close()
                self.local.connections.pop(port, None)
                if attempt:
                    self.results[i] = (sent, time.monotonic(), 0)

    def run(self):
        started = time.monotonic()
        futures = []
        for i in range(self.n):
            delay = started + i / self.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            futures.append(self.pool.submit(self.cast, i))
        for future in futures:
            future.result()
        self.pool.shutdown()
        return started


# One measured run ------------------------------------------------------------------------------


def measure(args, servers, seeded, casts, rate, duration, label):
    viewers = args.viewers
    origin = f"http://127.0.0.1:{servers.ports[0]}"
    urls = [f"ws://127.0.0.1:{p}/ws/live/processes/{seeded['process']}/" for p in servers.ports]
    ctx = mp.get_context("spawn")
    ready = ctx.Value("i", 0)
    start_evt, stop_evt = ctx.Event(), ctx.Event()
    procs, pipes = [], []
    per = [
        viewers // args.load_procs + (1 if i < viewers % args.load_procs else 0)
        for i in range(args.load_procs)
    ]
    for count in per:
        if not count:
            continue
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(
            target=viewer_process,
            args=(urls, origin, count, ready, start_evt, stop_evt, send, BALLOTS_RE),
            kwargs={"client": args.viewer_client},
        )
        proc.start()
        procs.append(proc)
        pipes.append(receive)
    deadline = time.monotonic() + 120
    while ready.value < viewers and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)  # every snapshot delivered
    base = count_ballots(seeded["process"])
    caster = Caster(servers.ports, seeded["projects"], casts, rate, duration)
    load_pids = [proc.pid for proc in procs] + [os.getpid()]
    cpu_before = (
        cpu_seconds(servers.pids()),
        cpu_seconds(postgres_pids(), reaped=True),
        os.getloadavg()[0],
        cpu_seconds(load_pids),
    )
    profilers = profile_start(args.profile, servers.pids(), duration, label)
    threads_before = thread_cpu(servers.pids())
    started = caster.run()
    threads_after = thread_cpu(servers.pids())
    cpu_after = (
        cpu_seconds(servers.pids()),
        cpu_seconds(postgres_pids(), reaped=True),
        cpu_seconds(load_pids),
    )
    cast_time = time.monotonic() - started
    profile_stop(profilers)
    by_role = thread_roles(servers.pids(), threads_before, threads_after) if args.profile else {}
    time.sleep(args.settle)
    stop_evt.set()
    timelines, viewer_failures = [], 0
    for pipe in pipes:
        got, failed = pipe.recv()
        timelines.extend(got)
        viewer_failures += failed
    for proc in procs:
        proc.join(timeout=30)

    acks = sorted(r[1] for r in caster.results if r and r[2] == 200)
    errors = sum(1 for r in caster.results if not r or r[2] != 200)
    in_db = count_ballots(seeded["process"]) - base
    lost = max(0, len(acks) - in_db)
    elapsed = (max(acks) - started) if acks else float("nan")
    sustained = len(acks) / elapsed if acks else 0.0
    latencies_all, pair_latencies, unseen = _latencies(acks, base, timelines)
    response_times = [r[1] - r[0] for r in caster.results if r and r[2] == 200]
    result = {
        "label": label,
        "rate": rate,
        "sustained": sustained,
        "acked": len(acks),
        "errors": errors,
        "lost": lost,
        "p50": percentile(latencies_all, 50) * 1000,
        "p95": percentile(latencies_all, 95) * 1000,
        "p99": percentile(latencies_all, 99) * 1000,
        "pair_p50": percentile(pair_latencies, 50) * 1000,
        "pair_p95": percentile(pair_latencies, 95) * 1000,
        "response_p50": percentile(response_times, 50) * 1000,
        "response_p95": percentile(response_times, 95) * 1000,
        "viewers": len(timelines) - viewer_failures,
        "viewer_failures": viewer_failures,
        "unseen_pairs": unseen,
        "messages_per_viewer": statistics.mean(len(t) for t in timelines) if timelines else 0,
        "server_cpu": (cpu_after[0] - cpu_before[0]) / cast_time,
        "postgres_cpu": (cpu_after[1] - cpu_before[1]) / cast_time,
        "server_ms_per_ballot": 1000 * (cpu_after[0] - cpu_before[0]) / max(1, len(acks)),
        "load_cpu": (cpu_after[2] - cpu_before[3]) / cast_time,
        "thread_ms_per_ballot": {
            role: 1000 * seconds / max(1, len(acks)) for role, seconds in by_role.items()
        },
        "load_before": cpu_before[2],
    }
    return result


def _latencies(acks, base, timelines):
    """Per acknowledged ballot k: the time until every viewer's count reached base + k."""
    import numpy as np

    if not acks:
        return [], [], 0
    acked = np.asarray(acks)
    targets = base + np.arange(1, len(acks) + 1)
    worst = np.zeros(len(acks))
    pairs, unseen = [], 0
    for timeline in timelines:
        if not timeline:
            worst[:] = np.inf
            unseen += len(acks)
            continue
        times = np.asarray([t for t, _n in timeline])
        counts = np.asarray([n for _t, n in timeline])
        index = np.searchsorted(counts, targets, side="left")
        seen = np.where(index < len(counts), times[np.minimum(index, len(times) - 1)], np.inf)
        latency = np.maximum(0.0, seen - acked)
        unseen += int(np.isinf(latency).sum())
        worst = np.maximum(worst, latency)
        pairs.append(latency[np.isfinite(latency)])
    flat = np.concatenate(pairs).tolist() if pairs else []
    return worst.tolist(), flat, unseen


def report(result):
    print(
        f"[{result['label']}] rate={result['rate']}/s sustained={result['sustained']:.1f}/s "
        f"acked={result['acked']} errors={result['errors']} lost={result['lost']} "
        f"viewers={result['viewers']} (failed {result['viewer_failures']})"
    )
    print(
        f"  every viewer saw it: p50={result['p50']:.0f} ms p95={result['p95']:.0f} ms "
        f"p99={result['p99']:.0f} ms | per (ballot, viewer): p50={result['pair_p50']:.0f} ms "
        f"p95={result['pair_p95']:.0f} ms | cast response p50={result['response_p50']:.0f} ms "
        f"p95={result['response_p95']:.0f} ms | "
        f"messages per viewer {result['messages_per_viewer']:.0f}"
    )
    print(
        f"  CPU while casting: servers {100 * result['server_cpu']:.0f}% of a core "
        f"({result['server_ms_per_ballot']:.1f} ms per ballot), PostgreSQL "
        f"{100 * result['postgres_cpu']:.0f}%, the benchmark's own sockets and casters "
        f"{100 * result['load_cpu']:.0f}%; load average before {result['load_before']:.1f}"
    )
    if result["thread_ms_per_ballot"]:
        roles = ", ".join(
            f"{role} {ms:.2f}"
            for role, ms in sorted(result["thread_ms_per_ballot"].items(), key=lambda r: -r[1])
        )
        print(f"  server CPU per ballot by thread (ms): {roles}")
    if result["unseen_pairs"]:
        print(f"  (ballot, viewer) pairs never seen: {result['unseen_pairs']}")
    sys.stdout.flush()


def migrate(env: dict) -> None:
    """Create the benchmark database's tables (``manage.py migrate`` with the servers' env)."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True
    )


def parse_service_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Add --database-url and --redis-url (loopback addresses only), then parse the command
    line: the benchmarks create and drop databases, never on another host."""
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    )
    args = parser.parse_args()
    for url in (args.database_url, args.redis_url):
        if urllib.parse.urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error(f"only loopback addresses: {url}")
    return args


def main():  # noqa: C901 - one flat list of command-line options
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200, help="ballots per second")
    parser.add_argument("--duration", type=float, default=30, help="seconds of casting")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--server", choices=["uvicorn", "daphne"], default="uvicorn")
    parser.add_argument(
        "--ws",
        default="auto",
        help="uvicorn's WebSocket implementation (auto, websockets, websockets-sansio, wsproto)",
    )
    parser.add_argument("--load-procs", type=int, default=2, help="viewer load processes")
    parser.add_argument(
        "--viewer-client",
        choices=["raw", "websockets"],
        default="raw",
        help="the viewers' WebSocket client: a minimal RFC 6455 one, or the websockets library's",
    )
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to wait after casting")
    parser.add_argument(
        "--find-max",
        action="store_true",
        help="after the main run, try rising rates (10 s each) for the best with p95 < 500 ms",
    )
    parser.add_argument("--quick", action="store_true", help="200 viewers, 10 s: a smoke run")
    parser.add_argument(
        "--window-ms", type=int, help="the coalescing window (PB_LIVE_COALESCE_MS) to serve with"
    )
    parser.add_argument(
        "--cast-threads", type=int, help="cast threads per server process (PB_LIVE_CAST_THREADS)"
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="sample each server process with py-spy while casting (collapsed stacks in DIR)",
    )
    args = parse_service_args(parser)
    if args.quick:
        args.viewers, args.duration = min(args.viewers, 200), min(args.duration, 10)
    if args.profile and not Path(sys.executable).with_name("py-spy").exists():
        parser.error("--profile needs py-spy in the virtualenv (requirements/dev.txt)")
    raise_open_files()

    name = f"pc_live_bench_{os.getpid()}"
    admin = admin_connection(args.database_url)
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    env = server_env(database_url_for(args.database_url, name), args.redis_url)
    if args.window_ms is not None:
        env["PB_LIVE_COALESCE_MS"] = str(args.window_ms)
    if args.cast_threads is not None:
        env["PB_LIVE_CAST_THREADS"] = str(args.cast_threads)
    os.environ.update(env)
    servers = None
    try:
        migrate(env)
        rates = [args.rate]
        if args.find_max:
            rates += list(FIND_MAX_RATES)
        total = int(args.rate * args.duration) + sum(int(r * 10) for r in rates[1:]) + 100
        print(f"seeding {total} checked-in voters, tablets and tokens…", flush=True)
        seeded = seed(total)
        servers = Servers(args.server, args.workers, env, ws=args.ws)
        servers.wait_ready()
        print(
            f"{args.server} with {args.workers} process(es) on {servers.ports}; "
            f"{args.viewers} viewers in {args.load_procs} load processes",
            flush=True,
        )
        casts = seeded["casts"]
        main_n = int(args.rate * args.duration)
        result = measure(args, servers, seeded, casts[:main_n], args.rate, args.duration, "main")
        report(result)
        memory = servers.memory()
        for pid, rss, hwm in memory:
            print(f"  server process {pid}: RSS {rss:.0f} MB (peak {hwm:.0f} MB)")
        best = None
        offset = main_n
        for rate in rates[1:]:
            n = int(rate * 10)
            trial = measure(
                args, servers, seeded, casts[offset : offset + n], rate, 10, f"find-max {rate}/s"
            )
            offset += n
            report(trial)
            if trial["p95"] < 500 and trial["lost"] == 0 and trial["sustained"] >= 0.9 * rate:
                best = trial
            else:
                break
        if result["p95"] < 500 and (best is None or result["sustained"] > best["sustained"]):
            best = result
        if args.find_max:
            if best is not None:
                print(
                    f"best rate with p95 < 500 ms: {best['sustained']:.0f} ballots/s "
                    f"(asked {best['rate']:.0f}/s, p95 {best['p95']:.0f} ms)"
                )
            else:
                print("best rate with p95 < 500 ms: none of the rates tried")
        print(
            f"ballots_per_s={result['sustained']:.0f} p95_ms={result['p95']:.0f} "
            f"viewers={result['viewers']} lost={result['lost']}"
        )
    finally:
        if servers is not None:
            servers.stop()
        from django.db import connections

        connections.close_all()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
