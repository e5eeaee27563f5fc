"""Pages: they render for every kind of visitor, ask the policy, act through the services, and
list without N+1 queries."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assemblies import services
from assemblies.models import (
    Adherence,
    Document,
    MeetingKind,
    Membership,
    Registration,
)
from tests.assemblies.factories import assembly_make, meeting_make, registration_make
from tests.citizens.factories import group_create, user_create

pytestmark = pytest.mark.django_db


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def hybrid(assembly):
    return meeting_make(assembly, kind=MeetingKind.HYBRID, capacity=10)


VISITORS = ["anonymous", "outsider", "member", "coordinator", "officer"]


def visitor(request, name):
    return None if name == "anonymous" else request.getfixturevalue(name)


@pytest.mark.parametrize("who", VISITORS)
def test_public_pages_render_for_everyone(client, request, who, assembly, hybrid):
    as_user(client, visitor(request, who))
    services.city_assembly()
    for url in (
        reverse("assemblies:assembly-list"),
        assembly.get_absolute_url(),
        reverse("assemblies:charter", args=[assembly.slug]),
        reverse("assemblies:meeting-list"),
        reverse("assemblies:meeting-list") + "?when=past",
        hybrid.get_absolute_url(),
        reverse("assemblies:chamber"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url


def test_the_online_link_is_for_registrants(client, hybrid, outsider):
    page = client.get(hybrid.get_absolute_url()).content.decode()
    assert hybrid.online_url not in page
    as_user(client, outsider)
    registration_make(hybrid, outsider)
    page = client.get(hybrid.get_absolute_url()).content.decode()
    assert hybrid.online_url in page


def test_registering_shows_the_code_and_its_qr(client, hybrid, outsider):
    as_user(client, outsider)
    response = client.post(reverse("assemblies:meeting-register", args=[hybrid.pk]))
    assert response.status_code == 302
    registration = Registration.objects.get(meeting=hybrid, user=outsider)
    page = client.get(hybrid.get_absolute_url()).content.decode()
    assert registration.code in page
    assert "<svg" in page and 'data-testid="registration-code"' in page


def test_a_full_meeting_puts_you_on_the_waiting_list(client, assembly, outsider):
    meeting = meeting_make(assembly, capacity=1)
    registration_make(meeting, user_create())
    as_user(client, outsider)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Join the waiting list" in page
    client.post(reverse("assemblies:meeting-register", args=[meeting.pk]))
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'data-testid="waiting"' in page and "position 1" in page


def test_anonymous_register_goes_to_login(client, hybrid):
    response = client.post(reverse("assemblies:meeting-register", args=[hybrid.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_registering_twice_is_a_message_not_an_error(client, hybrid, outsider):
    as_user(client, outsider)
    client.post(reverse("assemblies:meeting-register", args=[hybrid.pk]))
    response = client.post(reverse("assemblies:meeting-register", args=[hybrid.pk]), follow=True)
    assert response.status_code == 200
    assert "already registered" in response.content.decode()


def test_cancel_a_registration_after_confirming(client, hybrid, outsider):
    registration = registration_make(hybrid, outsider)
    as_user(client, outsider)
    url = reverse("assemblies:registration-cancel", args=[registration.pk])
    assert client.get(url).status_code == 200  # the question
    registration.refresh_from_db()
    assert registration.is_registered
    client.post(url, {"confirm": "1"})
    registration.refresh_from_db()
    assert registration.is_cancelled


def test_others_cannot_cancel_my_registration(client, hybrid, outsider, member):
    registration = registration_make(hybrid, outsider)
    as_user(client, member)
    url = reverse("assemblies:registration-cancel", args=[registration.pk])
    assert client.post(url, {"confirm": "1"}).status_code == 403


def test_the_door_checks_in_by_code(client, hybrid, coordinator, outsider):
    registration = registration_make(hybrid, outsider)
    as_user(client, coordinator)
    door = reverse("assemblies:meeting-door", args=[hybrid.pk])
    assert client.get(door).status_code == 200
    response = client.post(door, {"code": registration.code.lower()})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.checked_in_by == coordinator


def test_a_wrong_code_is_a_form_error(client, hybrid, coordinator):
    as_user(client, coordinator)
    door = reverse("assemblies:meeting-door", args=[hybrid.pk])
    response = client.post(door, {"code": "ZZZZ9999"})
    assert response.status_code == 400
    assert "No registration for this meeting has this code." in response.content.decode()


def test_the_door_is_for_the_chair(client, hybrid, member, outsider):
    door = reverse("assemblies:meeting-door", args=[hybrid.pk])
    assert client.get(door).status_code == 302  # log in
    as_user(client, member)
    assert client.get(door).status_code == 403


def test_check_in_from_the_list(client, hybrid, coordinator, outsider):
    registration = registration_make(hybrid, outsider)
    as_user(client, coordinator)
    client.post(reverse("assemblies:registration-check-in", args=[registration.pk]))
    registration.refresh_from_db()
    assert registration.checked_in_at is not None


def test_joining_online_marks_attendance_and_goes_to_the_link(client, assembly, outsider):
    meeting = meeting_make(assembly, kind=MeetingKind.ONLINE, state="open")
    registration = registration_make(meeting, outsider)
    as_user(client, outsider)
    response = client.post(reverse("assemblies:attend-online", args=[registration.pk]))
    assert response.status_code == 302 and response["Location"] == meeting.online_url
    registration.refresh_from_db()
    assert registration.attended_online


def test_join_and_leave_an_open_assembly(client, assembly, outsider):
    as_user(client, outsider)
    client.post(reverse("assemblies:join", args=[assembly.slug]), {"confirm": "1"})
    membership = Membership.objects.get(assembly=assembly, user=outsider, state="active")
    page = client.get(assembly.get_absolute_url()).content.decode()
    assert 'data-testid="leave"' in page
    client.post(reverse("assemblies:leave", args=[assembly.slug]), {"confirm": "1"})
    membership.refresh_from_db()
    assert membership.state == "left"


def test_request_then_a_coordinator_accepts(client, coordinator, outsider):
    assembly = assembly_make(policy="request", coordinators=[coordinator])
    as_user(client, outsider)
    client.post(reverse("assemblies:request", args=[assembly.slug]), {"message": "Hi"})
    membership = Membership.objects.get(assembly=assembly, user=outsider)
    assert membership.is_requested
    client.force_login(coordinator)
    page = client.get(reverse("assemblies:members", args=[assembly.slug])).content.decode()
    assert 'data-testid="request-row"' in page
    client.post(reverse("assemblies:membership-accept", args=[membership.pk]), {"role": "member"})
    membership.refresh_from_db()
    assert membership.is_active


def test_members_page_is_for_members(client, assembly, outsider, member):
    url = reverse("assemblies:members", args=[assembly.slug])
    as_user(client, outsider)
    assert client.get(url).status_code == 403
    client.force_login(member)
    assert client.get(url).status_code == 200


def test_charter_edit_makes_a_version(client, assembly, coordinator, member):
    url = reverse("assemblies:charter-edit", args=[assembly.slug])
    as_user(client, member)
    assert client.get(url).status_code == 403
    client.force_login(coordinator)
    response = client.post(url, {"text": "v2", "quorum_percent": "150", "majority": "simple"})
    assert response.status_code == 400
    client.post(url, {"text": "v2", "quorum_percent": "30", "majority": "simple"})
    assert assembly.current_charter().number == 2
    page = client.get(reverse("assemblies:charter", args=[assembly.slug])).content.decode()
    assert page.count('data-testid="charter-version"') == 2


def test_an_officer_creates_an_assembly(client, officer, outsider):
    url = reverse("assemblies:assembly-create")
    data = {
        "name": "Green spaces",
        "kind": "thematic",
        "membership_policy": "open",
        "charter_text": "We care.",
        "quorum_percent": "10",
        "majority": "simple",
    }
    as_user(client, outsider)
    assert client.post(url, data).status_code == 403
    client.force_login(officer)
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == "/assemblies/green-spaces/"


def test_plan_a_meeting_from_the_form(client, assembly, coordinator):
    as_user(client, coordinator)
    url = reverse("assemblies:meeting-create", args=[assembly.slug])
    start = timezone.localtime() + dt.timedelta(days=3)
    data = {
        "title": "Plenary",
        "kind": "in_person",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Sala",
        "agenda": "Welcome\nBudget: the 2027 proposals\n",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    meeting = assembly.meetings.get()
    assert [(i.title, i.body) for i in meeting.agenda_items.all()] == [
        ("Welcome", ""),
        ("Budget", "the 2027 proposals"),
    ]
    bad = client.post(url, {**data, "ends_at": data["starts_at"]})
    assert bad.status_code == 400
    # Year 1 in Rome is before year 1 in UTC: storing it overflowed (OverflowError, a 500).
    bad = client.post(url, {**data, "starts_at": "0001-01-01T00:00"})
    assert bad.status_code == 400
    assert "Enter a date between the years 1900 and 2999." in bad.content.decode()
    assert assembly.meetings.count() == 1


def test_open_and_close_a_meeting_with_confirmation(client, hybrid, coordinator):
    as_user(client, coordinator)
    client.post(reverse("assemblies:meeting-open", args=[hybrid.pk]), {"confirm": "1"})
    hybrid.refresh_from_db()
    assert hybrid.is_open
    response = client.post(reverse("assemblies:meeting-open", args=[hybrid.pk]), {"confirm": "1"})
    assert response.status_code == 302  # refused with a message, not a 500
    client.post(reverse("assemblies:meeting-close", args=[hybrid.pk]), {"confirm": "1"})
    hybrid.refresh_from_db()
    assert hybrid.is_closed


def test_cancelling_needs_a_reason(client, hybrid, coordinator):
    as_user(client, coordinator)
    url = reverse("assemblies:meeting-cancel", args=[hybrid.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    client.post(url, {"reason": "Flood"})
    hybrid.refresh_from_db()
    assert hybrid.is_cancelled


def test_documents_upload_and_download(client, assembly, coordinator, member, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    as_user(client, member)
    url = reverse("assemblies:document-upload", args=[assembly.slug])
    assert client.get(url).status_code == 403
    client.force_login(coordinator)
    bad = client.post(url, {"title": "x", "file": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad.status_code == 400
    client.post(url, {"title": "Minutes", "file": SimpleUploadedFile("m.pdf", b"%PDF-1.4")})
    doc = Document.objects.get()
    response = client.get(doc.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4"


def test_adhere_from_the_chamber(client, outsider):
    group = group_create(representative=outsider)
    as_user(client, outsider)
    response = client.post(reverse("assemblies:adhere"), {"group": group.pk})
    assert response.status_code == 302
    assert Adherence.objects.filter(group=group).exists()
    page = client.get(reverse("assemblies:chamber")).content.decode()
    assert group.name in page
    adherence = Adherence.objects.get(group=group)
    withdraw = reverse("assemblies:adherence-withdraw", args=[adherence.pk])
    assert withdraw in page
    client.force_login(user_create())
    assert withdraw not in client.get(reverse("assemblies:chamber")).content.decode()
    assert client.post(withdraw, {"confirm": "1"}).status_code == 403
    client.force_login(outsider)
    client.post(withdraw, {"confirm": "1"})
    assert not Adherence.objects.filter(group=group).exists()


def test_chamber_counts_meetings_attended_by_the_groups_members(client, outsider, member):
    group = group_create(representative=outsider, members=[member])
    city = services.city_assembly()
    services.declare_adherence(group, by=outsider)
    now = timezone.now()
    for i in range(2):
        meeting = meeting_make(city, title=f"M{i}")
        registration_make(meeting, member, checked_in_at=now)
        registration_make(meeting, outsider, checked_in_at=now)
    registration_make(meeting_make(city), member)  # registered, not present
    page = client.get(reverse("assemblies:chamber")).content.decode()
    assert 'data-testid="meetings-attended">2<' in page


def test_my_meetings_shows_the_private_feed(client, outsider, hybrid):
    registration_make(hybrid, outsider)
    as_user(client, outsider)
    response = client.get(reverse("assemblies:my-meetings"))
    assert response.status_code == 200
    assert "/assemblies/calendar/" in response.content.decode()


# ---- query counts ----------------------------------------------------------------------------


def test_the_assembly_list_does_not_grow_with_assemblies(
    client, outsider, django_assert_max_num_queries
):
    as_user(client, outsider)
    assembly_make(members=[outsider])
    url = reverse("assemblies:assembly-list")
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(8):
        meeting_make(assembly_make(members=[user_create(), outsider]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_meeting_list_does_not_grow_with_meetings(
    client, assembly, django_assert_max_num_queries
):
    url = reverse("assemblies:meeting-list")
    meeting_make(assembly)
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(8):
        meeting = meeting_make(assembly_make())
        registration_make(meeting, user_create())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_door_list_does_not_grow_with_registrations(
    client, hybrid, coordinator, django_assert_max_num_queries
):
    as_user(client, coordinator)
    url = reverse("assemblies:meeting-door", args=[hybrid.pk])
    registration_make(hybrid, user_create())
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _ in range(8):
        registration_make(hybrid, user_create())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_chamber_does_not_grow_with_groups(client, django_assert_max_num_queries):
    city = services.city_assembly()
    url = reverse("assemblies:chamber")
    rep = user_create()
    Adherence.objects.create(group=group_create(representative=rep), assembly=city)
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(6):
        Adherence.objects.create(group=group_create(representative=user_create()), assembly=city)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_workspace_shows_coordinators_their_requests_and_todays_meetings(client, officer):
    coordinator = officer
    assembly = assembly_make(policy="request", coordinators=[coordinator])
    services.request_membership(assembly, user=user_create())
    today = meeting_make(assembly, starts_in=dt.timedelta(minutes=1), title="Tonight")
    client.force_login(coordinator)
    html = client.get(reverse("core:workspace")).content.decode()
    assert "Requests to join your assemblies" in html
    assert reverse("assemblies:meeting-door", args=[today.pk]) in html


def test_is_chair(coordinator, member, assembly):
    from assemblies.rules import is_chair

    meeting = meeting_make(assembly, chair=member)
    assert is_chair(coordinator, meeting) and is_chair(member, meeting)
    assert not is_chair(user_create(), meeting)


def test_my_meetings_tells_a_coordinator_of_waiting_requests(client, coordinator):
    assembly = assembly_make(policy="request", coordinators=[coordinator])
    services.request_membership(assembly, user=user_create())
    client.force_login(coordinator)
    html = client.get(reverse("assemblies:my-meetings")).content.decode()
    assert 'data-testid="pending-requests"' in html
    assert reverse("assemblies:members", args=[assembly.slug]) in html
