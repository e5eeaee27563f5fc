"""A hybrid meeting under load: M members vote on one motion within S seconds (from their own
phones and from room tablets) while V viewers watch the tally.

    python bench/meeting_load.py [--members 300] [--within 10] [--viewers 1000] [--workers 2]
                                 [--tablet-share 0.5] [--quick] [--profile DIR]

Like bench/live_load.py (whose server, database and CPU helpers it uses): a fresh PostgreSQL
database (dropped at the end), production settings with Redis, N uvicorn workers. It seeds an
assembly with M voting members, an open hybrid meeting and one open motion; a share of the
members are checked in and each holds a room tablet with the one-time token the chair handed
it, the others vote online with their own logged-in session. Viewers follow
``ws/motions/meetings/<id>/`` (the projector's and members' group) from separate load
processes; votes go through the real endpoints (``POST /motions/kiosk/vote/`` with the device
cookie, ``POST /motions/<id>/vote/`` with the session cookie; CSRF both).

Latency of a vote: from its response to the moment *every* viewer has received a tally whose
"voters" includes it (the k-th acknowledged vote is seen once a viewer's count reaches k).
Lost votes: acknowledged but not in the database. The last line is machine-readable:
    votes_acked=<n> p95_ms=<n> viewers=<n> lost=<n>
"""

import argparse
import http.client
import multiprocessing as mp
import os
import re
import secrets
import statistics
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import live_load  # noqa: E402 - the shared helpers of the PB benchmark

VOTERS_RE = re.compile(rb'"voters":(\d+)')


# Seeding ---------------------------------------------------------------------------------------


def seed(members: int, tablet_share: float, tag: str = "") -> dict:
    """The meeting; ``tag`` tells the rows of several seeds in one database apart."""
    import django

    django.setup()
    import datetime as dt
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone

    from assemblies.models import (
        Assembly,
        AssemblyKind,
        CharterVersion,
        Meeting,
        MeetingKind,
        MeetingState,
        Membership,
        MembershipState,
        Registration,
        RegistrationState,
        Role,
    )
    from assemblies.motions import services
    from assemblies.motions.models import RoomTablet, VoteToken
    from citizens.models import User
    from live import broadcast, credentials

    broadcast.reset()
    now = timezone.now()
    assembly = Assembly.objects.create(
        name=f"Bench assembly{tag}", slug=f"bench-assembly{tag}", kind=AssemblyKind.THEMATIC
    )
    CharterVersion.objects.create(
        assembly=assembly, number=1, text="Bench.", quorum_percent=50, majority="simple"
    )
    users = User.objects.bulk_create(
        [
            User(email=f"member{i}{tag}@bench.invalid", display_name=f"Member {i}", password="!")  # noqa: S106 - unusable
            for i in range(members + 1)
        ],
        batch_size=1000,
    )
    chair, voters = users[0], users[1:]
    Membership.objects.bulk_create(
        [
            Membership(
                assembly=assembly,
                user=u,
                role=Role.COORDINATOR if u is chair else Role.MEMBER,
                state=MembershipState.ACTIVE,
            )
            for u in users
        ]
    )
    meeting = Meeting.objects.create(
        assembly=assembly,
        title="Bench meeting",
        kind=MeetingKind.HYBRID,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=3),
        state=MeetingState.OPEN,
        chair=chair,
    )
    in_room = int(len(voters) * tablet_share)
    Registration.objects.bulk_create(
        [
            Registration(
                meeting=meeting,
                user=u,
                state=RegistrationState.REGISTERED,
                checked_in_at=now if i < in_room else None,
            )
            for i, u in enumerate(voters)
        ]
    )
    motion = services.motion_create(actor=chair, meeting=meeting, title="Bench motion")
    services.motion_open(actor=chair, motion=motion)
    raw = [credentials.device_credential_new() for _ in range(in_room)]
    tablets = RoomTablet.objects.bulk_create(
        [
            RoomTablet(
                meeting=meeting,
                label=f"T{i}",
                credential_hash=credentials.device_credential_hash(c),
            )
            for i, c in enumerate(raw)
        ]
    )
    nonces = [credentials.token_nonce_new() for _ in range(in_room)]
    VoteToken.objects.bulk_create(
        [
            VoteToken(
                motion=motion,
                user=u,
                tablet=t,
                nonce=n,
                token_hash=credentials.token_hash(services.token_for(n)),
                issued_by=chair,
            )
            for u, t, n in zip(voters[:in_room], tablets, nonces, strict=True)
        ]
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = []
    for user in voters[in_room:]:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        sessions.append(session.session_key)
    casts = [("tablet", c, services.token_for(n)) for c, n in zip(raw, nonces, strict=True)]
    casts += [("phone", key, "") for key in sessions]
    rng = secrets.SystemRandom()
    rng.shuffle(casts)
    return {"meeting": meeting.pk, "motion": motion.pk, "casts": casts}


def count_votes(motion_id: int) -> int:
    from assemblies.motions.models import Participation

    return Participation.objects.filter(motion_id=motion_id).count()


# Viewers (separate processes) --------------------------------------------------------------


# Voting (threads in this process) -------------------------------------------------------------


class Voters:
    def __init__(self, ports, motion_id, casts, within, threads=48):
        self.ports, self.motion, self.casts = ports, motion_id, casts
        self.rate = len(casts) / within
        self.results = [None] * len(casts)
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

    def vote(self, i):
        kind, secret, token = self.casts[i]
        port = self.ports[i % len(self.ports)]
        if kind == "tablet":
            path = "/motions/kiosk/vote/"
            cookie = f"motions_device={secret}"
            body = urllib.parse.urlencode({"token": token, "choice": ("yes", "no")[i % 2]})
        else:
            path = f"/motions/{self.motion}/vote/"
            cookie = f"sessionid={secret}"
            body = urllib.parse.urlencode({"choice": ("yes", "no", "abstain")[i % 3]})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "Cookie": f"{cookie}; csrftoken={self.csrf}",
            "X-CSRFToken": self.csrf,
        }
        sent = time.monotonic()
        for attempt in range(2):
            connection = self._connection(port)
            try:
                connection.request("POST", path, body, headers)
                response = connection.getresponse()
                response.read()
                self.results[i] = (sent, time.monotonic(), response.status, kind)
                return
            except (OSError, http.client.HTTPException):
                connection.close()
                self.local.connections.pop(port, None)
                if attempt:
                    self.results[i] = (sent, time.monotonic(), 0, kind)

    def run(self):
        started = time.monotonic()
        futures = []
        for i in range(len(self.casts)):
            delay = started + i / self.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            futures.append(self.pool.submit(self.vote, i))
        for future in futures:
            future.result()
        self.pool.shutdown()
        return started


def measure(args, servers, seeded):
    origin = f"http://127.0.0.1:{servers.ports[0]}"
    urls = [f"ws://127.0.0.1:{p}/ws/motions/meetings/{seeded['meeting']}/" for p in servers.ports]
    ctx = mp.get_context("spawn")
    ready = ctx.Value("i", 0)
    start_evt, stop_evt = ctx.Event(), ctx.Event()
    procs, pipes = [], []
    per = [
        args.viewers // args.load_procs + (1 if i < args.viewers % args.load_procs else 0)
        for i in range(args.load_procs)
    ]
    for count in per:
        if not count:
            continue
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(
            target=live_load.viewer_process,
            args=(urls, origin, count, ready, start_evt, stop_evt, send, VOTERS_RE),
        )
        proc.start()
        procs.append(proc)
        pipes.append(receive)
    deadline = time.monotonic() + 120
    while ready.value < args.viewers and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    voters = Voters(servers.ports, seeded["motion"], seeded["casts"], args.within)
    load_pids = [proc.pid for proc in procs] + [os.getpid()]
    before = (
        live_load.cpu_seconds(servers.pids()),
        live_load.cpu_seconds(live_load.postgres_pids(), reaped=True),
        os.getloadavg()[0],
        live_load.cpu_seconds(load_pids),
    )
    profilers = live_load.profile_start(args.profile, servers.pids(), args.within, "meeting")
    threads_before = live_load.thread_cpu(servers.pids())
    started = voters.run()
    voting_time = time.monotonic() - started
    threads_after = live_load.thread_cpu(servers.pids())
    live_load.profile_stop(profilers)
    by_role = (
        live_load.thread_roles(servers.pids(), threads_before, threads_after)
        if args.profile
        else {}
    )
    after = (
        live_load.cpu_seconds(servers.pids()),
        live_load.cpu_seconds(live_load.postgres_pids(), reaped=True),
        live_load.cpu_seconds(load_pids),
    )
    time.sleep(args.settle)
    stop_evt.set()
    timelines, viewer_failures = [], 0
    for pipe in pipes:
        got, failed = pipe.recv()
        timelines.extend(got)
        viewer_failures += failed
    for proc in procs:
        proc.join(timeout=30)
    ok = [r for r in voters.results if r and r[2] == 200]
    acks = sorted(r[1] for r in ok)
    refused = [r for r in voters.results if not r or r[2] != 200]
    in_db = count_votes(seeded["motion"])
    latencies, pairs, unseen = live_load._latencies(acks, 0, timelines)
    return {
        "acked": len(acks),
        "by_kind": {k: sum(1 for r in ok if r[3] == k) for k in ("phone", "tablet")},
        "errors": len(refused),
        "statuses": sorted({r[2] for r in refused if r}),
        "lost": max(0, len(acks) - in_db),
        "in_db": in_db,
        "within": (max(acks) - started) if acks else float("nan"),
        "p50": live_load.percentile(latencies, 50) * 1000,
        "p95": live_load.percentile(latencies, 95) * 1000,
        "p99": live_load.percentile(latencies, 99) * 1000,
        "pair_p95": live_load.percentile(pairs, 95) * 1000,
        "response_p50": live_load.percentile([r[1] - r[0] for r in ok], 50) * 1000,
        "response_p95": live_load.percentile([r[1] - r[0] for r in ok], 95) * 1000,
        "viewers": len(timelines) - viewer_failures,
        "viewer_failures": viewer_failures,
        "unseen": unseen,
        "messages": statistics.mean(len(t) for t in timelines) if timelines else 0,
        "server_cpu": (after[0] - before[0]) / voting_time,
        "postgres_cpu": (after[1] - before[1]) / voting_time,
        "load_cpu": (after[2] - before[3]) / voting_time,
        "server_ms_per_vote": 1000 * (after[0] - before[0]) / max(1, len(acks)),
        "thread_ms_per_vote": {
            role: 1000 * seconds / max(1, len(acks)) for role, seconds in by_role.items()
        },
        "load_before": before[2],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--within", type=float, default=10, help="seconds for all the votes")
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tablet-share", type=float, default=0.5, help="share voting on tablets")
    parser.add_argument("--load-procs", type=int, default=2)
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--quick", action="store_true", help="100 members, 200 viewers")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="sample each server process with py-spy while voting (collapsed stacks in DIR)",
    )
    args = live_load.parse_service_args(parser)
    if args.quick:
        args.members, args.viewers = min(args.members, 100), min(args.viewers, 200)
    live_load.raise_open_files()
    name = f"pc_meeting_bench_{os.getpid()}"
    admin = live_load.admin_connection(args.database_url)
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    env = live_load.server_env(live_load.database_url_for(args.database_url, name), args.redis_url)
    os.environ.update(env)
    servers = None
    try:
        live_load.migrate(env)
        print(f"seeding {args.members} members, the meeting, tablets and sessions…", flush=True)
        seeded = seed(args.members, args.tablet_share)
        servers = live_load.Servers("uvicorn", args.workers, env)
        servers.wait_ready()
        print(
            f"uvicorn with {args.workers} process(es) on {servers.ports}; "
            f"{args.viewers} viewers in {args.load_procs} load processes",
            flush=True,
        )
        r = measure(args, servers, seeded)
        print(
            f"votes acknowledged {r['acked']} of {args.members} "
            f"(phones {r['by_kind']['phone']}, tablets {r['by_kind']['tablet']}) "
            f"in {r['within']:.1f} s; refused or failed {r['errors']} {r['statuses']}; "
            f"in the database {r['in_db']}; lost {r['lost']}"
        )
        print(
            f"  vote -> every screen: p50={r['p50']:.0f} ms p95={r['p95']:.0f} ms "
            f"p99={r['p99']:.0f} ms | per (vote, viewer) p95={r['pair_p95']:.0f} ms | "
            f"vote response p50={r['response_p50']:.0f} ms p95={r['response_p95']:.0f} ms | "
            f"viewers {r['viewers']} (failed {r['viewer_failures']}), "
            f"messages per viewer {r['messages']:.0f}"
        )
        print(
            f"  CPU while voting: servers {100 * r['server_cpu']:.0f}% of a core "
            f"({r['server_ms_per_vote']:.1f} ms per vote), PostgreSQL "
            f"{100 * r['postgres_cpu']:.0f}%, the benchmark's own load "
            f"{100 * r['load_cpu']:.0f}%; load average before {r['load_before']:.1f}"
        )
        if r["thread_ms_per_vote"]:
            roles = ", ".join(
                f"{role} {ms:.2f}"
                for role, ms in sorted(r["thread_ms_per_vote"].items(), key=lambda x: -x[1])
            )
            print(f"  server CPU per vote by thread (ms): {roles}")
        if r["unseen"]:
            print(f"  (vote, viewer) pairs never seen: {r['unseen']}")
        print(
            f"votes_acked={r['acked']} p95_ms={r['p95']:.0f} viewers={r['viewers']} "
            f"lost={r['lost']}"
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
