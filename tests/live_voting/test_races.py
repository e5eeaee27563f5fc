"""Races on PostgreSQL with real threads: one person, one participation; one token, one ballot."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from budgeting import services as pb_services
from budgeting.live import services
from budgeting.live.models import BallotToken
from budgeting.models import Ballot, Channel, Participation
from tests.budgeting.factories import key, process_create, project_create
from tests.live_voting.factories import (
    checkin,
    facilitator_create,
    resident_with_document,
    session_make,
    tablet_make,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


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


@pytest.fixture
def process():
    return process_create(budget=100_000)


@pytest.fixture
def project(process):
    return project_create(process, cost=10_000)


def test_checked_in_at_two_sessions_and_voting_online_at_once_makes_one_participation(
    process, project
):
    facilitator = facilitator_create()
    first = session_make(process, facilitators=[facilitator])
    second = session_make(process, facilitators=[facilitator])
    for _round in range(3):
        voter, doc, birth = resident_with_document()
        jobs = [
            lambda s=s, d=doc, b=birth: services.checkin_create(
                actor=facilitator, session=s, document_id=d, birth_date=b
            )
            for s in (first, second)
        ]
        jobs.append(
            lambda v=voter: pb_services.ballot_cast(
                user=v, process=process, project_ids=[project.pk], idempotency_key=key()
            )
        )
        outcomes = race(*jobs)
        oks = [o for kind, o in outcomes if kind == "ok"]
        errors = [o for kind, o in outcomes if kind == "error"]
        assert len(oks) == 1, outcomes
        assert all(isinstance(e, ValidationError) for e in errors), errors
        participation = Participation.objects.get(census_record=voter.census_record)
        tokens = BallotToken.objects.filter(session__in=[first, second])
        if participation.channel == Channel.ONLINE:
            assert Ballot.objects.filter(participation=participation).count() == 1
        else:
            assert participation.session_id in (first.pk, second.pk)
        # A token exists only for a check-in that won; nothing half-done is left behind.
        expected_tokens = Participation.objects.filter(
            process=process, channel=Channel.IN_PERSON
        ).count()
        assert tokens.count() == expected_tokens
    assert Participation.objects.filter(process=process).count() == 3


def test_the_same_token_sent_twice_at_once_makes_one_ballot_and_two_successes(process, project):
    facilitator = facilitator_create()
    session = session_make(process, facilitators=[facilitator])
    tablet, _credential = tablet_make(session)
    _result, token = checkin(session, facilitator, tablet=tablet)
    k = key()
    outcomes = race(
        *[
            lambda: services.kiosk_cast(
                tablet=tablet, token=token, project_ids=[project.pk], idempotency_key=k
            )
            for _ in range(6)
        ]
    )
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert sum(result.created for _kind, result in outcomes) == 1
    assert Ballot.objects.filter(process=process).count() == 1
    assert BallotToken.objects.get().state == BallotToken.State.USED


def test_the_same_token_with_different_keys_at_once_pays_for_one_ballot(process, project):
    facilitator = facilitator_create()
    session = session_make(process, facilitators=[facilitator])
    tablet, _credential = tablet_make(session)
    _result, token = checkin(session, facilitator, tablet=tablet)
    outcomes = race(
        *[
            lambda: services.kiosk_cast(
                tablet=tablet, token=token, project_ids=[project.pk], idempotency_key=key()
            )
            for _ in range(6)
        ]
    )
    oks = [o for kind, o in outcomes if kind == "ok"]
    errors = [o for kind, o in outcomes if kind == "error"]
    assert len(oks) == 1 and oks[0].created
    assert {e.code for e in errors} == {"token_used"}
    assert Ballot.objects.filter(process=process).count() == 1


def test_a_replayed_submission_after_success_is_one_ballot_and_a_success(process, project):
    facilitator = facilitator_create()
    session = session_make(process, facilitators=[facilitator])
    tablet, _credential = tablet_make(session)
    _result, token = checkin(session, facilitator, tablet=tablet)
    k = key()
    first = services.kiosk_cast(
        tablet=tablet, token=token, project_ids=[project.pk], idempotency_key=k
    )
    outcomes = race(
        *[
            lambda: services.kiosk_cast(
                tablet=tablet, token=token, project_ids=[project.pk], idempotency_key=k
            )
            for _ in range(4)
        ]
    )
    assert first.created
    assert all(kind == "ok" and not result.created for kind, result in outcomes), outcomes
    assert Ballot.objects.filter(process=process).count() == 1


def test_two_facilitators_sending_voters_to_the_same_tablet_at_once(process):
    facilitator = facilitator_create()
    session = session_make(process, facilitators=[facilitator])
    tablet, _credential = tablet_make(session)
    outcomes = race(*[lambda: checkin(session, facilitator, tablet=tablet) for _ in range(4)])
    oks = [o for kind, o in outcomes if kind == "ok"]
    errors = [o for kind, o in outcomes if kind == "error"]
    assert len(oks) == 1 and {e.code for e in errors} == {"tablet_busy"}
    assert BallotToken.objects.filter(tablet=tablet, state=BallotToken.State.ISSUED).count() == 1
    assert Participation.objects.count() == 1
