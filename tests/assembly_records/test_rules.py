"""The permission matrices of the records app, generated from its two policy tables: every
action × every actor × every case, and each queryset twin against `allows()`."""

import pytest
from django.contrib.auth.models import AnonymousUser

from assemblies.models import Meeting
from assemblies.motions.models import Motion
from assemblies.records.models import MinutesVersion, Opinion
from assemblies.records.rules import opinion_policy, records_policy
from proposals.models import Claim
from tests.assembly_records.factories import (
    assembly_create,
    coordinator_create,
    meeting_create,
    member_add,
)
from tests.citizens.factories import officer_create, user_create
from tests.proposals.factories import claim_in_state

pytestmark = pytest.mark.django_db
M = Meeting.State

ANON, USER, MEMBER, COORD, CHAIR = "anonymous", "user", "member", "coordinator", "chair"
OTHER_COORD, OFFICER = "coordinator elsewhere", "officer"
ROLES = [ANON, USER, MEMBER, COORD, CHAIR, OTHER_COORD, OFFICER]
RUNNERS = {COORD, CHAIR}


def every(roles, cases):
    return {(role, case) for role in roles for case in cases}


@pytest.fixture
def people():
    assembly = assembly_create()
    elsewhere = assembly_create()
    users = {
        ANON: AnonymousUser(),
        USER: user_create(),
        MEMBER: member_add(assembly),
        COORD: coordinator_create(assembly),
        CHAIR: user_create(),
        OTHER_COORD: coordinator_create(elsewhere),
        OFFICER: officer_create(),
    }
    return assembly, users


# Meetings: a case is a state; "closed, no minutes" and "closed, in person" test the checks.
NO_MINUTES, IN_PERSON = "closed, no minutes", "closed, in person"
MEETING_CASES = [*(s.value for s in M), NO_MINUTES, IN_PERSON]
MEETING_ALL = set(MEETING_CASES)
RECORDING = {M.OPEN, M.CLOSED, NO_MINUTES, IN_PERSON}
MEETING_CELLS = {
    "view_attendance": every(ROLES, RECORDING | {M.MINUTES_PUBLISHED}),
    "view_attendees": every(RUNNERS, MEETING_ALL),
    "mark_attendance": every(RUNNERS, {M.OPEN, M.CLOSED, NO_MINUTES}),
    "draft_minutes": every(RUNNERS, RECORDING),
    "record_decision": every(RUNNERS, RECORDING),
    "publish_minutes": every(RUNNERS, {M.CLOSED, IN_PERSON}),
    "view_minutes": every(ROLES, {M.MINUTES_PUBLISHED}) | every(RUNNERS, RECORDING),
}


def meeting_for(assembly, chair, case) -> Meeting:
    state = {NO_MINUTES: M.CLOSED, IN_PERSON: M.CLOSED}.get(case, case)
    kind = Meeting.Kind.IN_PERSON if case == IN_PERSON else Meeting.Kind.HYBRID
    meeting = meeting_create(assembly, state=state, kind=kind, chair=chair)
    if state in (M.OPEN, M.CLOSED) and case != NO_MINUTES:
        MinutesVersion.objects.create(meeting=meeting, number=1, text="Minutes")
    return meeting


def test_every_action_of_every_table_has_its_cells():
    assert set(records_policy.rules) == set(MEETING_CELLS)
    assert set(opinion_policy.rules) == set(OPINION_CELLS)


def test_meeting_records_matrix(people):
    assembly, users = people
    meetings = {case: meeting_for(assembly, users[CHAIR], case) for case in MEETING_CASES}
    wrong = []
    for action, cells in MEETING_CELLS.items():
        for role, user in users.items():
            allowed_ids = set(records_policy.queryset(user, action).values_list("pk", flat=True))
            for case, meeting in meetings.items():
                expected = (role, case) in cells
                verdict = records_policy.allows(user, action, meeting)
                if bool(verdict) != expected:
                    wrong.append((action, role, case, "allows", verdict.reason))
                if (meeting.pk in allowed_ids) != expected:
                    wrong.append((action, role, case, "queryset"))
    assert wrong == []


# Opinions: the opinion's state × whether its claim is still in consultation; and two drafts
# on a claim in consultation put to a motion: being voted on, and after a rejected vote.
IN_CONSULTATION, AFTER = "claim in consultation", "claim in technical review"
IN_VOTE, VOTED_DOWN = "in consultation, being voted on", "in consultation, motion rejected"
OPINION_CASES = [(s.value, c) for s in Opinion.State for c in (IN_CONSULTATION, AFTER)] + [
    ("draft", IN_VOTE),
    ("draft", VOTED_DOWN),
]
OPINION_ALL = set(OPINION_CASES)
PUT_TO_VOTE = {("draft", IN_VOTE), ("draft", VOTED_DOWN)}
OPINION_CELLS = {
    # Drafts are the coordinators'; a draft put to the vote is public, like its motion.
    "view": every(ROLES, {c for c in OPINION_ALL if c[0] != "draft"} | PUT_TO_VOTE)
    | every({COORD}, OPINION_ALL),
    "create": every({COORD}, {("draft", IN_CONSULTATION), *PUT_TO_VOTE}),
    # Not while the assembly votes on it.
    "edit": every({COORD}, {("draft", IN_CONSULTATION), ("draft", VOTED_DOWN)}),
    # Nobody: only a carried motion adopts an opinion (the system fires "adopt").
    "adopt": set(),
    # Withdrawing needs an undecided claim: technical review is still open.
    "withdraw": every({COORD}, {("draft", IN_CONSULTATION), ("draft", AFTER)})
    | every({COORD}, {("adopted", IN_CONSULTATION), ("adopted", AFTER), ("draft", VOTED_DOWN)}),
}


def _put_to_a_motion(opinion, state):
    meeting = meeting_create(opinion.assembly, state=M.OPEN)
    Motion.objects.create(
        meeting=meeting,
        title="Adopt it",
        opinion=opinion,
        state=state,
        outcome="rejected" if state == Motion.State.CLOSED else "",
    )


def test_opinion_matrix(people):
    assembly, users = people
    opinions = {}
    for state, where in OPINION_CASES:
        claim = claim_in_state(
            Claim.State.TECHNICAL_REVIEW if where == AFTER else Claim.State.CONSULTATION
        )
        opinions[(state, where)] = opinion = Opinion.objects.create(
            assembly=assembly,
            claim=claim,
            text="x",
            state=state,
            adopted_at=claim.created_at if state != "draft" else None,
        )
        if where in (IN_VOTE, VOTED_DOWN):
            _put_to_a_motion(opinion, Motion.State.OPEN if where == IN_VOTE else "closed")
    wrong = []
    for action, cells in OPINION_CELLS.items():
        for role, user in users.items():
            allowed_ids = set(opinion_policy.queryset(user, action).values_list("pk", flat=True))
            for case, opinion in opinions.items():
                expected = (role, case) in cells
                verdict = opinion_policy.allows(user, action, opinion)
                if bool(verdict) != expected:
                    wrong.append((action, role, case, "allows", verdict.reason))
                if (opinion.pk in allowed_ids) != expected:
                    wrong.append((action, role, case, "queryset"))
    assert wrong == []
