"""Attendance, minutes and decisions: every transition and every refusal."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assemblies.models import Meeting
from assemblies.records import selectors, services
from assemblies.records.models import Decision, MinutesVersion
from audit.models import AuditEntry
from tests.assembly_records.factories import (
    agenda_item_create,
    meeting_create,
    member_add,
    registration_create,
)
from tests.citizens.factories import user_create

pytestmark = pytest.mark.django_db
M = Meeting.State


# Attendance ---------------------------------------------------------------------------------


def test_attendance_counts_by_channel(assembly):
    meeting = meeting_create(assembly, state=M.CLOSED)
    registration_create(meeting, checked_in=True)
    registration_create(meeting, checked_in=True, online=True)  # counted in the room
    registration_create(meeting, online=True)
    registration_create(meeting)  # registered, did not come
    assert selectors.attendance_counts(meeting) == {
        "in_room": 2,
        "online": 1,
        "total": 3,
        "registered": 4,
    }


def test_coordinator_marks_and_unmarks_online_attendance(assembly, coordinator):
    meeting = meeting_create(assembly, state=M.CLOSED)
    registration = registration_create(meeting)
    services.attendance_mark_online(actor=coordinator, registration=registration)
    registration.refresh_from_db()
    assert registration.attended_online
    assert set(meeting.checked_in_users()) == {registration.user}
    services.attendance_mark_online(actor=coordinator, registration=registration, attended=False)
    registration.refresh_from_db()
    assert not registration.attended_online
    actions = list(AuditEntry.objects.values_list("action", flat=True).order_by("id"))
    assert actions[-2:] == ["assembly.attendance.online", "assembly.attendance.online_removed"]


def test_the_chair_marks_online_attendance(assembly):
    chair = user_create()
    meeting = meeting_create(assembly, state=M.OPEN, chair=chair)
    registration = registration_create(meeting)
    services.attendance_mark_online(actor=chair, registration=registration)
    registration.refresh_from_db()
    assert registration.attended_online


def test_a_member_cannot_mark_attendance(assembly):
    member = member_add(assembly)
    meeting = meeting_create(assembly, state=M.CLOSED)
    with pytest.raises(PermissionDenied):
        services.attendance_mark_online(actor=member, registration=registration_create(meeting))


@pytest.mark.parametrize("state", [M.PLANNED, M.MINUTES_PUBLISHED, M.CANCELLED])
def test_attendance_is_marked_only_during_or_after_the_meeting(assembly, coordinator, state):
    meeting = meeting_create(assembly, state=state)
    registration = registration_create(meeting)
    with pytest.raises(ValidationError):
        services.attendance_mark_online(actor=coordinator, registration=registration)


def test_an_in_person_meeting_has_no_online_attendance(assembly, coordinator):
    meeting = meeting_create(assembly, state=M.CLOSED, kind=Meeting.Kind.IN_PERSON)
    with pytest.raises(ValidationError, match="no online participation"):
        services.attendance_mark_online(
            actor=coordinator, registration=registration_create(meeting)
        )


# Minutes ------------------------------------------------------------------------------------


def test_minutes_are_kept_in_numbered_versions(assembly, coordinator):
    meeting = meeting_create(assembly, state=M.CLOSED)
    first = services.minutes_save(actor=coordinator, meeting=meeting, text="Draft one.")
    second = services.minutes_save(
        actor=coordinator, meeting=meeting, text="Draft two.", note="Names fixed"
    )
    assert (first.number, second.number) == (1, 2)
    assert [v.text for v in selectors.minutes_versions(meeting)] == ["Draft two.", "Draft one."]
    assert second.note == "Names fixed"


def test_a_version_identical_to_the_last_is_refused(assembly, coordinator):
    meeting = meeting_create(assembly, state=M.CLOSED)
    services.minutes_save(actor=coordinator, meeting=meeting, text="Same.")
    with pytest.raises(ValidationError, match="Nothing changed"):
        services.minutes_save(actor=coordinator, meeting=meeting, text="  Same.  ")


def test_empty_minutes_are_refused(assembly, coordinator):
    meeting = meeting_create(assembly, state=M.CLOSED)
    with pytest.raises(ValidationError) as info:
        services.minutes_save(actor=coordinator, meeting=meeting, text="   ")
    assert "text" in info.value.error_dict


def test_a_member_cannot_write_the_minutes(assembly):
    meeting = meeting_create(assembly, state=M.CLOSED)
    with pytest.raises(PermissionDenied):
        services.minutes_save(actor=member_add(assembly), meeting=meeting, text="Mine.")


def test_minutes_are_not_written_before_the_meeting(assembly, coordinator):
    meeting = meeting_create(assembly, state=M.PLANNED)
    with pytest.raises(ValidationError):
        services.minutes_save(actor=coordinator, meeting=meeting, text="Too early.")


def test_publishing_fires_the_meetings_transition(assembly, coordinator):
    meeting = meeting_create(assembly, state=M.CLOSED)
    services.minutes_save(actor=coordinator, meeting=meeting, text="Final.")
    services.minutes_publish(actor=coordinator, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.state == M.MINUTES_PUBLISHED
    assert meeting.minutes_published_at is not None
    entry = AuditEntry.objects.filter(action="assembly.meeting.publish_minutes").get()
    assert entry.after["version"] == 1
    assert selectors.published_minutes(meeting).text == "Final."


def test_a_member_who_follows_the_meeting_hears_of_the_minutes_once(
    assembly, coordinator, django_capture_on_commit_callbacks
):
    """The members' notice and the followers' notice (follows app, after commit) both went to
    a member who also follows the meeting by choice: one notice is enough."""
    from citizens.models import Notification
    from follows.services import follow

    meeting = meeting_create(assembly, state=M.CLOSED)
    both, member_only, follower_only = member_add(assembly), member_add(assembly), user_create()
    follow(both, meeting)
    follow(follower_only, meeting)
    follow(both, assembly)  # following the assembly too changes nothing
    services.minutes_save(actor=coordinator, meeting=meeting, text="Final.")
    with django_capture_on_commit_callbacks(execute=True):
        services.minutes_publish(actor=coordinator, meeting=meeting)
    told = Notification.objects.filter(
        verb__in=["assembly.minutes.published", "assembly.publish_minutes"]
    )
    per_user = {u: told.filter(user=u).count() for u in (both, member_only, follower_only)}
    assert per_user == {both: 1, member_only: 1, follower_only: 1}


def test_publishing_needs_minutes(assembly, coordinator):
    meeting = meeting_create(assembly, state=M.CLOSED)
    with pytest.raises(ValidationError, match="Write the minutes"):
        services.minutes_publish(actor=coordinator, meeting=meeting)


def test_publishing_waits_for_the_meeting_to_close(assembly, coordinator):
    meeting = meeting_create(assembly, state=M.OPEN)
    services.minutes_save(actor=coordinator, meeting=meeting, text="During.")
    with pytest.raises(ValidationError):
        services.minutes_publish(actor=coordinator, meeting=meeting)


def test_a_member_cannot_publish(assembly):
    meeting = meeting_create(assembly, state=M.CLOSED)
    MinutesVersion.objects.create(meeting=meeting, number=1, text="x")
    with pytest.raises(PermissionDenied):
        services.minutes_publish(actor=member_add(assembly), meeting=meeting)


def test_published_minutes_cannot_be_edited(assembly, coordinator):
    meeting = meeting_create(assembly, state=M.MINUTES_PUBLISHED)
    with pytest.raises(ValidationError, match="published minutes cannot be changed"):
        services.minutes_save(actor=coordinator, meeting=meeting, text="A late change.")
    with pytest.raises(ValidationError):
        services.minutes_publish(actor=coordinator, meeting=meeting)
    assert meeting.minutes_versions.count() == 1


def test_a_saved_version_is_never_changed():
    version = MinutesVersion(number=1, text="x")
    version.pk = 1
    with pytest.raises(ValueError, match="never changed"):
        version.save()


# Decisions ----------------------------------------------------------------------------------


def test_decisions_are_numbered_in_order(assembly, coordinator):
    meeting = meeting_create(assembly, state=M.OPEN)
    item = agenda_item_create(meeting)
    first = services.decision_add(
        actor=coordinator,
        meeting=meeting,
        text="Adopt the plan.",
        outcome="adopted",
        agenda_item=item,
        votes_summary="12 yes, 2 no",
    )
    second = services.decision_add(
        actor=coordinator, meeting=meeting, text="Noted the report.", outcome="noted"
    )
    assert (first.position, second.position) == (1, 2)
    assert list(selectors.meeting_decisions(meeting)) == [first, second]


def test_a_motions_outcome_is_recorded_once(assembly):
    meeting = meeting_create(assembly, state=M.OPEN)
    from django.db import transaction

    with transaction.atomic():
        one = services.decision_record(
            actor=None, meeting=meeting, text="Motion 7", outcome="adopted", motion_id=7
        )
        again = services.decision_record(
            actor=None, meeting=meeting, text="Motion 7", outcome="adopted", motion_id=7
        )
    assert one == again
    assert Decision.objects.count() == 1


def test_decision_changes_and_removal(assembly, coordinator):
    meeting = meeting_create(assembly, state=M.CLOSED)
    decision = services.decision_add(
        actor=coordinator, meeting=meeting, text="Draft", outcome="adopted"
    )
    services.decision_change(actor=coordinator, decision=decision, text="Final", outcome="rejected")
    decision.refresh_from_db()
    assert (decision.text, decision.outcome) == ("Final", "rejected")
    services.decision_delete(actor=coordinator, decision=decision)
    assert not Decision.objects.exists()


def test_agenda_item_of_another_meeting_is_refused(assembly, coordinator):
    meeting = meeting_create(assembly, state=M.OPEN)
    other = agenda_item_create(meeting_create(assembly, state=M.OPEN))
    with pytest.raises(ValidationError) as info:
        services.decision_add(
            actor=coordinator, meeting=meeting, text="x", outcome="adopted", agenda_item=other
        )
    assert "agenda_item" in info.value.error_dict


def test_unknown_outcome_is_refused(assembly, coordinator):
    meeting = meeting_create(assembly, state=M.OPEN)
    with pytest.raises(ValidationError):
        services.decision_add(actor=coordinator, meeting=meeting, text="x", outcome="maybe")


def test_decisions_of_published_minutes_cannot_change(assembly, coordinator):
    meeting = meeting_create(assembly, state=M.MINUTES_PUBLISHED)
    decision = Decision.objects.create(meeting=meeting, text="Done", outcome="adopted")
    with pytest.raises(ValidationError):
        services.decision_add(actor=coordinator, meeting=meeting, text="Late", outcome="adopted")
    with pytest.raises(ValidationError):
        services.decision_change(actor=coordinator, decision=decision, text="x", outcome="adopted")
    with pytest.raises(ValidationError):
        services.decision_delete(actor=coordinator, decision=decision)
    from django.db import transaction

    with pytest.raises(ValidationError), transaction.atomic():
        services.decision_record(
            actor=None, meeting=meeting, text="Motion", outcome="adopted", motion_id=9
        )


def test_a_member_cannot_record_decisions(assembly):
    meeting = meeting_create(assembly, state=M.OPEN)
    with pytest.raises(PermissionDenied):
        services.decision_add(
            actor=member_add(assembly), meeting=meeting, text="x", outcome="adopted"
        )


def test_a_motions_decision_is_not_removed(assembly, coordinator):
    meeting = meeting_create(assembly, state=M.OPEN)
    decision = Decision.objects.create(meeting=meeting, text="M", outcome="adopted", motion_id=3)
    with pytest.raises(ValidationError, match="motion"):
        services.decision_delete(actor=coordinator, decision=decision)
