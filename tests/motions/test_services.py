"""Motions: every transition and refusal of the services."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assemblies.models import MeetingKind, MeetingState
from assemblies.motions import services
from assemblies.motions.models import (
    Motion,
    MotionKind,
    MotionState,
    Objection,
    ObjectionState,
    Outcome,
    Participation,
    Vote,
)
from audit.models import AuditEntry
from tests.motions.factories import member_make, motion_make, register, setup

pytestmark = pytest.mark.django_db


def test_draft_open_close_copies_the_charter_and_records_the_outcome():
    s = setup(members=3, quorum=50)
    motion = motion_make(s["meeting"], s["chair"], open_it=False)
    assert motion.state == MotionState.DRAFT
    services.motion_open(actor=s["chair"], motion=motion)
    motion.refresh_from_db()
    assert motion.state == MotionState.OPEN
    assert (motion.quorum_percent, motion.majority) == (50, "simple")
    assert motion.consent_rule == "Two thirds of those present"
    assert motion.eligible == 4  # the chair (a coordinator) and three members; not the observer
    a, b, c = s["voters"]
    services.vote_cast(actor=a, motion=motion, choice="yes")
    services.vote_cast(actor=b, motion=motion, choice="yes")
    services.vote_cast(actor=c, motion=motion, choice="no")
    services.motion_close(actor=s["chair"], motion=motion)
    motion.refresh_from_db()
    assert motion.state == MotionState.CLOSED and motion.outcome == Outcome.ADOPTED
    assert motion.tally["counts"] == {"yes": 2, "no": 1}
    assert motion.tally["voters"] == 3 and motion.tally["quorum_needed"] == 2
    entry = AuditEntry.objects.filter(action="motion.close").get()
    assert entry.after["outcome"] == "adopted"
    assert AuditEntry.objects.filter(action="motion.open").exists()


def test_below_quorum_the_motion_fails_for_want_of_quorum():
    s = setup(members=3, quorum=75)
    motion = motion_make(s["meeting"], s["chair"])
    services.vote_cast(actor=s["voters"][0], motion=motion, choice="yes")
    services.motion_close(actor=s["chair"], motion=motion)
    motion.refresh_from_db()
    assert motion.outcome == Outcome.NO_QUORUM


def test_majorities():
    s = setup(members=3, quorum=0, majority="two_thirds")
    motion = motion_make(s["meeting"], s["chair"])
    a, b, c = s["voters"]
    for voter, choice in ((a, "yes"), (b, "yes"), (c, "no")):
        services.vote_cast(actor=voter, motion=motion, choice=choice)
    assert services.motion_close(actor=s["chair"], motion=motion).outcome == Outcome.ADOPTED
    s = setup(members=3, quorum=0, majority="absolute")
    motion = motion_make(s["meeting"], s["chair"])
    for voter, choice in ((a, "yes"), (b, "yes"))[:0]:
        services.vote_cast(actor=voter, motion=motion, choice=choice)
    a, b, c = s["voters"]
    services.vote_cast(actor=a, motion=motion, choice="yes")
    services.vote_cast(actor=b, motion=motion, choice="yes")
    # 2 of 4 voting members is not more than half of them
    assert services.motion_close(actor=s["chair"], motion=motion).outcome == Outcome.REJECTED


def test_options_the_most_voted_option_wins_a_tie_rejects():
    s = setup(members=3, quorum=0)
    motion = motion_make(
        s["meeting"], s["chair"], kind=MotionKind.OPTIONS, options=["Tuesday", "Thursday"]
    )
    tue, thu = motion.options.all()
    a, b, c = s["voters"]
    services.vote_cast(actor=a, motion=motion, choice="option", option_id=tue.pk)
    services.vote_cast(actor=b, motion=motion, choice="option", option_id=tue.pk)
    services.vote_cast(actor=c, motion=motion, choice="option", option_id=thu.pk)
    closed = services.motion_close(actor=s["chair"], motion=motion)
    assert closed.outcome == Outcome.ADOPTED and closed.winning_option == tue
    motion = motion_make(s["meeting"], s["chair"], kind=MotionKind.OPTIONS, options=["x", "y"])
    x, y = motion.options.all()
    services.vote_cast(actor=a, motion=motion, choice="option", option_id=x.pk)
    services.vote_cast(actor=b, motion=motion, choice="option", option_id=y.pk)
    assert services.motion_close(actor=s["chair"], motion=motion).outcome == Outcome.REJECTED
    with pytest.raises(ValidationError):
        services.motion_create(
            actor=s["chair"],
            meeting=s["meeting"],
            title="t",
            kind=MotionKind.OPTIONS,
            options=["a"],
        )


def test_secret_votes_carry_no_person_named_votes_do():
    s = setup(members=2, quorum=0)
    secret = motion_make(s["meeting"], s["chair"], secret=True)
    named = motion_make(s["meeting"], s["chair"])
    a = s["voters"][0]
    services.vote_cast(actor=a, motion=secret, choice="yes")
    services.vote_cast(actor=a, motion=named, choice="no")
    assert Vote.objects.get(motion=secret).user is None
    assert Vote.objects.get(motion=named).user == a
    assert Participation.objects.filter(user=a).count() == 2
    services.motion_close(actor=s["chair"], motion=secret)
    services.motion_close(actor=s["chair"], motion=named)
    minutes = list(Motion.objects.for_minutes(s["meeting"]))
    assert [m.pk for m in minutes] == [secret.pk, named.pk]
    assert minutes[0].named_votes == []
    assert [(v.user, v.choice) for v in minutes[1].named_votes] == [(a, "no")]


def test_refusals_twice_without_checkin_after_close_non_member_observer():
    s = setup(members=2, kind=MeetingKind.IN_PERSON)
    motion = motion_make(s["meeting"], s["chair"])
    a = s["voters"][0]
    services.vote_cast(actor=a, motion=motion, choice="yes")
    with pytest.raises(ValidationError, match="already voted"):
        services.vote_cast(actor=a, motion=motion, choice="no")
    absent = member_make(s["assembly"])
    register(s["meeting"], absent)  # registered, not checked in, at an in-person meeting
    with pytest.raises(ValidationError, match="Check in"):
        services.vote_cast(actor=absent, motion=motion, choice="yes")
    with pytest.raises(PermissionDenied, match="members"):
        services.vote_cast(actor=s["outsider"], motion=motion, choice="yes")
    with pytest.raises(PermissionDenied, match="Observers"):
        services.vote_cast(actor=s["observer"], motion=motion, choice="yes")
    with pytest.raises(ValidationError):
        services.vote_cast(actor=s["voters"][1], motion=motion, choice="maybe")
    services.motion_close(actor=s["chair"], motion=motion)
    with pytest.raises(ValidationError):
        services.vote_cast(actor=s["voters"][1], motion=motion, choice="yes")
    assert Participation.objects.filter(motion=motion).count() == 1


def test_online_members_registered_for_a_hybrid_meeting_vote_without_checkin():
    s = setup(members=1, kind=MeetingKind.HYBRID)
    online = member_make(s["assembly"])
    register(s["meeting"], online)
    unregistered = member_make(s["assembly"])
    motion = motion_make(s["meeting"], s["chair"])
    services.vote_cast(actor=online, motion=motion, choice="yes")
    with pytest.raises(ValidationError, match="Register"):
        services.vote_cast(actor=unregistered, motion=motion, choice="yes")


def test_only_the_chair_drafts_opens_and_closes_and_only_in_an_open_meeting():
    s = setup(members=1)
    with pytest.raises(PermissionDenied):
        services.motion_create(actor=s["voters"][0], meeting=s["meeting"], title="x")
    motion = motion_make(s["meeting"], s["chair"], open_it=False)
    with pytest.raises(PermissionDenied):
        services.motion_open(actor=s["voters"][0], motion=motion)
    s["meeting"].state = MeetingState.PLANNED
    s["meeting"].save(update_fields=["state"])
    motion.meeting.refresh_from_db()
    with pytest.raises(ValidationError, match="not in progress"):
        services.motion_open(actor=s["chair"], motion=motion)
    with pytest.raises(ValidationError):
        services.motion_close(actor=s["chair"], motion=motion)  # a draft does not close


def test_consent_objection_needs_a_reason_and_blocks_until_withdrawn_or_overruled():
    s = setup(members=3, quorum=0)
    a, b, c = s["voters"]
    with pytest.raises(ValidationError):
        services.motion_create(
            actor=s["chair"], meeting=s["meeting"], title="x", kind=MotionKind.CONSENT, secret=True
        )
    motion = motion_make(s["meeting"], s["chair"], kind=MotionKind.CONSENT)
    with pytest.raises(ValidationError, match="why"):
        services.vote_cast(actor=a, motion=motion, choice="object", reason="  ")
    services.vote_cast(actor=a, motion=motion, choice="object", reason="It excludes newcomers")
    services.vote_cast(actor=b, motion=motion, choice="object", reason="Too early")
    services.vote_cast(actor=c, motion=motion, choice="consent")
    first, second = Objection.objects.filter(motion=motion)
    with pytest.raises(PermissionDenied):
        services.objection_withdraw(actor=b, objection=first)  # not b's
    services.objection_withdraw(actor=a, objection=first)
    with pytest.raises(ValidationError, match="rule"):
        services.objection_overrule(actor=s["chair"], objection=second, reason="")
    with pytest.raises(PermissionDenied):
        services.objection_overrule(actor=c, objection=second, reason="because")
    services.objection_overrule(actor=s["chair"], objection=second, reason="Charter §4")
    second.refresh_from_db()
    assert second.state == ObjectionState.OVERRULED and second.overrule_reason == "Charter §4"
    assert AuditEntry.objects.filter(action="objection.overrule", reason="Charter §4").exists()
    assert AuditEntry.objects.filter(action="objection.withdraw").exists()
    assert services.motion_close(actor=s["chair"], motion=motion).outcome == Outcome.ADOPTED


def test_a_standing_objection_blocks_adoption():
    s = setup(members=2, quorum=0)
    motion = motion_make(s["meeting"], s["chair"], kind=MotionKind.CONSENT)
    services.vote_cast(actor=s["voters"][0], motion=motion, choice="object", reason="No")
    services.vote_cast(actor=s["voters"][1], motion=motion, choice="consent")
    assert services.motion_close(actor=s["chair"], motion=motion).outcome == Outcome.BLOCKED
    objection = Objection.objects.get(motion=motion)
    with pytest.raises(ValidationError, match="closed"):
        services.objection_withdraw(actor=s["voters"][0], objection=objection)


def test_room_tablet_pairing_token_and_cast():
    s = setup(members=2)
    a, b = s["voters"]
    motion = motion_make(s["meeting"], s["chair"])
    code = services.pairing_code(actor=s["chair"], meeting=s["meeting"])
    tablet, credential = services.tablet_pair(code=code, label="Front row")
    with pytest.raises(ValidationError):
        services.tablet_pair(code=code)  # single use
    token = services.token_issue(actor=s["chair"], motion=motion, tablet=tablet, user=a)
    state = services.kiosk_state(tablet)
    assert state["token"]["member"] == a.get_full_name()
    raw = state["token"]["token"]
    services.tablet_cast(credential=credential, token=raw, choice="yes")
    token.refresh_from_db()
    assert token.state == "used"
    with pytest.raises(ValidationError):
        services.tablet_cast(credential=credential, token=raw, choice="no")  # one time
    with pytest.raises(ValidationError, match="already voted"):
        services.token_issue(actor=s["chair"], motion=motion, tablet=tablet, user=a)
    with pytest.raises(PermissionDenied):
        services.token_issue(actor=b, motion=motion, tablet=tablet, user=b)
    # A member registered online only is not in the room: no tablet for them.
    online = member_make(s["assembly"])
    register(s["meeting"], online)
    with pytest.raises(ValidationError, match="Check in"):
        services.token_issue(actor=s["chair"], motion=motion, tablet=tablet, user=online)
    services.checkin_member(actor=s["chair"], meeting=s["meeting"], user=online)
    services.token_issue(actor=s["chair"], motion=motion, tablet=tablet, user=online)
    services.tablet_revoke(actor=s["chair"], tablet=tablet)
    with pytest.raises(ValidationError, match="not paired"):
        services.tablet_cast(credential=credential, token="x", choice="yes")
    assert Participation.objects.filter(motion=motion).count() == 1
