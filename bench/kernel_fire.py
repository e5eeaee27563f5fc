"""The cost of a claim transition: `core.fsm.fire` against the old `move()` it replaced.

    python bench/kernel_fire.py [--n 300]

Creates a throw-away test database (SQLite unless DATABASE_URL is set), N submitted claims
and an officer, then fires "screening_start" on each claim N times in each of two ways, one
transaction per transition:

- old: what a service did before the kernel: the permission rule, then `move()` (check the
  state, set it, save, write the audit entry);
- fire: `core.fsm.fire` (lock the row again and re-read the state, check the state and the
  guard, ask the policy, save, audit, register the after-commit signal).

Prints the median time per transition and the queries each one runs. Not an assertion.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from audit.services import audit_log
        from citizens.models import Department, User
        from citizens.rules import Role, grant_role, is_officer
        from core.fsm import fire
        from proposals.models import Claim

        department = Department.objects.create(name="Bench", slug="bench")
        officer = User.objects.create_user(email="bench@example.org", department=department)
        grant_role(officer, Role.OFFICER)

        def claims(n):
            return [
                Claim.objects.create(
                    title=f"Claim {i}",
                    summary="s",
                    motivation="m",
                    objectives="o",
                    activities="a",
                    schedule="s",
                    intensity="occasional_care",
                    field="public_space",
                    resources_offered="r",
                    requested_duration_months=12,
                    location_address="Via Bench 1",
                    district="Centro",
                    state=Claim.State.SUBMITTED,
                )
                for i in range(n)
            ]

        def old_way(claim):
            # The services' permission rule, then move(): check, set, save, audit.
            if not is_officer(officer):
                raise PermissionError
            error = Claim.machine.error(claim, "screening_start")
            if error:
                raise ValueError(error)
            before = claim.state
            claim.state = Claim.machine["screening_start"].target
            claim.overdue_flagged_at = None
            claim.save(update_fields=["state", "due_at", "overdue_flagged_at", "updated_at"])
            audit_log(
                actor=officer,
                action="claim.screening_start",
                obj=claim,
                before={"state": before},
                after={"state": claim.state, "due_at": claim.due_at},
            )

        def new_way(claim):
            fire(claim, "screening_start", actor=officer, audit_after={"due_at": claim.due_at})

        ways = {"old move()": old_way, "fire()": new_way}
        for step, claim in zip(ways.values(), claims(2), strict=True):  # warm the caches
            with transaction.atomic():
                step(claim)
        timings = {label: ([], []) for label in ways}
        examples = {}
        # Interleaved, so that load on the machine weighs on both alike.
        for old_claim, new_claim in zip(claims(args.n), claims(args.n), strict=True):
            for (label, step), claim in zip(ways.items(), (old_claim, new_claim), strict=True):
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    with transaction.atomic():
                        step(claim)
                    timings[label][0].append(time.perf_counter() - start)
                timings[label][1].append(len(captured.captured_queries))
                examples[label] = [q["sql"].split(" ")[0] for q in captured.captured_queries]
        results = {
            label: (statistics.median(times) * 1000, statistics.median(queries))
            for label, (times, queries) in timings.items()
        }
        print(f"{connection.vendor}, {args.n} transitions each")
        for label, (ms, q) in results.items():
            print(f"{label:12} median {ms:6.3f} ms  queries {q:.0f}: {' '.join(examples[label])}")
        ratio = results["fire()"][0] / results["old move()"][0]
        print(f"fire/move time ratio: {ratio:.2f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
