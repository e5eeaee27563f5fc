"""The permission matrix: role × claim state × action, and the rules' queryset twins."""

import pytest
from django.contrib.auth.models import AnonymousUser

from citizens.rules import Role, permissions_by_name
from proposals import rules
from proposals.models import Claim, Comment, ReviewRequest
from proposals.workflow import OPEN_STATES
from tests.citizens.factories import department_create, officer_create, resident_create, user_create
from tests.proposals.factories import claim_in_state

pytestmark = pytest.mark.django_db
S = Claim.State

ANON, UNVERIFIED, RESIDENT, PROPOSER = "anonymous", "unverified", "resident", "proposer"
OFFICER, REVIEWER, MODERATOR, ADMIN = "officer", "reviewer", "moderator", "administrator"
ROLES = [ANON, UNVERIFIED, RESIDENT, PROPOSER, OFFICER, REVIEWER, MODERATOR, ADMIN]
CITY = {OFFICER, REVIEWER, ADMIN}

ALL = set(S)
PUBLIC = ALL - {S.DRAFT}
OPEN = set(OPEN_STATES)


def every(roles, states):
    return {(role, state) for role in roles for state in states}


# action -> the (role, state) pairs where it is allowed; everything else is refused.
ALLOWED = {
    "view": every(set(ROLES) - {PROPOSER, ADMIN}, PUBLIC) | every({PROPOSER, ADMIN}, ALL),
    "edit": every({PROPOSER}, {S.DRAFT, S.AWAITING_DOCUMENTS}),
    "submit": every({PROPOSER}, {S.DRAFT}),
    "support": every({RESIDENT}, {S.CONSULTATION}),
    "comment": every({RESIDENT, PROPOSER}, {S.CONSULTATION}),
    "object": every({RESIDENT}, {S.CONSULTATION}),
    "start_screening": every(CITY, {S.SUBMITTED}),
    "screen": every(CITY, {S.SCREENING}),
    "request_documents": every(CITY, {S.SCREENING}),
    "provide_documents": every({PROPOSER}, {S.AWAITING_DOCUMENTS}),
    "request_review": every(CITY, {S.CONSULTATION, S.TECHNICAL_REVIEW}),
    "answer_review": every({REVIEWER, ADMIN}, {S.CONSULTATION, S.TECHNICAL_REVIEW}),
    "refer_to_executive": set(),  # ordinary claims never; see the complex test below
    # technical_review is an ordinary claim here, executive_deliberation a complex one.
    "decide": every(CITY, {S.TECHNICAL_REVIEW, S.EXECUTIVE_DELIBERATION}),
    "withdraw": every({PROPOSER}, OPEN),
    "hide_comment": every({MODERATOR, ADMIN}, ALL),
}


@pytest.fixture
def people():
    department = department_create()
    return {
        ANON: AnonymousUser(),
        UNVERIFIED: user_create(),
        RESIDENT: resident_create(),
        PROPOSER: resident_create(),
        OFFICER: officer_create(),
        REVIEWER: officer_create(department=department),
        MODERATOR: user_create(roles=[Role.MODERATOR]),
        ADMIN: user_create(roles=[Role.ADMINISTRATOR]),
    }


def verdicts(user, claim, department) -> dict[str, bool]:
    review = ReviewRequest(claim=claim, department=department, state="pending")
    comment = Comment(claim=claim, body="Hello")
    return {
        "view": rules.may_view(user, claim).allowed,
        "edit": rules.may_edit(user, claim).allowed,
        "submit": rules.may_submit(user, claim).allowed,
        "support": rules.may_support(user, claim).allowed,
        "comment": rules.may_comment(user, claim).allowed,
        "object": rules.may_object(user, claim).allowed,
        "start_screening": rules.may_start_screening(user, claim).allowed,
        "screen": rules.may_screen(user, claim).allowed,
        "request_documents": rules.may_screen(user, claim).allowed,
        "provide_documents": rules.may_provide_documents(user, claim).allowed,
        "request_review": rules.may_request_review(user, claim).allowed,
        "answer_review": rules.may_answer_review(user, review).allowed,
        "refer_to_executive": rules.may_refer_to_executive(user, claim).allowed,
        "decide": rules.may_decide(user, claim, approve=True).allowed,
        "withdraw": rules.may_withdraw(user, claim).allowed,
        "hide_comment": rules.may_hide_comment(user, comment).allowed,
    }


@pytest.mark.parametrize("state", list(S))
def test_permission_matrix(state, people):
    track = "complex" if state == S.EXECUTIVE_DELIBERATION else "ordinary"
    claim = claim_in_state(state, author=people[PROPOSER], track=track)
    claim = Claim.objects.get(pk=claim.pk)
    department = people[REVIEWER].department
    wrong = []
    for role in ROLES:
        for action, allowed in verdicts(people[role], claim, department).items():
            expected = (role, state) in ALLOWED[action]
            if allowed != expected:
                wrong.append(f"{role} {action}: got {allowed}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_refusals_carry_a_message_and_the_right_kind(people):
    claim = claim_in_state(S.CONSULTATION, author=people[PROPOSER])
    verdict = rules.may_support(people[UNVERIFIED], claim)
    assert verdict.kind == rules.ROLE and "verified residency" in verdict.message
    verdict = rules.may_support(people[PROPOSER], claim)
    assert verdict.kind == rules.ROLE and "own claim" in verdict.message
    verdict = rules.may_screen(people[OFFICER], claim)
    assert verdict.kind == rules.STATE and "Public consultation" in verdict.message


def test_complex_claims_are_referred_to_the_executive_by_officers_only(people):
    claim = claim_in_state(S.TECHNICAL_REVIEW, author=people[PROPOSER], track="complex")
    allowed = {role for role in ROLES if rules.may_refer_to_executive(people[role], claim)}
    assert allowed == CITY
    assert not rules.may_decide(people[OFFICER], claim, approve=True)
    assert rules.may_decide(people[OFFICER], claim, approve=False)


def test_every_permission_name_exists():
    assert set(permissions_by_name(rules.ALL_PERMISSIONS)) == set(rules.ALL_PERMISSIONS)


def test_queryset_twins_agree_with_the_rules(people):
    claims = [claim_in_state(s, author=people[PROPOSER]) for s in (S.DRAFT, S.SUBMITTED)]
    claims.append(claim_in_state(S.DRAFT))  # somebody else's draft
    invited = claim_in_state(S.DRAFT)
    from proposals import services

    services.coauthor_invite(actor=invited.created_by, claim=invited, email=people[RESIDENT].email)
    claims.append(invited)
    for role in ROLES:
        user = people[role]
        visible = set(rules.claims_visible_to(user))
        assert visible == {c for c in claims if rules.may_view(user, c)}, role
        editable = set(rules.claims_editable_by(user))
        assert editable == {c for c in claims if rules.may_edit(user, c)}, role


def test_review_inbox_twin_lists_the_departments_pending_reviews(people):
    from proposals import services

    claim = claim_in_state(S.CONSULTATION)
    review = services.review_request(
        actor=people[OFFICER], claim=claim, department=people[REVIEWER].department
    )
    services.review_request(actor=people[OFFICER], claim=claim, department=department_create())
    assert list(rules.reviews_answerable_by(people[REVIEWER])) == [review]
    assert list(rules.reviews_answerable_by(people[RESIDENT])) == []
    assert rules.reviews_answerable_by(people[ADMIN]).count() == 2
    for role in ROLES:
        listed = set(rules.reviews_answerable_by(people[role]))
        expected = {
            r for r in ReviewRequest.objects.all() if rules.may_answer_review(people[role], r)
        }
        assert listed == expected, role


def test_office_queue_twin():
    officer = officer_create()
    open_claim = claim_in_state(S.SUBMITTED)
    claim_in_state(S.DRAFT)
    claim_in_state(S.WITHDRAWN)
    assert list(rules.claims_in_queue_for(officer)) == [open_claim]
    assert list(rules.claims_in_queue_for(resident_create())) == []
