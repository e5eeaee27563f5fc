"""The server's own work per vote on a meeting's motion, without the load around it.

    python bench/motion_vote.py [--members 300] [--rounds 3] [--tablet-share 0.5]
                                [--profile FILE]

``bench/meeting_load.py`` measures the whole meeting (servers, viewers, PostgreSQL, the
benchmark's clients) on one shared machine, where p95 moves with everybody's load. This one
measures what the vote path costs the server, in CPU time of this process (which is not
changed by other processes' load as much as wall time): a fresh PostgreSQL database (dropped
at the end) seeded as the meeting benchmark seeds it (an open hybrid meeting, one open motion,
a share of the members on room tablets holding their token, the others logged in), production
settings with Redis, and each vote run through the live fast path's handler
(``live.fastpath.FastHandler`` with ``config.asgi.FAST_ROUTES``, in a vote pool call as the
server runs it): the whole middleware chain, CSRF, the view, the service and the commit with
its live mark. No server, no sockets: the request is built in this process.

Printed per kind of vote (phone: ``POST /motions/<id>/vote/``, tablet:
``POST /motions/kiosk/vote/``): database queries per vote (counted on the first votes),
CPU ms per vote (median and mean over the rounds; each round seeds a new motion), and the
share of it spent under the view (the rest is Django's request chain); then the meeting's
snapshot (what the broadcaster builds once per window for the viewers), its queries and CPU
with the round's votes in the database. With --profile,
cProfile stats of the timed votes go to FILE. The last line is machine-readable:
    phone_queries=<n> tablet_queries=<n> phone_cpu_ms=<x> tablet_cpu_ms=<x>
    snapshot_queries=<n> snapshot_cpu_ms=<x>
"""

import argparse
import cProfile
import os
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import live_load  # noqa: E402 - the shared helpers of the PB benchmark
import meeting_load  # noqa: E402 - the meeting benchmark's seed


def _requests(seeded, csrf):
    from django.test import RequestFactory

    factory = RequestFactory(HTTP_HOST="127.0.0.1")
    out = []
    for i, (kind, secret, token) in enumerate(seeded["casts"]):
        if kind == "tablet":
            path = "/motions/kiosk/vote/"
            data = {"token": token, "choice": ("yes", "no")[i % 2]}
            cookie = f"motions_device={secret}"
        else:
            path = f"/motions/{seeded['motion']}/vote/"
            data = {"choice": ("yes", "no", "abstain")[i % 3]}
            cookie = f"sessionid={secret}"
        body = urllib.parse.urlencode(data)
        out.append(
            (
                kind,
                lambda path=path, body=body, cookie=cookie: factory.generic(
                    "POST",
                    path,
                    body,
                    content_type="application/x-www-form-urlencoded",
                    HTTP_ACCEPT="application/json",
                    HTTP_COOKIE=f"{cookie}; csrftoken={csrf}",
                    HTTP_X_CSRFTOKEN=csrf,
                ),
            )
        )
    return out


def run_round(args, handler, profiler, counted: int, tag: str) -> dict:
    import secrets

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assemblies.motions import views as motion_views

    seeded = meeting_load.seed(args.members, args.tablet_share, tag)
    requests = _requests(seeded, secrets.token_hex(16))
    cpu = {"phone": [], "tablet": []}
    view_cpu = {"phone": [], "tablet": []}
    queries = {"phone": [], "tablet": []}
    failures = 0

    in_view = [0.0]
    cast = motion_views._cast

    def timed_cast(*a, **kw):
        start = time.process_time()
        try:
            return cast(*a, **kw)
        finally:
            in_view[0] += time.process_time() - start

    motion_views._cast = timed_cast
    try:
        for n, (kind, build) in enumerate(requests):
            request = build()
            if n < counted:
                with CaptureQueriesContext(connection) as captured:
                    response = handler(request)
                    response.close()
                queries[kind].append(len(captured))
                if args.show_queries and len(queries[kind]) == 1:
                    print(f"  {kind} vote, {len(captured)} queries:")
                    for q in captured.captured_queries:
                        print(f"    {q['sql'][:300]}")
            else:
                in_view[0] = 0.0
                if profiler:
                    profiler.enable()
                start = time.process_time()
                response = handler(request)
                response.close()
                elapsed = time.process_time() - start
                if profiler:
                    profiler.disable()
                cpu[kind].append(elapsed)
                view_cpu[kind].append(in_view[0])
            if response.status_code != 200:
                failures += 1
                if failures < 5:
                    print(f"  {kind}: {response.status_code} {response.content[:200]!r}")
    finally:
        motion_views._cast = cast
    # The tally every viewer gets: the meeting's snapshot, built once per window.
    from assemblies.motions import live

    with CaptureQueriesContext(connection) as captured:
        live.meeting_snapshot(seeded["meeting"])
    snapshot_cpu = []
    for _ in range(args.snapshots):
        start = time.process_time()
        live.meeting_snapshot(seeded["meeting"])
        snapshot_cpu.append(time.process_time() - start)
    return {
        "cpu": cpu,
        "view_cpu": view_cpu,
        "queries": queries,
        "failures": failures,
        "snapshot_cpu": snapshot_cpu,
        "snapshot_queries": len(captured),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tablet-share", type=float, default=0.5)
    parser.add_argument("--counted", type=int, default=20, help="votes whose queries are counted")
    parser.add_argument("--profile", metavar="FILE", help="cProfile stats of the timed votes")
    parser.add_argument("--snapshots", type=int, default=100, help="snapshots timed a round")
    parser.add_argument("--show-queries", action="store_true", help="print one vote's SQL")
    args = live_load.parse_service_args(parser)
    name = f"pc_motion_vote_bench_{os.getpid()}"
    admin = live_load.admin_connection(args.database_url)
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    env = live_load.server_env(live_load.database_url_for(args.database_url, name), args.redis_url)
    os.environ.update(env)
    try:
        live_load.migrate(env)
        import django

        django.setup()
        from django.urls import get_resolver
        from django.utils.module_loading import import_string

        from config.asgi import FAST_ROUTES
        from live.fastpath import FastHandler, url_patterns, vote_pool_call

        patterns = url_patterns(get_resolver())
        views = {
            name: (import_string(view) if isinstance(view, str) else view or patterns[name][1])
            for name, view in FAST_ROUTES.items()
        }
        handler = vote_pool_call(FastHandler(views).get_response)
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        cpu = {"phone": [], "tablet": []}
        view_cpu = {"phone": [], "tablet": []}
        queries = {"phone": [], "tablet": []}
        failures = 0
        snapshot_cpu, snapshot_queries = [], 0
        for r in range(args.rounds):
            got = run_round(args, handler, profiler, args.counted if r == 0 else 0, f"-{r}")
            failures += got["failures"]
            snapshot_cpu += got["snapshot_cpu"]
            snapshot_queries = got["snapshot_queries"]
            for kind in cpu:
                cpu[kind] += got["cpu"][kind]
                view_cpu[kind] += got["view_cpu"][kind]
                queries[kind] += got["queries"][kind]
        if profiler:
            profiler.dump_stats(args.profile)
        print(
            f"{args.rounds} round(s) of {args.members} votes, {args.tablet_share:.0%} on "
            f"tablets; failed {failures}; load average {os.getloadavg()[0]:.1f}"
        )
        line = {}
        for kind in ("phone", "tablet"):
            ms = [1000 * s for s in cpu[kind]]
            in_view = [1000 * s for s in view_cpu[kind]]
            counts = sorted(set(queries[kind]))
            line[f"{kind}_queries"] = max(queries[kind]) if queries[kind] else 0
            line[f"{kind}_cpu_ms"] = statistics.median(ms) if ms else float("nan")
            print(
                f"  {kind}: queries per vote {counts}; CPU per vote median "
                f"{statistics.median(ms):.2f} ms, mean {statistics.fmean(ms):.2f} ms "
                f"({len(ms)} votes); in the view {statistics.median(in_view):.2f} ms (median)"
            )
        snapshot_ms = statistics.median(snapshot_cpu) * 1000 if snapshot_cpu else float("nan")
        print(
            f"  the meeting's snapshot (the viewers' tally, once per window): {snapshot_queries} "
            f"queries, CPU median {snapshot_ms:.2f} ms ({len(snapshot_cpu)} builds)"
        )
        print(
            f"phone_queries={line['phone_queries']} tablet_queries={line['tablet_queries']} "
            f"phone_cpu_ms={line['phone_cpu_ms']:.2f} tablet_cpu_ms={line['tablet_cpu_ms']:.2f}"
        )
    finally:
        from django.db import connections

        connections.close_all()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
