"""What a city officer waits for: counting 90,494 ballots stored in PostgreSQL, then publishing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_bench python bench/pb_process.py \
        [--file PATH] [--requests 200] [--keepdb]

Imports ``Poland_Lodz_2022.pb`` through the project's own import (``process_import``: every
ballot validated, stored as Ballot + BallotSelection rows, then PostgreSQL's statistics
refreshed) into a fresh test database
(``test_<name>``; ``--keepdb`` keeps it, and the imported process, for the next run). Then it
times, separately:

* ``load``: the counted ballots loaded for counting (``results.tallies``: one aggregated query,
  identical ballots grouped in PostgreSQL and shared as index tuples, no model instance per
  ballot);
* each rule on the loaded election: greedy (the file's rule, with its 100-vote threshold) and MES
  with Add1 and greedy completion;
* ``store``: the result and one explanation line per project, in bulk;
* ``publish``: ``result_publish`` (checks, state change, audit, notifications);
* ``close->published``: the officer's whole path, ``result_compute`` + ``result_publish``, for
  each rule (the process is put back to "voting closed" in between);
* the public results page and the results API: p50 / p95 over ``--requests`` requests each,
  served in-process by Django's test client (server time, no network).

The last line is machine-readable:

    pb_process close_to_published=<s> results_page_p95_ms=<ms> api_p95_ms=<ms>

It needs PostgreSQL (``DATABASE_URL``); it is not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
TITLE = "bench: Łódź 2022"


def default_file() -> Path:
    folder = os.environ.get("PABULIB_DIR")
    base = Path(folder) if folder else REPO_ROOT.parent / "shared" / "data" / "pabulib"
    return base / "Poland_Lodz_2022.pb"


def timed(label: str, fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    print(f"{label:28s} {seconds:8.3f} s")
    return value, seconds


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
    return statistics.median(ordered), p95


def under_load(client, url: str, n: int) -> tuple[float, float]:
    client.get(url)  # warm the caches, as a server that has been up does
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - start)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
    return percentiles(samples)


def officer():
    from citizens.models import Department, User
    from citizens.rules import Role, grant_role

    department, _ = Department.objects.get_or_create(
        slug="bench", defaults={"name": "Bench department"}
    )
    user, created = User.objects.get_or_create(
        email="bench-officer@example.org",
        defaults={"display_name": "Bench officer", "department": department},
    )
    if created:
        grant_role(user, Role.OFFICER)
    return user


def reset(process) -> None:
    """Back to "voting closed" with no results, as right after closing the vote."""
    from budgeting.models import Process

    process.results.all().delete()
    Process.objects.filter(pk=process.pk).update(state=Process.State.COUNTING)
    process.refresh_from_db()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=None)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keepdb", action="store_true", help="keep the database for next time")
    args = parser.parse_args()
    path = args.file or default_file()
    if not path.is_file():
        sys.exit(f"no such file: {path} (use --file or PABULIB_DIR)")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL=postgres://... (this benchmark measures PostgreSQL)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keepdb)
    try:
        run(path, args, Client())
    finally:
        if not args.keepdb:
            connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)


def run(path: Path, args, client) -> None:
    from budgeting import results, services
    from budgeting.models import Process
    from budgeting.pabulib_io import process_import

    process = Process.objects.filter(title=TITLE).first()
    if process is None:
        report, _ = timed("import (once, --keepdb)", process_import, data=path.read_bytes())
        process = report.process
        Process.objects.filter(pk=process.pk).update(title=TITLE)
        process.refresh_from_db()
    print(f"process {process.pk}: {process.ballots.count()} ballots, min_votes={process.min_votes}")
    actor = officer()

    reset(process)
    tallies, load = timed("load ballots (1 query)", results.tallies, process)
    print(f"  {len(tallies[0].ballots)} ballots, {len(set(tallies[0].ballots))} distinct")
    rules = {
        "greedy": {"result_rule": Process.ResultRule.GREEDY},
        "mes": {
            "result_rule": Process.ResultRule.MES,
            "mes_add1_variant": Process.Add1Variant.PABUTOOLS,
            "mes_completion": Process.Completion.GREEDY,
        },
    }
    totals = {}
    for name, fields in rules.items():
        for field, value in fields.items():
            setattr(process, field, value)
        Process.objects.filter(pk=process.pk).update(**fields)
        computed, _ = timed(f"rule {name}", results.outcomes_compute, process, tallies)
        timed(f"store {name} (bulk)", results.results_store, process=process, computed=computed)
        _, publish = timed(f"publish {name}", services.result_publish, actor=actor, process=process)
        reset(process)
        start = time.perf_counter()
        services.result_compute(actor=actor, process=process)
        services.result_publish(actor=actor, process=process)
        totals[name] = time.perf_counter() - start
        print(f"{'close->published ' + name:28s} {totals[name]:8.3f} s")
        if name != "mes":
            reset(process)

    page = f"/budgeting/{process.pk}/results/"
    api = f"/api/processes/{process.pk}/results"
    page_p50, page_p95 = under_load(client, page, args.requests)
    api_p50, api_p95 = under_load(client, api, args.requests)
    print(f"results page: p50 {1000 * page_p50:.1f} ms, p95 {1000 * page_p95:.1f} ms")
    print(f"results API:  p50 {1000 * api_p50:.1f} ms, p95 {1000 * api_p95:.1f} ms")
    worst = max(totals.values())
    print(
        f"pb_process close_to_published={worst:.3f} results_page_p95_ms={1000 * page_p95:.1f} "
        f"api_p95_ms={1000 * api_p95:.1f}"
    )


if __name__ == "__main__":
    main()
