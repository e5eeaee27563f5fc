"""Races on PostgreSQL with real threads: the constraints and locks hold under load."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from budgeting import services
from budgeting.models import Ballot, Channel, Participation
from tests.budgeting.factories import key, process_create, project_create
from tests.citizens.factories import resident_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def race(*jobs):
    """Run the jobs at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            outcomes[i] = ("ok", job())
        except Exception as exc:
            outcomes[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def test_concurrent_casts_by_one_identity_make_one_participation():
    process = process_create(allow_ballot_change=False)
    project = project_create(process)
    voter = resident_create()
    outcomes = race(
        *[
            lambda: services.ballot_cast(
                user=voter, process=process, project_ids=[project.pk], idempotency_key=key()
            )
            for _ in range(THREADS)
        ]
    )
    oks = [o for kind, o in outcomes if kind == "ok"]
    errors = [o for kind, o in outcomes if kind == "error"]
    assert len(oks) == 1, outcomes
    assert all(isinstance(e, services.AlreadyVoted) for e in errors), errors
    assert Participation.objects.filter(process=process).count() == 1
    assert Ballot.objects.filter(process=process).count() == 1


def test_concurrent_changes_leave_exactly_one_counted_ballot():
    process = process_create()
    projects = [project_create(process) for _ in range(THREADS)]
    voter = resident_create()
    outcomes = race(
        *[
            lambda p=p: services.ballot_cast(
                user=voter, process=process, project_ids=[p.pk], idempotency_key=key()
            )
            for p in projects
        ]
    )
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert Participation.objects.count() == 1
    assert Ballot.objects.filter(state=Ballot.State.COUNTED).count() == 1
    assert Ballot.objects.count() == THREADS
    assert Participation.objects.get().ballot.state == Ballot.State.COUNTED


def test_the_same_submission_sent_concurrently_is_stored_once():
    process = process_create()
    project = project_create(process)
    voter = resident_create()
    k = key()
    outcomes = race(
        *[
            lambda: services.ballot_cast(
                user=voter, process=process, project_ids=[project.pk], idempotency_key=k
            )
            for _ in range(THREADS)
        ]
    )
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert sum(result.created for _kind, result in outcomes) == 1
    assert len({result.ballot.pk for _kind, result in outcomes}) == 1
    assert Ballot.objects.count() == 1 and Participation.objects.count() == 1


def test_online_cast_and_in_person_check_in_race_to_one_participation():
    process = process_create()
    project = project_create(process)
    voters = [resident_create() for _ in range(4)]
    jobs = []
    for voter in voters:
        jobs.append(
            lambda v=voter: services.ballot_cast(
                user=v, process=process, project_ids=[project.pk], idempotency_key=key()
            )
        )
        jobs.append(
            lambda v=voter: services.participation_register(
                process=process, census_record=v.census_record, channel=Channel.IN_PERSON
            )
        )
    outcomes = race(*jobs)
    for kind, outcome in outcomes:
        assert kind == "ok" or isinstance(outcome, ValidationError), outcome
    assert Participation.objects.count() == len(voters)
    for voter in voters:
        participation = Participation.objects.get(census_record=voter.census_record)
        counted = Ballot.objects.filter(state=Ballot.State.COUNTED, participation=participation)
        assert counted.count() == (1 if participation.channel == Channel.ONLINE else 0)
