"""Assemblies and meetings in the follows app: followable, the button on their pages,
automatic follows (registration, active membership, accord community), what followers hear
when a meeting is cancelled or its minutes are published, and My registrations."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assemblies import services as assemblies
from assemblies.models import Assembly, RegistrationState
from citizens.models import Notification
from follows.activity import registrations_of
from follows.models import Follow
from follows.registry import is_followable
from follows.services import follow, followers_of, is_following, target_key
from tests.assemblies.factories import (
    accord_comes_into_force,
    assembly_make,
    meeting_make,
    registration_make,
)
from tests.citizens.factories import user_create

pytestmark = pytest.mark.django_db


def test_assemblies_and_meetings_are_followable():
    assert is_followable(Assembly)
    assembly = assembly_make()
    assert is_followable(meeting_make(assembly))


def test_the_assembly_and_meeting_pages_have_a_follow_button(client):
    assembly = assembly_make()
    meeting = meeting_make(assembly)
    reader = user_create()
    client.force_login(reader)
    for obj in (assembly, meeting):
        page = client.get(obj.get_absolute_url()).content.decode()
        assert 'data-testid="follow-form"' in page, obj
        label = obj._meta.label_lower
        response = client.post(
            f"/follow/{label}/{obj.pk}/", {"action": "follow", "next": obj.get_absolute_url()}
        )
        assert response.status_code == 302, obj
        assert is_following(reader, obj), obj


def _auto_follow(user, obj) -> bool:
    return Follow.objects.filter(user=user, auto=True, **target_key(obj)).exists()


def test_registering_follows_the_meeting_and_joining_follows_the_assembly():
    coordinator, person = user_create(), user_create()
    assembly = assembly_make(coordinators=[coordinator])
    meeting = meeting_make(assembly, capacity=1)
    waiting = user_create()
    assemblies.register(meeting, user=person)
    assemblies.register(meeting, user=waiting)  # the waiting list
    for user in (person, waiting):
        assert _auto_follow(user, meeting)
    assemblies.join(assembly, user=person)
    assert _auto_follow(person, assembly)
    # The coordinator (an active member from the start) follows too; a request does not.
    assert is_following(coordinator, assembly)
    closed = assembly_make(policy="request", coordinators=[coordinator])
    membership = assemblies.request_membership(closed, user=waiting)
    assert not is_following(waiting, closed)
    assemblies.accept_membership(membership, by=coordinator)
    assert is_following(waiting, closed)


def test_the_members_of_an_accord_community_follow_it(django_capture_on_commit_callbacks):
    resident = user_create()
    with django_capture_on_commit_callbacks(execute=True):
        accord = accord_comes_into_force(residents=[resident])
    assert is_following(resident, Assembly.objects.get(accord=accord))


def test_followers_hear_when_a_meeting_is_cancelled_or_its_minutes_published(
    django_capture_on_commit_callbacks,
):
    coordinator, reader, registrant = user_create(), user_create(), user_create()
    assembly = assembly_make(coordinators=[coordinator])
    cancelled, held = meeting_make(assembly), meeting_make(assembly)
    follow(reader, cancelled)
    follow(reader, held)
    assemblies.register(cancelled, user=registrant)  # an automatic follower
    # The registrant follows something else by hand: still an automatic follower of this one.
    follow(registrant, assembly)
    with django_capture_on_commit_callbacks(execute=True):
        assemblies.cancel_meeting(cancelled, by=coordinator, reason="The hall is flooded")
    [note] = Notification.objects.filter(user=reader, verb="assembly.cancel")
    assert cancelled.title in note.message and note.kind == "assembly"
    assert note.url == cancelled.get_absolute_url()
    # The registrant hears it once, from the meeting's own notice to registrants.
    assert list(Notification.objects.filter(user=registrant).values_list("verb", flat=True)) == [
        "assembly.meeting_cancelled"
    ]
    assert not Notification.objects.filter(user=coordinator, verb="assembly.cancel").exists()

    with django_capture_on_commit_callbacks(execute=True):
        assemblies.open_meeting(held, by=coordinator)
        assemblies.close_meeting(held, by=coordinator)
        assemblies.publish_minutes(held, by=coordinator)
    verbs = set(Notification.objects.filter(user=reader).values_list("verb", flat=True))
    assert {"assembly.open", "assembly.close", "assembly.publish_minutes"} <= verbs


def test_manual_only_followers_are_matched_on_the_same_follow():
    assembly = assembly_make()
    meeting = meeting_make(assembly)
    person = user_create()
    registration_make(meeting, person)  # follows the meeting automatically
    follow(person, assembly)  # and the assembly by hand
    assert person in followers_of(meeting)
    assert person not in followers_of(meeting, manual_only=True)
    assert person in followers_of(assembly, manual_only=True)


def test_my_registrations_lists_live_ones_with_their_state(client):
    person = user_create()
    assembly = assembly_make()
    seat, wait, door, gone = (meeting_make(assembly, title=t) for t in "ABCD")
    registration_make(seat, person)
    registration_make(wait, person, state=RegistrationState.WAITING)
    from django.utils import timezone

    registration_make(door, person, checked_in_at=timezone.now())
    registration_make(gone, person, state=RegistrationState.CANCELLED)
    section = registrations_of(person)
    assert {r.meeting.title for r in section["items"]} == {"A", "B", "C"}
    client.force_login(person)
    page = client.get("/me/activity/").content.decode()
    assert page.count('data-testid="activity-registration"') == 3
    assert seat.get_absolute_url() in page and gone.get_absolute_url() not in page
    assert "On the waiting list" in page and "Checked in" in page and "Registered" in page


def _activity_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/me/activity/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_my_activity_costs_the_same_with_1_and_8_registrations(client):
    person = user_create()
    client.force_login(person)
    assembly = assembly_make()
    registration_make(meeting_make(assembly), person)
    _activity_queries(client)  # warm the caches
    few = _activity_queries(client)
    for _i in range(7):
        registration_make(meeting_make(assembly_make()), person)
    assert _activity_queries(client) == few
