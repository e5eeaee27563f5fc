"""The permission matrices, generated from the policy tables: every action of each table ×
every role × every state, and the tables' queryset twins against their answers.

Each table below lists, per action, the (role, case) cells where it is allowed; every other
cell must be refused. The loops walk the *policy's* table, so an action added to a policy
without its cells here fails `test_every_action_of_every_table_has_its_cells`.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from citizens.rules import Role, permissions_by_name
from core.policy import ImproperlyConfiguredRule
from proposals import rules
from proposals.models import Claim, ClaimCoauthor, ReviewRequest
from proposals.models.claims import OPEN_STATES
from proposals.rules import (
    claim_policy,
    coauthor_policy,
    resource_policy,
    review_policy,
)
from tests.citizens.factories import department_create, officer_create, resident_create, user_create
from tests.proposals.factories import claim_in_state

pytestmark = pytest.mark.django_db
S = Claim.State

ANON, UNVERIFIED, RESIDENT, PROPOSER = "anonymous", "unverified", "resident", "proposer"
INVITED, OFFICER, REVIEWER = "invited co-author", "officer", "reviewer"
MODERATOR, ADMIN = "moderator", "administrator"
ROLES = [ANON, UNVERIFIED, RESIDENT, PROPOSER, INVITED, OFFICER, REVIEWER, MODERATOR, ADMIN]
CITY = {OFFICER, REVIEWER, ADMIN}
SIGNED_IN = set(ROLES) - {ANON}


def every(roles, cases):
    return {(role, case) for role in roles for case in cases}


# Claims: a case is a state, on the ordinary track unless it says "complex".
TR_COMPLEX = "technical_review (complex)"
CLAIM_CASES = [*(s.value for s in S), TR_COMPLEX]
TRACKS = {TR_COMPLEX: "complex", S.EXECUTIVE_DELIBERATION: "complex"}
ALL = set(CLAIM_CASES)
PUBLIC = ALL - {S.DRAFT}
OPEN = {s.value for s in OPEN_STATES} | {TR_COMPLEX}
CONSULTATION = {S.CONSULTATION}

CLAIM_CELLS = {
    "list": every(ROLES, PUBLIC),
    "view": every(set(ROLES) - {PROPOSER, INVITED, ADMIN}, PUBLIC)
    | every({PROPOSER, INVITED, ADMIN}, ALL),
    "handle": every(CITY, OPEN),
    "view_file": every(CITY, PUBLIC),
    "create": every({RESIDENT, PROPOSER, INVITED}, ALL),
    "edit": every({PROPOSER}, {S.DRAFT, S.AWAITING_DOCUMENTS}),
    "delete": every({PROPOSER}, {S.DRAFT}),
    "invite_coauthor": every({PROPOSER}, {S.DRAFT}),
    "answer_invitation": every({INVITED}, OPEN | {S.DRAFT}),
    "submit": every({PROPOSER}, {S.DRAFT}),
    "provide_documents": every({PROPOSER}, {S.AWAITING_DOCUMENTS}),
    "withdraw": every({PROPOSER}, OPEN),
    "support": every({RESIDENT, INVITED}, CONSULTATION),
    "unsupport": every(SIGNED_IN, CONSULTATION),  # the service then asks "do you support it?"
    "comment": every({RESIDENT, PROPOSER, INVITED}, CONSULTATION),
    "object": every({RESIDENT, INVITED}, CONSULTATION),
    "start_screening": every(CITY, {S.SUBMITTED}),
    "screen": every(CITY, {S.SCREENING}),
    "request_review": every(CITY, {S.CONSULTATION, S.TECHNICAL_REVIEW, TR_COMPLEX}),
    "refer_to_executive": every(CITY, {TR_COMPLEX}),
    "approve": every(CITY, {S.TECHNICAL_REVIEW, S.EXECUTIVE_DELIBERATION}),
    "reject": every(CITY, {S.TECHNICAL_REVIEW, TR_COMPLEX, S.EXECUTIVE_DELIBERATION}),
    "add_resource": every(CITY, PUBLIC),  # the matrix's claims name a new location
}

# Reviews: the review's state, and a pending one whose claim was decided meanwhile.
PENDING_ON_CLOSED = "pending, claim decided"
REVIEW_CASES = ["pending", "answered", "cancelled", PENDING_ON_CLOSED]
REVIEW_CELLS = {
    "answer": every({REVIEWER, ADMIN}, {"pending"}),
    "cancel": every(CITY, {"pending"}),
}

# Invitations to co-author a draft: the invited resident's, in each of its states.
COAUTHOR_CASES = ["pending", "accepted", "declined"]
COAUTHOR_CELLS = {
    "answer": every({INVITED}, {"pending"}),
    "reinvite": every({PROPOSER}, {"declined"}),
}

RESOURCE_CASES = ["any"]
RESOURCE_CELLS = {"view": every(ROLES, RESOURCE_CASES), "manage": every(CITY, RESOURCE_CASES)}

TABLES = [
    (claim_policy, CLAIM_CELLS),
    (review_policy, REVIEW_CELLS),
    (resource_policy, RESOURCE_CELLS),
    (coauthor_policy, COAUTHOR_CELLS),
]


@pytest.mark.parametrize(("policy", "cells"), TABLES, ids=lambda p: getattr(p, "label", ""))
def test_every_action_of_every_table_has_its_cells(policy, cells):
    assert set(policy.rules) == set(cells)


def test_every_policy_of_the_app_is_in_the_matrix():
    assert {p.label for p, _cells in TABLES} == {p.label for p in rules.POLICIES}


@pytest.fixture
def people():
    department = department_create()
    return {
        ANON: AnonymousUser(),
        UNVERIFIED: user_create(),
        RESIDENT: resident_create(),
        PROPOSER: resident_create(),
        INVITED: resident_create(),
        OFFICER: officer_create(),
        REVIEWER: officer_create(department=department),
        MODERATOR: user_create(roles=[Role.MODERATOR]),
        ADMIN: user_create(roles=[Role.ADMINISTRATOR]),
    }


def claim_case(case, people) -> Claim:
    state = S.TECHNICAL_REVIEW if case == TR_COMPLEX else case
    claim = claim_in_state(
        state,
        author=people[PROPOSER],
        track=TRACKS.get(case, "ordinary"),
        location_address="Via Nuova 1",
        district="Centro",
    )
    # Invited while a draft and not answered yet (the invitation outlives the draft).
    ClaimCoauthor.objects.create(claim=claim, user=people[INVITED], invited_by=people[PROPOSER])
    return Claim.objects.get(pk=claim.pk)  # fresh: no cached proposers


def walk(policy, cells, obj, case, people) -> list[str]:
    """Every action of the policy's table for every role: the cells that disagree."""
    wrong = []
    for action in policy.rules:
        for role in ROLES:
            allowed = bool(policy.allows(people[role], action, obj))
            expected = (role, case) in cells[action]
            if allowed != expected:
                wrong.append(f"{case}: {role} {action}: got {allowed}, expected {expected}")
    return wrong


@pytest.mark.parametrize("case", CLAIM_CASES)
def test_claim_permission_matrix(case, people):
    claim = claim_case(case, people)
    wrong = walk(claim_policy, CLAIM_CELLS, claim, case, people)
    assert not wrong, "\n".join(wrong)


def test_review_permission_matrix(people):
    claim = claim_in_state(S.CONSULTATION)
    decided = claim_in_state(S.REJECTED)
    department = people[REVIEWER].department
    wrong = []
    for case in REVIEW_CASES:
        review = ReviewRequest(
            claim=decided if case == PENDING_ON_CLOSED else claim,
            department=department,
            state="pending" if case == PENDING_ON_CLOSED else case,
        )
        wrong += walk(review_policy, REVIEW_CELLS, review, case, people)
    assert not wrong, "\n".join(wrong)


def test_coauthor_permission_matrix(people):
    claim = claim_in_state(S.DRAFT, author=people[PROPOSER])
    wrong = []
    for case in COAUTHOR_CASES:
        invitation = ClaimCoauthor(claim=claim, user=people[INVITED], state=case)
        wrong += walk(coauthor_policy, COAUTHOR_CELLS, invitation, case, people)
    assert not wrong, "\n".join(wrong)


def test_resource_permission_matrix(people):
    from tests.proposals.factories import resource_create

    wrong = walk(resource_policy, RESOURCE_CELLS, resource_create(), "any", people)
    assert not wrong, "\n".join(wrong)


def _twins(policy) -> list[str]:
    """The actions whose rule has a queryset twin (lists may ask them)."""
    found = []
    for action in policy.rules:
        try:
            policy.queryset(AnonymousUser(), action)
            policy.queryset(user_create(), action)
        except ImproperlyConfiguredRule:
            continue
        found.append(action)
    return found


def test_the_queryset_twins_list_exactly_what_the_table_allows(people):
    claims = [claim_case(case, people) for case in CLAIM_CASES]
    twins = _twins(claim_policy)
    assert {"list", "view", "handle", "edit", "withdraw", "approve"} <= set(twins)
    wrong = []
    for role in ROLES:
        user = people[role]
        for action in twins:
            listed = set(claim_policy.queryset(user, action).filter(pk__in=[c.pk for c in claims]))
            allowed = {c for c in claims if claim_policy.allows(user, action, c)}
            if listed != allowed:
                wrong.append(f"{role} {action}: listed {len(listed)}, allowed {len(allowed)}")
    assert not wrong, "\n".join(wrong)


def test_the_review_inbox_twin_agrees_with_the_table(people):
    from proposals import services

    claim = claim_in_state(S.CONSULTATION)
    services.review_request(
        actor=people[OFFICER], claim=claim, department=people[REVIEWER].department
    )
    services.review_request(actor=people[OFFICER], claim=claim, department=department_create())
    for role in ROLES:
        user = people[role]
        listed = set(review_policy.queryset(user, "answer"))
        assert listed == {
            r for r in ReviewRequest.objects.all() if review_policy.allows(user, "answer", r)
        }, role
    assert review_policy.queryset(people[ADMIN], "answer").count() == 2


def test_refusals_say_why_and_tell_the_wrong_person_from_the_wrong_moment(people):
    claim = claim_in_state(S.CONSULTATION, author=people[PROPOSER])
    verdict = claim_policy.allows(people[UNVERIFIED], "support", claim)
    assert verdict.wrong_person and "verified residency" in verdict.message
    verdict = claim_policy.allows(people[PROPOSER], "support", claim)
    assert verdict.wrong_person and "own claim" in verdict.message
    verdict = claim_policy.allows(people[OFFICER], "screen", claim)
    assert not verdict.wrong_person and "Public consultation" in verdict.message
    verdict = claim_policy.allows(people[ANON], "support", claim)
    assert verdict.code == "login"


def test_a_complex_claim_in_technical_review_is_refused_approval_with_the_machines_reason(people):
    claim = claim_in_state(S.TECHNICAL_REVIEW, track="complex")
    verdict = claim_policy.allows(people[OFFICER], "approve", claim)
    assert "only after the executive deliberation" in verdict.message


def test_every_permission_name_exists():
    assert set(permissions_by_name(rules.ALL_PERMISSIONS)) == set(rules.ALL_PERMISSIONS)


def test_every_transition_is_guarded_by_an_action_of_the_table_or_is_the_systems():
    system_only = {"close_consultation"}
    for t in Claim.machine:
        if t.name in system_only:
            assert t.action is None
        else:
            assert t.action in claim_policy.rules, t.name
            assert t.name in claim_policy.rules[t.action].moves, t.name
