"""Closing a motion records its outcome as a decision in the meeting's records."""

import pytest

from assemblies.models import MeetingState
from assemblies.motions import services
from assemblies.motions.models import MotionKind, MotionState
from assemblies.records.models import Decision
from audit.models import AuditEntry
from tests.motions.factories import motion_make, setup

pytestmark = pytest.mark.django_db


def _vote(s, motion, choices):
    for voter, choice in zip(s["voters"], choices, strict=False):
        voter.display_name = f"Voter {voter.pk}"
        voter.save(update_fields=["display_name"])
        services.vote_cast(actor=voter, motion=motion, choice=choice)


def test_closing_a_named_motion_records_a_decision_naming_the_voters():
    s = setup(members=3, quorum=50)
    motion = motion_make(s["meeting"], s["chair"])
    _vote(s, motion, ["yes", "yes", "no"])
    services.motion_close(actor=s["chair"], motion=motion)
    decision = Decision.objects.get(motion_id=motion.pk)
    assert decision.meeting == s["meeting"]
    assert decision.outcome == "adopted"
    assert decision.text.startswith("Adopt the garden rules")
    assert decision.votes_summary.startswith("2 yes · 1 no · 0 abstentions")
    a, b, c = s["voters"]
    assert f"Voter {a.pk}" in decision.votes_summary
    assert f"No: Voter {c.pk}" in decision.votes_summary
    assert decision.recorded_by is None


def test_a_secret_motions_decision_names_nobody():
    s = setup(members=3, quorum=50)
    motion = motion_make(s["meeting"], s["chair"], secret=True)
    _vote(s, motion, ["yes", "no", "no"])
    services.motion_close(actor=s["chair"], motion=motion)
    decision = Decision.objects.get(motion_id=motion.pk)
    assert decision.outcome == "rejected"
    assert decision.votes_summary == "1 yes · 2 no · 0 abstentions"
    for voter in s["voters"]:
        assert voter.display_name not in decision.votes_summary
        assert voter.email.split("@")[0] not in decision.votes_summary


def test_options_summary_by_label_and_the_chosen_option():
    s = setup(members=3, quorum=0)
    motion = motion_make(
        s["meeting"], s["chair"], kind=MotionKind.OPTIONS, options=["North", "South"], secret=True
    )
    north = motion.options.get(label="North")
    for voter in s["voters"]:
        services.vote_cast(actor=voter, motion=motion, choice="option", option_id=north.pk)
    services.motion_close(actor=s["chair"], motion=motion)
    decision = Decision.objects.get(motion_id=motion.pk)
    assert decision.votes_summary == "North: 3 votes · South: 0 votes"
    assert "North" in decision.text.splitlines()[-1]


def test_after_the_minutes_are_published_the_close_still_works_and_audit_says_so():
    s = setup(members=3, quorum=0)
    motion = motion_make(s["meeting"], s["chair"])
    services.vote_cast(actor=s["voters"][0], motion=motion, choice="yes")
    type(s["meeting"]).objects.filter(pk=s["meeting"].pk).update(
        state=MeetingState.MINUTES_PUBLISHED
    )
    services.motion_close(actor=s["chair"], motion=motion)
    motion.refresh_from_db()
    assert motion.state == MotionState.CLOSED
    assert not Decision.objects.filter(motion_id=motion.pk).exists()
    assert AuditEntry.objects.filter(action="motion.decision_skipped").exists()
