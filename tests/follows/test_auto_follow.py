"""Automatic follows (author, supporter, signatory, online voter) and what followers hear."""

import pytest

from budgeting import services as pb
from citizens.models import Notification
from follows.models import Follow
from follows.services import follow, is_following
from proposals import services as claims
from proposals.models import Claim
from tests.accords.factories import World
from tests.budgeting.factories import key, process_create, project_create
from tests.citizens.factories import officer_create, resident_create
from tests.proposals.factories import claim_in_state

pytestmark = pytest.mark.django_db


def test_the_author_of_a_claim_follows_it_automatically():
    author = resident_create()
    claim = claim_in_state(Claim.State.DRAFT, author=author)
    assert Follow.objects.get(user=author, object_id=claim.pk).auto is True


def test_a_supporter_follows_the_claim_and_manual_followers_hear_of_it(
    django_capture_on_commit_callbacks,
):
    claim = claim_in_state(Claim.State.CONSULTATION)
    reader, supporter = resident_create(), resident_create()
    follow(reader, claim)
    with django_capture_on_commit_callbacks(execute=True):
        claims.support_add(user=supporter, claim=claim)
    assert is_following(supporter, claim)
    assert Follow.objects.get(user=supporter, object_id=claim.pk).auto is True
    [note] = Notification.objects.filter(user=reader, verb="claim.supported")
    assert claim.title in note.message and note.kind == "claim"
    # The supporter is not told about their own support; the author (an automatic
    # follower) is not told either.
    assert not Notification.objects.filter(verb="claim.supported").exclude(user=reader).exists()


def test_manual_followers_hear_of_state_changes(django_capture_on_commit_callbacks):
    claim = claim_in_state(Claim.State.SUBMITTED)
    reader = resident_create()
    follow(reader, claim)
    with django_capture_on_commit_callbacks(execute=True):
        claims.claim_screening_start(actor=officer_create(), claim=claim)
    [note] = Notification.objects.filter(user=reader, verb="claim.screening_start")
    assert claim.title in note.message


def test_signatories_follow_the_accord():
    world = World()
    accord = world.active()
    assert is_following(world.rep, accord) and is_following(world.signatory, accord)


def test_an_online_voter_follows_the_process_without_the_ballot_being_read():
    process = process_create()
    project = project_create(process)
    voter = resident_create()
    pb.ballot_cast(user=voter, process=process, project_ids=[project.pk], idempotency_key=key())
    assert Follow.objects.get(user=voter, object_id=process.pk).auto is True
