"""Assemblies and meetings carry comments: who may write (the assemblies' policy), the thread
on their pages, and a meeting page that costs the same with 5 and 50 comments."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assemblies.models import MeetingState, RegistrationState
from comments import services
from tests.assemblies.factories import assembly_make, meeting_make, registration_make
from tests.citizens.factories import user_create
from tests.comments.factories import comment_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    coordinator, member, outsider, registrant = (user_create() for _i in range(4))
    assembly = assembly_make(coordinators=[coordinator], members=[member])
    meeting = meeting_make(assembly)
    registration_make(meeting, registrant)
    return {
        "coordinator": coordinator,
        "member": member,
        "outsider": outsider,
        "registrant": registrant,
        "assembly": assembly,
        "meeting": meeting,
    }


def test_members_comment_on_their_assembly_outsiders_do_not(world):
    assembly = world["assembly"]
    for who in ("coordinator", "member"):
        comment = services.comment_post(author=world[who], target=assembly, body=f"From {who}")
        assert comment.object_id == assembly.pk
    for who in ("outsider", "registrant"):
        with pytest.raises(PermissionDenied, match="assembly's members"):
            services.comment_post(author=world[who], target=assembly, body="Hello")


def test_registrants_and_members_comment_on_a_meeting_until_it_is_cancelled(world):
    meeting = world["meeting"]
    for who in ("registrant", "member", "coordinator"):
        services.comment_post(author=world[who], target=meeting, body=f"From {who}")
    with pytest.raises(PermissionDenied):
        services.comment_post(author=world["outsider"], target=meeting, body="Hello")
    waiting = user_create()
    registration_make(meeting, waiting, state=RegistrationState.CANCELLED)
    with pytest.raises(PermissionDenied):
        services.comment_post(author=waiting, target=meeting, body="Hello")
    type(meeting).objects.filter(pk=meeting.pk).update(state=MeetingState.CANCELLED)
    meeting.refresh_from_db()
    with pytest.raises((PermissionDenied, ValidationError), match="cancelled"):
        services.comment_post(author=world["member"], target=meeting, body="Still there?")


def test_the_pages_show_the_thread_and_the_form(client, world):
    comment_make(world["assembly"], world["member"], "On the charter")
    comment_make(world["meeting"], world["registrant"], "Is there a ramp?")
    client.force_login(world["member"])
    page = client.get(world["assembly"].get_absolute_url()).content.decode()
    assert "On the charter" in page
    assert 'action="/comments/on/assemblies.assembly/' in page
    page = client.get(world["meeting"].get_absolute_url()).content.decode()
    assert "Is there a ramp?" in page
    assert 'action="/comments/on/assemblies.meeting/' in page
    # An outsider reads the thread, without the form.
    client.force_login(world["outsider"])
    page = client.get(world["meeting"].get_absolute_url()).content.decode()
    assert "Is there a ramp?" in page
    assert 'action="/comments/on/assemblies.meeting/' not in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["anonymous", "registrant"])
def test_a_meeting_page_costs_the_same_with_5_and_50_comments(client, world, role):
    people = [world["registrant"], world["member"], world["coordinator"]]
    few, many = world["meeting"], meeting_make(world["assembly"])
    registration_make(many, world["registrant"])
    for meeting, n in ((few, 5), (many, 50)):
        made = []
        for i in range(n):
            parent = made[-1] if i % 3 == 2 and made[-1].depth < 3 else None
            made.append(comment_make(meeting, people[i % 3], f"Point {i}", parent=parent))
    if role == "registrant":
        client.force_login(world["registrant"])
    _queries(client, few.get_absolute_url())  # warm the content-type cache
    small = _queries(client, few.get_absolute_url())
    large = _queries(client, many.get_absolute_url())
    assert small == large, f"{role}: {small} queries with 5 comments, {large} with 50"
