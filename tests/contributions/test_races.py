"""Sign-ups at once on PostgreSQL with real threads: the shift's row lock keeps the count."""

import pytest

from contributions import services
from contributions.models import Signup
from tests.citizens.factories import resident_create
from tests.concurrency import run_together
from tests.contributions.factories import active_world, shift_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_more_people_than_places_at_once_fill_the_shift_exactly():
    world = active_world()
    shift = shift_create(world, slots=2)
    people = [resident_create() for _ in range(5)]
    results = run_together(*(lambda u=u: services.sign_up(actor=u, shift=shift) for u in people))
    taken = [r for r in results if isinstance(r, Signup)]
    refused = [r for r in results if not isinstance(r, Signup)]
    assert len(taken) == 2, results
    assert all("full" in str(r) for r in refused), refused
    assert Signup.objects.filter(shift=shift).count() == 2


def test_the_same_person_twice_at_once_signs_up_once():
    world = active_world()
    shift = shift_create(world, slots=5)
    results = run_together(
        lambda: services.sign_up(actor=world.outsider, shift=shift),
        lambda: services.sign_up(actor=world.outsider, shift=shift),
    )
    assert sum(isinstance(r, Signup) for r in results) == 1, results
    assert Signup.objects.filter(shift=shift).count() == 1
