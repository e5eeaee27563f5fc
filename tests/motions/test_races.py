"""One vote per member under concurrent casts from a phone, a room tablet and the web
(PostgreSQL, real threads)."""

import pytest
from django.core.exceptions import ValidationError

from assemblies.motions import services
from assemblies.motions.models import Participation, Vote
from tests.concurrency import run_together
from tests.motions.factories import motion_make, setup

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("secret", [False, True])
def test_phone_tablet_and_web_at_once_count_one_vote(secret):
    s = setup(members=1)
    member, chair = s["voters"][0], s["chair"]
    motion = motion_make(s["meeting"], chair, secret=secret)
    code = services.pairing_code(actor=chair, meeting=s["meeting"])
    tablet, credential = services.tablet_pair(code=code)
    services.token_issue(actor=chair, motion=motion, tablet=tablet, user=member)
    token = services.kiosk_state(tablet)["token"]["token"]

    results = run_together(
        lambda: services.vote_cast(actor=member, motion=motion, choice="yes"),  # phone
        lambda: services.tablet_cast(credential=credential, token=token, choice="no"),  # tablet
        lambda: services.vote_cast(actor=member, motion=motion, choice="abstain"),  # web
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 2, results
    assert all(isinstance(r, ValidationError) for r in refused), refused
    assert Participation.objects.filter(motion=motion).count() == 1
    assert Vote.objects.filter(motion=motion).count() == 1


def test_a_close_and_casts_at_once_never_count_a_vote_after_the_tally():
    s = setup(members=6, quorum=0)
    motion = motion_make(s["meeting"], s["chair"])
    calls = [
        (lambda v=v: services.vote_cast(actor=v, motion=motion, choice="yes")) for v in s["voters"]
    ]
    calls.append(lambda: services.motion_close(actor=s["chair"], motion=motion))
    run_together(*calls)
    motion.refresh_from_db()
    assert motion.is_closed
    assert motion.tally["voters"] == Participation.objects.filter(motion=motion).count()
    assert motion.tally["counts"].get("yes", 0) == Vote.objects.filter(motion=motion).count()


@pytest.mark.parametrize("rounds", range(3))
def test_open_and_discard_at_once_one_wins(rounds):
    """Both start from a draft in memory: the state is re-read under the row's lock, so one of
    them is refused and the motion is either open or discarded, never discarded while open."""
    from assemblies.motions.models import Motion

    s = setup(members=1)
    motion = motion_make(s["meeting"], s["chair"], open_it=False)
    a, b = Motion.objects.get(pk=motion.pk), Motion.objects.get(pk=motion.pk)
    results = run_together(
        lambda: services.motion_open(actor=s["chair"], motion=a),
        lambda: services.motion_discard(actor=s["chair"], motion=b),
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], ValidationError), results
    motion.refresh_from_db()
    assert motion.state in ("open", "discarded")
    assert (motion.opened_at is not None) == motion.is_open


@pytest.mark.parametrize("rounds", range(4))
def test_room_tablets_casting_while_the_chair_closes_never_deadlock(rounds):
    """A tablet's cast and the close lock the motion's row, then the tokens (the close voids
    the tokens still waiting): in the other order they deadlocked, and PostgreSQL killed one."""
    s = setup(members=4, quorum=0)
    chair = s["chair"]
    motion = motion_make(s["meeting"], chair)
    casts = []
    for member in s["voters"]:
        tablet, credential = services.tablet_pair(
            code=services.pairing_code(actor=chair, meeting=s["meeting"])
        )
        services.token_issue(actor=chair, motion=motion, tablet=tablet, user=member)
        token = services.kiosk_state(tablet)["token"]["token"]
        casts.append(
            lambda c=credential, t=token: services.tablet_cast(credential=c, token=t, choice="yes")
        )
    results = run_together(*casts, lambda: services.motion_close(actor=chair, motion=motion))
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, ValidationError) for r in errors), errors  # refusals, no deadlock
    motion.refresh_from_db()
    assert motion.is_closed
    assert motion.tally["voters"] == Participation.objects.filter(motion=motion).count()


def test_a_vote_does_not_wait_for_another_vote_in_flight():
    """Votes take a shared lock on the motion (one per member is the participation's unique
    constraint): a vote still in its transaction does not hold up the next one, while the
    close (FOR UPDATE) still waits for both."""
    import threading

    from django.db import connection, transaction

    s = setup(members=2, quorum=0)
    first, second = s["voters"]
    motion = motion_make(s["meeting"], s["chair"])
    holding, done, released = threading.Event(), threading.Event(), threading.Event()

    def slow_vote():
        try:
            with transaction.atomic():
                services._lock_open(motion.pk, shared=True)  # as vote_cast does, then waits
                holding.set()
                done.wait(timeout=5)
            released.set()
        finally:
            connection.close()

    def quick_vote():
        holding.wait(timeout=10)
        try:
            services.vote_cast(actor=second, motion=motion, choice="yes")
            return not released.is_set()  # finished while the first vote still held its lock
        finally:
            done.set()

    results = run_together(slow_vote, quick_vote)
    assert results[1] is True, results
    assert Participation.objects.filter(motion=motion, user=second).exists()
    assert not Participation.objects.filter(motion=motion, user=first).exists()
