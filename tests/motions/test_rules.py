"""Permission matrix generated from the motions' policy table: every role × every motion
state × every action, against what the table says."""

import pytest

from assemblies.motions.models import Motion, MotionState, Objection
from assemblies.motions.rules import MOTIONS, OBJECTIONS, Action
from tests.citizens.factories import user_create
from tests.motions.factories import member_make, register, setup

pytestmark = pytest.mark.django_db

# What the table means, written out: role -> {(action, state)} allowed.
EXPECTED = {
    "anonymous": {("view", "open"), ("view", "closed")},
    "outsider": {("view", "open"), ("view", "closed")},
    "observer": {("view", "open"), ("view", "closed")},
    "member_absent": {("view", "open"), ("view", "closed")},
    "member": {("view", "open"), ("view", "closed"), ("vote", "open")},
    "chair": {
        *{("view", s) for s in MotionState.values},
        *{("chair", s) for s in MotionState.values},
        ("edit", "draft"),
        ("open", "draft"),
        ("close", "open"),
        ("discard", "draft"),
        ("vote", "open"),  # the chair is a coordinator, checked in
    },
    "administrator": {
        *{("view", s) for s in MotionState.values},
        *{("chair", s) for s in MotionState.values},
        ("edit", "draft"),
        ("open", "draft"),
        ("close", "open"),
        ("discard", "draft"),
    },
}


def _motion(meeting, state):
    outcome = "rejected" if state == MotionState.CLOSED else ""
    return Motion.objects.create(meeting=meeting, title=state, state=state, outcome=outcome)


@pytest.fixture
def people():
    from django.contrib.auth.models import AnonymousUser

    from assemblies.models import MeetingKind

    s = setup(members=1, kind=MeetingKind.IN_PERSON)
    register(s["meeting"], s["chair"], checked_in=True)
    absent = member_make(s["assembly"])
    register(s["meeting"], absent)
    admin = user_create(is_superuser=True, is_staff=True)
    return s, {
        "anonymous": AnonymousUser(),
        "outsider": s["outsider"],
        "observer": s["observer"],
        "member_absent": absent,
        "member": s["voters"][0],
        "chair": s["chair"],
        "administrator": admin,
    }


def test_every_action_of_the_table_is_in_the_matrix():
    assert {str(a) for a in MOTIONS.rules} == {
        "view",
        "chair",
        "edit",
        "open",
        "close",
        "vote",
        "discard",
    }
    assert {str(a) for a in OBJECTIONS.rules} == {"withdraw", "overrule"}


def test_motion_permission_matrix(people):
    s, roles = people
    for state in MotionState.values:
        motion = _motion(s["meeting"], state)
        for role, user in roles.items():
            for action in MOTIONS.rules:
                allowed = bool(MOTIONS.allows(user, action, motion))
                expected = (str(action), state) in EXPECTED[role]
                assert allowed == expected, (role, str(action), state)


def test_objection_matrix(people):
    s, roles = people
    motion = Motion.objects.create(meeting=s["meeting"], title="c", kind="consent", state="open")
    objection = Objection.objects.create(motion=motion, user=s["voters"][0], reason="No")
    for role, user in roles.items():
        assert bool(OBJECTIONS.allows(user, Action.WITHDRAW, objection)) == (role == "member")
        assert bool(OBJECTIONS.allows(user, Action.OVERRULE, objection)) == (
            role in ("chair", "administrator")
        )
    motion.state = MotionState.CLOSED
    assert not OBJECTIONS.allows(roles["member"], Action.WITHDRAW, objection)
    assert not OBJECTIONS.allows(roles["chair"], Action.OVERRULE, objection)


def test_querysets_agree_with_the_verdicts(people):
    s, roles = people
    for state in MotionState.values:
        _motion(s["meeting"], state)
    for role in ("chair", "member", "outsider"):
        user = roles[role]
        for action in (Action.VIEW, Action.VOTE, Action.CHAIR, Action.DISCARD):
            listed = set(MOTIONS.queryset(user, action).values_list("pk", flat=True))
            allowed = {m.pk for m in Motion.objects.all() if MOTIONS.allows(user, action, m)}
            if action == Action.VOTE:
                assert allowed <= listed  # the list cannot see check-ins: it is wider
            else:
                assert listed == allowed, (role, str(action))
