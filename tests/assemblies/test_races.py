"""Capacity under concurrent registrations, on PostgreSQL with real threads."""

import pytest

from assemblies import services
from assemblies.models import Registration, RegistrationState
from tests.assemblies.factories import assembly_make, meeting_make
from tests.citizens.factories import user_create
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_people_register_at_once_for_five_seats():
    meeting = meeting_make(assembly_make(), capacity=5)
    people = [user_create() for _ in range(20)]
    results = run_together(*[lambda u=u: services.register(meeting, user=u) for u in people])
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    states = list(meeting.registrations.values_list("state", flat=True))
    assert states.count(RegistrationState.REGISTERED) == 5
    assert states.count(RegistrationState.WAITING) == 15


def test_cancellations_and_registrations_at_once_never_overfill():
    meeting = meeting_make(assembly_make(), capacity=3)
    seated = [services.register(meeting, user=user_create()) for _ in range(3)]
    waiting = [services.register(meeting, user=user_create()) for _ in range(3)]
    newcomers = [user_create() for _ in range(4)]
    results = run_together(
        *[lambda r=r: services.cancel_registration(r, by=r.user) for r in seated[:2]],
        *[lambda u=u: services.register(meeting, user=u) for u in newcomers],
    )
    assert not [r for r in results if isinstance(r, Exception)]
    registered = Registration.objects.filter(meeting=meeting, state="registered")
    assert registered.count() == 3
    # The freed seats went to the first people waiting, in order.
    assert set(registered.values_list("pk", flat=True)) == {
        seated[2].pk,
        waiting[0].pk,
        waiting[1].pk,
    }


def test_one_person_registering_twice_at_once_gets_one_registration():
    meeting = meeting_make(assembly_make(), capacity=5)
    person = user_create()
    results = run_together(*[lambda: services.register(meeting, user=person) for _ in range(4)])
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert meeting.registrations.count() == 1
