"""Service tests: every transition and refusal of memberships, meetings and registrations."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assemblies import services
from assemblies.models import (
    Assembly,
    CharterVersion,
    Meeting,
    MeetingKind,
    MeetingState,
    Membership,
    MembershipState,
    Registration,
    Role,
)
from audit.models import AuditEntry
from citizens.models import Notification
from tests.assemblies.factories import (
    accord_comes_into_force,
    assembly_make,
    meeting_make,
    registration_make,
)
from tests.citizens.factories import group_create, user_create

pytestmark = pytest.mark.django_db


def notes(user, verb):
    return Notification.objects.filter(user=user, verb=verb).count()


# ---- assemblies and charters -----------------------------------------------------------------


def test_there_is_exactly_one_city_assembly():
    city = services.city_assembly()
    assert services.city_assembly() == city
    assert city.current_charter().number == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Assembly.objects.create(kind="city", name="Another", slug="another")


def test_an_officer_creates_a_district_assembly_and_coordinates_it(officer):
    assembly = services.create_assembly(
        by=officer,
        name="Navile commons",
        kind="district",
        district="Navile",
        charter_text="We meet monthly.",
        quorum_percent=25,
        majority="absolute",
    )
    assert assembly.slug == "navile-commons"
    assert list(assembly.coordinators()) == [officer]
    assert assembly.current_charter().quorum_percent == 25
    assert AuditEntry.objects.filter(action="assembly.create").exists()


def test_a_resident_cannot_create_an_assembly(outsider):
    with pytest.raises(PermissionDenied):
        services.create_assembly(by=outsider, name="Mine", kind="thematic", charter_text="x")


def test_officers_create_thematic_and_district_assemblies_only(officer):
    with pytest.raises(ValidationError):
        services.create_assembly(by=officer, name="City", kind="city", charter_text="x")
    with pytest.raises(ValidationError):
        services.create_assembly(by=officer, name="D", kind="district", charter_text="x")


def test_reserved_words_are_not_slugs(officer):
    assembly = services.create_assembly(
        by=officer, name="Chamber", kind="thematic", charter_text="x"
    )
    assert assembly.slug == "chamber-2"


def test_editing_the_charter_keeps_every_version(assembly, coordinator):
    services.edit_charter(
        assembly,
        by=coordinator,
        text="New text",
        quorum_percent=30,
        majority="two_thirds",
        note="quorum raised",
    )
    assert [v.number for v in assembly.charter_versions.order_by("number")] == [1, 2]
    current = assembly.current_charter()
    assert (current.number, current.text, current.quorum_percent) == (2, "New text", 30)
    assert CharterVersion.objects.get(assembly=assembly, number=1).text == "Our charter."


def test_a_member_cannot_edit_the_charter(assembly, member):
    with pytest.raises(PermissionDenied):
        services.edit_charter(assembly, by=member, text="x", quorum_percent=0, majority="simple")


def test_the_quorum_is_a_share(assembly, coordinator):
    with pytest.raises(ValidationError):
        services.edit_charter(
            assembly, by=coordinator, text="x", quorum_percent=101, majority="simple"
        )


def test_voting_members_are_active_coordinators_and_members(assembly, coordinator, member):
    observer = user_create()
    left = user_create()
    Membership.objects.create(assembly=assembly, user=observer, role=Role.OBSERVER, state="active")
    Membership.objects.create(assembly=assembly, user=left, role=Role.MEMBER, state="left")
    assert set(assembly.voting_members()) == {coordinator, member}


# ---- membership ------------------------------------------------------------------------------


def test_joining_an_open_assembly_is_immediate(assembly, outsider):
    membership = services.join(assembly, user=outsider)
    assert membership.is_active and membership.role == Role.MEMBER
    with pytest.raises(ValidationError):
        services.join(assembly, user=outsider)


def test_a_request_waits_for_a_coordinator_who_is_told(coordinator, outsider):
    assembly = assembly_make(policy="request", coordinators=[coordinator])
    with pytest.raises(ValidationError):
        services.join(assembly, user=outsider)
    membership = services.request_membership(assembly, user=outsider, message="Hello")
    assert membership.is_requested
    assert notes(coordinator, "assembly.membership_requested") == 1
    with pytest.raises(ValidationError):
        services.request_membership(assembly, user=outsider)
    services.accept_membership(membership, by=coordinator, role=Role.OBSERVER)
    membership.refresh_from_db()
    assert membership.is_active and membership.role == Role.OBSERVER
    assert membership.decided_by == coordinator
    assert notes(outsider, "assembly.membership_accepted") == 1
    assert AuditEntry.objects.filter(action="assembly.membership.accept").exists()


def test_a_coordinator_refuses_and_the_person_may_ask_again(coordinator, outsider):
    assembly = assembly_make(policy="request", coordinators=[coordinator])
    membership = services.request_membership(assembly, user=outsider)
    services.refuse_membership(membership, by=coordinator, reason="Not a resident")
    membership.refresh_from_db()
    assert membership.state == MembershipState.REFUSED
    assert notes(outsider, "assembly.membership_refused") == 1
    again = services.request_membership(assembly, user=outsider)
    assert again.pk != membership.pk


def test_only_coordinators_accept(coordinator, member, outsider):
    assembly = assembly_make(policy="request", coordinators=[coordinator], members=[member])
    membership = services.request_membership(assembly, user=outsider)
    with pytest.raises(PermissionDenied):
        services.accept_membership(membership, by=member)
    with pytest.raises(PermissionDenied):
        services.refuse_membership(membership, by=outsider)


def test_accepting_twice_is_refused(coordinator, outsider):
    assembly = assembly_make(policy="request", coordinators=[coordinator])
    membership = services.request_membership(assembly, user=outsider)
    services.accept_membership(membership, by=coordinator)
    with pytest.raises(ValidationError):
        services.accept_membership(membership, by=coordinator)


def test_leave_and_withdraw(assembly, member, outsider, coordinator):
    membership = Membership.objects.get(assembly=assembly, user=member)
    services.leave(membership, by=member)
    membership.refresh_from_db()
    assert membership.state == MembershipState.LEFT and membership.left_at
    assert member not in assembly.voting_members()
    closed = assembly_make(policy="request", coordinators=[coordinator])
    request = services.request_membership(closed, user=outsider)
    services.leave(request, by=outsider)
    request.refresh_from_db()
    assert request.state == MembershipState.LEFT


def test_nobody_else_makes_you_leave_but_a_coordinator_removes(assembly, member, coordinator):
    membership = Membership.objects.get(assembly=assembly, user=member)
    with pytest.raises(PermissionDenied):
        services.leave(membership, by=coordinator)
    services.remove_member(membership, by=coordinator, reason="Asked to")
    membership.refresh_from_db()
    assert membership.state == MembershipState.LEFT
    assert notes(member, "assembly.membership_removed") == 1


def test_the_last_coordinator_stays(assembly, coordinator, member):
    own = Membership.objects.get(assembly=assembly, user=coordinator)
    with pytest.raises(ValidationError):
        services.leave(own, by=coordinator)
    with pytest.raises(ValidationError):
        services.set_role(own, by=coordinator, role=Role.MEMBER)
    theirs = Membership.objects.get(assembly=assembly, user=member)
    services.set_role(theirs, by=coordinator, role=Role.COORDINATOR)
    services.leave(own, by=coordinator)
    assert list(assembly.coordinators()) == [member]


def test_one_live_membership_per_person_is_a_database_rule(assembly, member):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(assembly=assembly, user=member, state="requested")


# ---- accord communities ----------------------------------------------------------------------


def test_an_accord_in_force_gets_its_community(django_capture_on_commit_callbacks):
    rep, neighbour, resident = user_create(), user_create(), user_create()
    group = group_create(representative=rep, members=[neighbour])
    with django_capture_on_commit_callbacks(execute=True):
        accord = accord_comes_into_force(residents=[resident], groups=[group])
    assembly = Assembly.objects.get(accord=accord)
    assert assembly.kind == "accord" and assembly.district == "Navile"
    assert set(assembly.coordinators()) == {rep, resident}
    assert set(assembly.voting_members()) == {rep, resident, neighbour}
    assert services.assembly_for_accord(accord) == assembly  # idempotent


# ---- meetings --------------------------------------------------------------------------------


def _when(days=3):
    start = timezone.now() + dt.timedelta(days=days)
    return {"starts_at": start, "ends_at": start + dt.timedelta(hours=2)}


def test_plan_a_meeting_with_its_agenda(assembly, coordinator):
    meeting = services.create_meeting(
        assembly,
        by=coordinator,
        title="Plenary",
        kind=MeetingKind.HYBRID,
        place="Sala",
        online_url="https://meet.example.org/a",
        agenda=[services.AgendaLine("Welcome"), services.AgendaLine("Budget", "2027")],
        **_when(),
    )
    assert [i.title for i in meeting.agenda_items.all()] == ["Welcome", "Budget"]
    assert meeting.state == MeetingState.PLANNED


def test_a_meeting_needs_its_place_and_link(assembly, coordinator):
    with pytest.raises(ValidationError) as exc:
        services.create_meeting(
            assembly, by=coordinator, title="x", kind=MeetingKind.HYBRID, **_when()
        )
    assert set(exc.value.error_dict) == {"place", "online_url"}
    start = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.create_meeting(
            assembly, by=coordinator, title="x", place="a", starts_at=start, ends_at=start
        )


def test_the_database_refuses_a_meeting_ending_before_it_starts(assembly):
    start = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(assembly=assembly, title="x", starts_at=start, ends_at=start)


def test_a_member_cannot_plan_a_meeting_but_an_officer_can(assembly, member, officer):
    with pytest.raises(PermissionDenied):
        services.create_meeting(assembly, by=member, title="x", place="a", **_when())
    assert services.create_meeting(assembly, by=officer, title="x", place="a", **_when())


def test_meeting_lifecycle_planned_open_closed_minutes(assembly, coordinator):
    meeting = meeting_make(assembly)
    services.open_meeting(meeting, by=coordinator)
    assert meeting.state == MeetingState.OPEN and meeting.opened_at
    with pytest.raises(ValidationError):
        services.open_meeting(meeting, by=coordinator)
    with pytest.raises(ValidationError):
        services.cancel_meeting(meeting, by=coordinator, reason="x")
    services.close_meeting(meeting, by=coordinator)
    assert meeting.state == MeetingState.CLOSED and meeting.closed_at
    services.publish_minutes(meeting, by=coordinator)
    assert meeting.state == MeetingState.MINUTES_PUBLISHED
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "assembly.meeting.open",
        "assembly.meeting.close",
        "assembly.meeting.publish_minutes",
    } <= actions


def test_closing_a_planned_meeting_is_refused(assembly, coordinator):
    with pytest.raises(ValidationError):
        services.close_meeting(meeting_make(assembly), by=coordinator)


def test_the_named_chair_runs_the_meeting_a_member_does_not(assembly, member):
    chair = user_create()
    meeting = meeting_make(assembly, chair=chair)
    with pytest.raises(PermissionDenied):
        services.open_meeting(meeting, by=member)
    services.open_meeting(meeting, by=chair)


def test_cancelling_tells_the_registrants(assembly, coordinator, member):
    meeting = meeting_make(assembly)
    services.register(meeting, user=member)
    with pytest.raises(ValidationError):
        services.cancel_meeting(meeting, by=coordinator, reason=" ")
    services.cancel_meeting(meeting, by=coordinator, reason="Flooded hall")
    assert meeting.state == MeetingState.CANCELLED
    assert notes(member, "assembly.meeting_cancelled") == 1


def test_moving_a_meeting_tells_the_registrants(assembly, coordinator, member):
    meeting = meeting_make(assembly)
    services.register(meeting, user=member)
    services.edit_meeting(
        meeting,
        by=coordinator,
        starts_at=meeting.starts_at + dt.timedelta(hours=1),
        ends_at=meeting.ends_at + dt.timedelta(hours=1),
    )
    assert notes(member, "assembly.meeting_changed") == 1


def test_a_closed_meeting_cannot_be_edited(assembly, coordinator):
    meeting = meeting_make(assembly, state="closed")
    with pytest.raises(ValidationError):
        services.edit_meeting(meeting, by=coordinator, title="x")


# ---- registrations and the waiting list ------------------------------------------------------


def test_registration_until_full_then_waiting_list(assembly):
    meeting = meeting_make(assembly, capacity=2)
    people = [user_create() for _ in range(4)]
    states = [services.register(meeting, user=u).state for u in people]
    assert states == ["registered", "registered", "waiting", "waiting"]
    assert meeting.is_registered(people[0]) and not meeting.is_registered(people[2])


def test_registering_twice_is_refused(assembly, member):
    meeting = meeting_make(assembly)
    services.register(meeting, user=member)
    with pytest.raises(ValidationError):
        services.register(meeting, user=member)


def test_the_database_allows_one_live_registration_per_person(assembly, member):
    meeting = meeting_make(assembly)
    registration_make(meeting, member)
    with pytest.raises(IntegrityError), transaction.atomic():
        registration_make(meeting, member, state="waiting")


def test_no_registration_once_closed_or_over(assembly, member):
    with pytest.raises(ValidationError):
        services.register(meeting_make(assembly, state="closed"), user=member)
    with pytest.raises(ValidationError):
        services.register(
            meeting_make(assembly, starts_in=-dt.timedelta(hours=3), hours=1), user=member
        )


def test_anonymous_cannot_register(assembly):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.register(meeting_make(assembly), user=AnonymousUser())


def test_cancelling_a_seat_promotes_the_first_waiting_person(assembly):
    meeting = meeting_make(assembly, capacity=1)
    first, second, third = user_create(), user_create(), user_create()
    seat = services.register(meeting, user=first)
    services.register(meeting, user=second)
    services.register(meeting, user=third)
    services.cancel_registration(seat, by=first)
    states = dict(meeting.registrations.values_list("user_id", "state"))
    assert states == {first.pk: "cancelled", second.pk: "registered", third.pk: "waiting"}
    assert notes(second, "assembly.registration_promoted") == 1
    assert notes(third, "assembly.registration_promoted") == 0
    assert Registration.objects.get(user=second, meeting=meeting).promoted_at


def test_cancelling_a_waiting_place_promotes_nobody(assembly):
    meeting = meeting_make(assembly, capacity=1)
    first, second, third = user_create(), user_create(), user_create()
    services.register(meeting, user=first)
    waiting = services.register(meeting, user=second)
    services.register(meeting, user=third)
    services.cancel_registration(waiting, by=second)
    assert meeting.registrations.filter(state="registered").count() == 1
    assert Registration.objects.get(meeting=meeting, user=third).is_waiting


def test_adding_seats_fills_them_from_the_waiting_list(assembly, coordinator):
    meeting = meeting_make(assembly, capacity=1)
    a, b = user_create(), user_create()
    services.register(meeting, user=a)
    services.register(meeting, user=b)
    services.edit_meeting(meeting, by=coordinator, capacity=2)
    assert Registration.objects.get(meeting=meeting, user=b).is_registered


def test_a_cancelled_registration_may_register_again(assembly, member):
    meeting = meeting_make(assembly)
    first = services.register(meeting, user=member)
    services.cancel_registration(first, by=member)
    again = services.register(meeting, user=member)
    assert again.pk != first.pk and again.code != first.code


def test_someone_else_cannot_cancel_my_registration(assembly, member, outsider, coordinator):
    meeting = meeting_make(assembly)
    mine = services.register(meeting, user=member)
    with pytest.raises(PermissionDenied):
        services.cancel_registration(mine, by=outsider)
    services.cancel_registration(mine, by=coordinator)  # the chair may
    with pytest.raises(ValidationError):
        services.cancel_registration(mine, by=member)  # already cancelled


# ---- check-in --------------------------------------------------------------------------------


def test_check_in_by_code_at_the_door(assembly, coordinator, member):
    meeting = meeting_make(assembly)
    registration = services.register(meeting, user=member)
    found = services.check_in_by_code(meeting, registration.code.lower(), by=coordinator)
    assert found.checked_in_at and found.checked_in_by == coordinator
    assert list(meeting.checked_in_users()) == [member]
    with pytest.raises(ValidationError):
        services.check_in_by_code(meeting, registration.code, by=coordinator)  # twice


def test_a_wrong_code_or_a_waiting_person_is_refused(assembly, coordinator):
    meeting = meeting_make(assembly, capacity=1)
    services.register(meeting, user=user_create())
    waiting = services.register(meeting, user=user_create())
    with pytest.raises(ValidationError) as exc:
        services.check_in_by_code(meeting, "NOPE0000", by=coordinator)
    assert exc.value.error_dict["code"][0].code == "unknown_code"
    with pytest.raises(ValidationError):
        services.check_in_by_code(meeting, waiting.code, by=coordinator)


def test_a_code_of_another_meeting_is_unknown(assembly, coordinator, member):
    other = meeting_make(assembly)
    registration = services.register(other, user=member)
    with pytest.raises(ValidationError):
        services.check_in_by_code(meeting_make(assembly), registration.code, by=coordinator)


def test_only_the_chair_checks_in(assembly, member, outsider):
    meeting = meeting_make(assembly)
    registration = services.register(meeting, user=outsider)
    with pytest.raises(PermissionDenied):
        services.check_in(registration, by=member)
    with pytest.raises(PermissionDenied):
        services.check_in(registration, by=outsider)


def test_no_check_in_after_the_meeting_closed(assembly, coordinator, member):
    meeting = meeting_make(assembly, state="open")
    registration = services.register(meeting, user=member)
    services.close_meeting(meeting, by=coordinator)
    with pytest.raises(ValidationError):
        services.check_in(registration, by=coordinator)


def test_attending_online_while_a_hybrid_meeting_is_on(assembly, coordinator, member):
    meeting = meeting_make(assembly, kind=MeetingKind.HYBRID)
    registration = services.register(meeting, user=member)
    with pytest.raises(ValidationError):
        services.attend_online(registration, by=member)  # not open yet
    services.open_meeting(meeting, by=coordinator)
    services.attend_online(registration, by=member)
    registration.refresh_from_db()
    assert registration.attended_online
    assert member in meeting.checked_in_users()


def test_in_person_meetings_have_no_online_attendance(assembly, member):
    meeting = meeting_make(assembly, state="open")
    registration = services.register(meeting, user=member)
    with pytest.raises(ValidationError):
        services.attend_online(registration, by=member)


# ---- reminders -------------------------------------------------------------------------------


def test_reminders_are_sent_once_the_day_before(assembly, member, coordinator):
    now = timezone.now()
    soon = meeting_make(assembly, starts_in=dt.timedelta(hours=20))
    later = meeting_make(assembly, starts_in=dt.timedelta(days=3))
    services.register(soon, user=member)
    services.register(later, user=member)
    assert services.send_reminders(now) == 1
    assert services.send_reminders(now) == 0  # idempotent
    soon.refresh_from_db()
    assert soon.reminded_at is not None
    assert notes(member, "assembly.meeting_reminder") == 1


def test_run_deadlines_sends_the_reminders(assembly, member):
    from django.core.management import call_command

    meeting = meeting_make(assembly, starts_in=dt.timedelta(hours=5))
    services.register(meeting, user=member)
    call_command("run_deadlines")
    meeting.refresh_from_db()
    assert meeting.reminded_at is not None


def test_moving_a_meeting_rearms_its_reminder(assembly, coordinator, member):
    meeting = meeting_make(assembly, starts_in=dt.timedelta(hours=5))
    services.send_reminders(timezone.now())
    services.edit_meeting(
        meeting,
        by=coordinator,
        starts_at=meeting.starts_at + dt.timedelta(days=2),
        ends_at=meeting.ends_at + dt.timedelta(days=2),
    )
    meeting.refresh_from_db()
    assert meeting.reminded_at is None


# ---- adherence -------------------------------------------------------------------------------


def test_a_group_representative_declares_adherence(outsider):
    group = group_create(representative=outsider)
    adherence = services.declare_adherence(group, by=outsider)
    assert adherence.assembly.is_city
    assert services.declare_adherence(group, by=outsider) == adherence  # idempotent


def test_a_plain_group_member_cannot_declare_adherence(outsider, member):
    group = group_create(representative=outsider, members=[member])
    with pytest.raises(ValidationError):
        services.declare_adherence(group, by=member)
    other = group_create(representative=member)
    with pytest.raises(ValidationError):  # represents another group
        services.declare_adherence(group, by=member)
    assert other


def test_checked_in_users_are_those_of_this_meeting_only(assembly, coordinator, member):
    earlier = meeting_make(assembly)
    services.check_in(services.register(earlier, user=member), by=coordinator)
    later = meeting_make(assembly)
    services.register(later, user=member)
    assert list(later.checked_in_users()) == []
    assert list(earlier.checked_in_users()) == [member]


def test_every_audit_action_written_has_a_label(officer, outsider):
    from audit.labels import audit_label

    assembly = services.create_assembly(
        by=officer, name="Labels", kind="thematic", charter_text="x", membership_policy="request"
    )
    services.edit_assembly(
        assembly, by=officer, name="Labels", description="", membership_policy="request"
    )
    services.edit_charter(assembly, by=officer, text="y", quorum_percent=0, majority="simple")
    ms = services.request_membership(assembly, user=outsider)
    services.accept_membership(ms, by=officer)
    services.set_role(ms, by=officer, role=Role.COORDINATOR)
    services.remove_member(ms, by=officer, reason="r")
    meeting = services.create_meeting(
        assembly,
        by=officer,
        title="M",
        kind=MeetingKind.ONLINE,
        online_url="https://meet.example.org/m",
        **_when(days=0.5),
    )
    services.edit_meeting(meeting, by=officer, title="M2")
    reg = services.register(meeting, user=outsider)
    services.check_in(reg, by=officer)
    services.send_reminders(timezone.now())
    services.open_meeting(meeting, by=officer)
    services.attend_online(reg, by=outsider)
    services.close_meeting(meeting, by=officer)
    services.publish_minutes(meeting, by=officer)
    other = meeting_make(assembly)
    services.cancel_registration(services.register(other, user=outsider), by=outsider)
    services.cancel_meeting(other, by=officer, reason="r")
    group = group_create(representative=outsider)
    adherence = services.declare_adherence(group, by=outsider)
    services.withdraw_adherence(adherence, by=outsider)
    ms2 = services.request_membership(assembly, user=user_create())
    services.refuse_membership(ms2, by=officer)
    ms3 = services.request_membership(assembly, user=outsider)
    services.leave(ms3, by=outsider)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    unnamed = sorted(a for a in actions if audit_label(a) == a)
    assert not unnamed
    assert len(actions) >= 20
