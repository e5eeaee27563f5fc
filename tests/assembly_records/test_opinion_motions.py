"""A formal opinion is adopted only by a motion voted in a meeting of its assembly: carried,
it is adopted in the close's transaction; rejected, it stays a draft; carried after the claim
left its consultation, it is not adopted and the minutes say why. While the assembly votes on
it, it cannot change nor be put to another motion."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assemblies.models import Meeting
from assemblies.motions import services as motions
from assemblies.motions.models import Motion, MotionKind
from assemblies.records import services
from assemblies.records.models import Decision, Opinion
from assemblies.records.rules import opinion_policy
from audit.models import AuditEntry
from citizens.models import Notification
from core.fsm import fire
from proposals.models import Claim
from proposals.opinions import formal_opinions
from tests.assembly_records.factories import (
    adopt_by_motion,
    assembly_create,
    coordinator_create,
    meeting_create,
    member_add,
    motion_on_opinion,
    registration_create,
)
from tests.citizens.factories import officer_create
from tests.proposals.factories import claim_in_state, close_consultation_now

pytestmark = pytest.mark.django_db


def _entries(obj, action):
    return AuditEntry.objects.filter(object_id=str(obj.pk), action=action)


# Carried, rejected, too late ----------------------------------------------------------------


def test_a_carried_motion_adopts_the_opinion_linked_to_it_and_to_the_minutes(
    opinion, coordinator, officer
):
    motion = adopt_by_motion(opinion, chair=coordinator)
    assert motion.is_closed and motion.outcome == "adopted"
    assert motion.title == f"Adopt the opinion on “{opinion.claim.title}”"
    assert motion.text == "Share the calendar."  # what was voted on
    assert opinion.state == Opinion.State.ADOPTED and opinion.adopted_at is not None
    assert opinion.motion == motion
    decision = Decision.objects.get(motion_id=motion.pk)
    assert opinion.decision == decision and decision.is_adopted
    assert "Share the calendar." in decision.text
    assert formal_opinions(opinion.claim) == [opinion]
    entry = _entries(opinion, "assembly.opinion.adopt").get()
    assert entry.actor is None  # the assembly's vote, not a person
    assert entry.after["motion"] == motion.pk and entry.after["decision"] == decision.pk
    assert motion.title in entry.reason
    told = Notification.objects.filter(verb="assembly.opinion.adopted")
    assert set(told.values_list("user", flat=True)) == {opinion.claim.created_by_id, officer.pk}


def test_the_adoption_is_in_the_closes_transaction(opinion, coordinator, monkeypatch):
    motion = motion_on_opinion(opinion, chair=coordinator)
    motions.vote_cast(actor=coordinator, motion=motion, choice="yes")

    def broken(*args, **kwargs):
        raise RuntimeError("notification store down")

    monkeypatch.setattr("assemblies.records.services.notify", broken)
    with pytest.raises(RuntimeError):
        motions.motion_close(actor=coordinator, motion=motion)
    motion.refresh_from_db()
    opinion.refresh_from_db()
    assert motion.is_open and opinion.is_draft
    assert not Decision.objects.filter(motion_id=motion.pk).exists()


@pytest.mark.parametrize("choice", ["no", "abstain"])
def test_a_rejected_motion_leaves_the_opinion_a_draft(opinion, coordinator, choice):
    motion = adopt_by_motion(opinion, chair=coordinator, choice=choice)
    assert motion.outcome == "rejected"
    assert opinion.is_draft and opinion.motion is None and opinion.decision is None
    assert formal_opinions(opinion.claim) == []
    entry = _entries(opinion, "assembly.opinion.not_adopted").get()
    assert entry.after == {
        "motion": motion.pk,
        "outcome": "rejected",
        "decision": Decision.objects.get(motion_id=motion.pk).pk,
    }
    # It can be amended and put to a new motion, which carries it.
    services.opinion_edit(actor=coordinator, opinion=opinion, text="Share the calendar, please.")
    second = adopt_by_motion(opinion, chair=coordinator, meeting=motion.meeting)
    assert opinion.is_adopted and opinion.motion == second
    assert second.text == "Share the calendar, please."


def test_a_consent_motion_blocked_by_an_objection_does_not_adopt(opinion, coordinator, assembly):
    meeting = meeting_create(assembly, state=Meeting.State.OPEN, chair=coordinator)
    objector = member_add(assembly)
    registration_create(meeting, objector, checked_in=True)
    registration_create(meeting, coordinator, checked_in=True)
    motion = motions.motion_create(
        actor=coordinator, meeting=meeting, title="", kind=MotionKind.CONSENT, opinion=opinion
    )
    motions.motion_open(actor=coordinator, motion=motion)
    motions.vote_cast(actor=coordinator, motion=motion, choice="consent")
    motions.vote_cast(actor=objector, motion=motion, choice="object", reason="Too vague.")
    motions.motion_close(actor=coordinator, motion=motion)
    opinion.refresh_from_db()
    assert Motion.objects.get(pk=motion.pk).outcome == "blocked"
    assert opinion.is_draft


def test_carried_after_the_claim_left_consultation_it_is_not_adopted(opinion, coordinator):
    motion = motion_on_opinion(opinion, chair=coordinator)
    motions.vote_cast(actor=coordinator, motion=motion, choice="yes")
    close_consultation_now(opinion.claim)  # the consultation ends during the vote
    motions.motion_close(actor=coordinator, motion=motion)
    motion.refresh_from_db()
    opinion.refresh_from_db()
    assert motion.outcome == "adopted"  # the vote's outcome is recorded as it was
    assert opinion.is_draft and opinion.motion is None
    decision = Decision.objects.get(motion_id=motion.pk)
    assert decision.outcome == "adopted"
    assert "not adopted: the claim was no longer in public consultation" in decision.text
    entry = _entries(opinion, "assembly.opinion.not_adopted").get()
    assert "no longer in public consultation" in entry.reason
    assert formal_opinions(opinion.claim) == []


def test_the_consultation_deadline_passing_counts_as_leaving_it(opinion, coordinator):
    motion = motion_on_opinion(opinion, chair=coordinator)
    motions.vote_cast(actor=coordinator, motion=motion, choice="yes")
    Claim.objects.filter(pk=opinion.claim_id).update(
        consultation_ends_at=timezone.now() - dt.timedelta(minutes=1)
    )
    motions.motion_close(actor=coordinator, motion=motion)
    opinion.refresh_from_db()
    assert opinion.is_draft


# While the assembly votes on it -------------------------------------------------------------


def test_an_opinion_being_voted_on_cannot_change_nor_be_withdrawn(opinion, coordinator):
    motion = motion_on_opinion(opinion, chair=coordinator)
    with pytest.raises(ValidationError, match="voting on this opinion"):
        services.opinion_edit(actor=coordinator, opinion=opinion, text="Changed.")
    with pytest.raises(ValidationError, match="voting on this opinion"):
        services.opinion_withdraw(actor=coordinator, opinion=opinion, reason="Changed our mind.")
    motions.vote_cast(actor=coordinator, motion=motion, choice="no")
    motions.motion_close(actor=coordinator, motion=motion)
    services.opinion_edit(actor=coordinator, opinion=opinion, text="Changed.")


def test_an_opinion_is_put_to_one_motion_at_a_time(opinion, coordinator, assembly):
    first = motion_on_opinion(opinion, chair=coordinator, open_it=False)
    with pytest.raises(ValidationError) as info:
        motion_on_opinion(opinion, chair=coordinator, meeting=first.meeting, open_it=False)
    assert "already put to the motion" in str(info.value.error_dict["opinion"])
    other_meeting = meeting_create(assembly, state=Meeting.State.PLANNED, chair=coordinator)
    with pytest.raises(ValidationError, match="already put to the motion"):
        motion_on_opinion(opinion, chair=coordinator, meeting=other_meeting, open_it=False)
    motions.motion_open(actor=coordinator, motion=first)
    with pytest.raises(ValidationError, match="already put to the motion"):
        motion_on_opinion(opinion, chair=coordinator, meeting=other_meeting, open_it=False)
    assert Motion.objects.filter(opinion=opinion).count() == 1


def test_a_draft_motion_left_in_a_closed_meeting_does_not_hold_the_opinion(
    opinion, coordinator, assembly
):
    stale = motion_on_opinion(opinion, chair=coordinator, open_it=False)
    fire(stale.meeting, "close", actor=None)
    motion = adopt_by_motion(opinion, chair=coordinator)
    assert opinion.motion == motion


def test_the_database_allows_one_open_vote_per_opinion(opinion, assembly):
    meeting = meeting_create(assembly, state=Meeting.State.OPEN)
    Motion.objects.create(meeting=meeting, title="One", opinion=opinion, state="open")
    with pytest.raises(IntegrityError), transaction.atomic():
        Motion.objects.create(meeting=meeting, title="Two", opinion=opinion, state="open")
    with pytest.raises(IntegrityError), transaction.atomic():
        Motion.objects.create(meeting=meeting, title="Options", opinion=opinion, kind="options")


def test_two_draft_motions_on_one_opinion_cannot_both_open(opinion, coordinator, assembly):
    """Drafted before the service check existed, or by hand: the second opening is refused."""
    first = motion_on_opinion(opinion, chair=coordinator)
    second = Motion.objects.create(meeting=first.meeting, title="Again", opinion=opinion)
    with pytest.raises(ValidationError, match="already being voted on|being voted on"):
        motions.motion_open(actor=coordinator, motion=second)
    assert Motion.objects.get(pk=second.pk).is_draft


def test_opening_checks_the_opinion_again_and_takes_its_current_text(opinion, coordinator):
    motion = motion_on_opinion(opinion, chair=coordinator, open_it=False)
    services.opinion_edit(actor=coordinator, opinion=opinion, text="Amended before the vote.")
    motions.motion_open(actor=coordinator, motion=motion)
    motion.refresh_from_db()
    assert motion.text == "Amended before the vote."

    late = services.opinion_draft(
        actor=coordinator,
        assembly=opinion.assembly,
        claim=claim_in_state(Claim.State.CONSULTATION),
        text="Late.",
    )
    waiting = motion_on_opinion(late, chair=coordinator, meeting=motion.meeting, open_it=False)
    close_consultation_now(late.claim)
    with pytest.raises(ValidationError, match="no longer in public consultation"):
        motions.motion_open(actor=coordinator, motion=waiting)
    assert Motion.objects.get(pk=waiting.pk).is_draft


# What can be put to the vote ----------------------------------------------------------------


def test_only_a_draft_of_the_meetings_assembly_on_a_claim_in_consultation(
    opinion, coordinator, assembly
):
    elsewhere = assembly_create()
    other_chair = coordinator_create(elsewhere)
    foreign = meeting_create(elsewhere, state=Meeting.State.OPEN, chair=other_chair)
    with pytest.raises(ValidationError) as info:
        motions.motion_create(actor=other_chair, meeting=foreign, title="", opinion=opinion)
    assert "this meeting's assembly" in str(info.value.error_dict["opinion"])
    meeting = meeting_create(assembly, state=Meeting.State.OPEN, chair=coordinator)
    with pytest.raises(ValidationError) as info:
        motions.motion_create(
            actor=coordinator,
            meeting=meeting,
            title="",
            kind=MotionKind.OPTIONS,
            options=["A", "B"],
            opinion=opinion,
        )
    assert "kind" in info.value.error_dict
    with pytest.raises(ValidationError) as info:
        motions.motion_create(
            actor=coordinator, meeting=meeting, title="", text="Other words", opinion=opinion
        )
    assert "text" in info.value.error_dict
    member = member_add(assembly)
    with pytest.raises(PermissionDenied):
        motions.motion_create(actor=member, meeting=meeting, title="", opinion=opinion)
    assert not Motion.objects.exists()


def test_nobody_adopts_an_opinion_directly(opinion, coordinator, assembly):
    admin = officer_create()
    for user in (coordinator, member_add(assembly), admin):
        verdict = opinion_policy.allows(user, "adopt", opinion)
        assert not verdict and "adopted by the assembly's vote" in verdict.message
        with pytest.raises(PermissionDenied):
            fire(opinion, "adopt", actor=user, adopted_at=timezone.now())
    assert not opinion_policy.queryset(coordinator, "adopt").exists()
    assert not hasattr(services, "opinion_adopt")
    opinion.refresh_from_db()
    assert opinion.is_draft
