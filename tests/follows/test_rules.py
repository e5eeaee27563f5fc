"""The follows policy, as a matrix generated from its table: every action × actor × target,
and the queryset twin agrees with `allows` for the actions on a Follow."""

import pytest
from django.contrib.auth.models import AnonymousUser

from follows.models import Follow
from follows.rules import FOLLOWS
from follows.services import follow
from proposals.models import Claim
from tests.citizens.factories import officer_create, resident_create
from tests.proposals.factories import claim_in_state

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "follower", "other resident", "officer", "draft author")
# action -> actor -> (on a public claim, on someone else's draft)
EXPECTED = {
    "follow": {
        "anonymous": (False, False),
        "follower": (True, False),
        "other resident": (True, False),
        "officer": (True, False),
        "draft author": (True, True),
    },
}
# action on the Follow object -> actors allowed
ON_FOLLOW = {"unfollow": {"follower"}, "view": {"follower"}}


@pytest.fixture
def world():
    author = resident_create()
    people = {
        "anonymous": AnonymousUser(),
        "follower": resident_create(),
        "other resident": resident_create(),
        "officer": officer_create(),
        "draft author": author,
    }
    public = claim_in_state(Claim.State.CONSULTATION)
    draft = claim_in_state(Claim.State.DRAFT, author=author)
    return people, public, draft, follow(people["follower"], public)


def test_the_table_covers_every_action():
    assert set(FOLLOWS.rules) == set(EXPECTED) | set(ON_FOLLOW)


def test_follow_matrix(world):
    people, public, draft, _f = world
    for actor in ACTORS:
        got = tuple(bool(FOLLOWS.allows(people[actor], "follow", t)) for t in (public, draft))
        assert got == EXPECTED["follow"][actor], actor


@pytest.mark.parametrize("action", sorted(ON_FOLLOW))
def test_actions_on_a_follow_match_their_queryset_twin(world, action):
    people, _public, _draft, the_follow = world
    for actor in ACTORS:
        user = people[actor]
        allowed = bool(FOLLOWS.allows(user, action, the_follow))
        assert allowed == (actor in ON_FOLLOW[action]), (action, actor)
        listed = FOLLOWS.queryset(user, action, Follow.objects.all())
        assert listed.filter(pk=the_follow.pk).exists() == allowed, (action, actor)
