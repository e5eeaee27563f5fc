"""follow / unfollow / is_following / followers_of, and the registry."""

import pytest
from django.core.exceptions import ValidationError

from follows import services
from follows.models import Follow
from proposals.models import Claim
from tests.citizens.factories import resident_create
from tests.proposals.factories import claim_in_state, resource_create

pytestmark = pytest.mark.django_db


def test_follow_is_idempotent_and_unfollow_removes_it():
    claim = claim_in_state(Claim.State.SUBMITTED)
    reader = resident_create()
    assert not services.is_following(reader, claim)
    first = services.follow(reader, claim)
    again = services.follow(reader, claim)
    assert first.pk == again.pk
    assert services.is_following(reader, claim)
    assert reader in services.followers_of(claim)
    assert services.unfollow(reader, claim) is True
    assert services.unfollow(reader, claim) is False
    assert not services.is_following(reader, claim)


def test_manual_follow_upgrades_an_automatic_one_never_the_reverse():
    claim = claim_in_state(Claim.State.SUBMITTED)
    reader = resident_create()
    assert services.follow(reader, claim, auto=True).auto is True
    assert services.follow(reader, claim).auto is False
    assert services.follow(reader, claim, auto=True).auto is False
    assert Follow.objects.filter(user=reader).count() == 1


def test_followers_of_lists_only_active_users():
    claim = claim_in_state(Claim.State.SUBMITTED)
    active, gone = resident_create(), resident_create()
    services.follow(active, claim)
    services.follow(gone, claim)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    followers = set(services.followers_of(claim))
    assert active in followers and gone not in followers


def test_an_unregistered_model_cannot_be_followed():
    with pytest.raises(ValidationError):
        services.follow(resident_create(), resource_create())


def test_anonymous_follows_nothing():
    from django.contrib.auth.models import AnonymousUser

    claim = claim_in_state(Claim.State.SUBMITTED)
    assert services.is_following(AnonymousUser(), claim) is False
