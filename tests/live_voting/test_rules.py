"""Permission matrix: every role x every session state x every action."""

import pytest
from django.contrib.auth.models import AnonymousUser

from budgeting.live.models import VotingSession
from budgeting.live.rules import ALL_PERMISSIONS, SESSION, Action, allowed, sessions_visible_to
from citizens.rules import Role, permissions_by_name
from tests.budgeting.factories import process_create
from tests.citizens.factories import officer_create, resident_create, user_create
from tests.live_voting.factories import facilitator_create, session_make

pytestmark = pytest.mark.django_db
S = VotingSession.State

ANON, RESIDENT, OWN, OTHER, OFFICER, ADMIN = (
    "anonymous",
    "resident",
    "its facilitator",
    "another facilitator",
    "officer",
    "administrator",
)
ROLES = [ANON, RESIDENT, OWN, OTHER, OFFICER, ADMIN]
NOBODY: set[str] = set()
RUNNERS = {OWN, ADMIN}
ALL_STATES = list(S)


def only(states, who, otherwise=NOBODY):
    return {s: (who if s in states else otherwise) for s in ALL_STATES}


EXPECTED = {
    Action.VIEW: only(ALL_STATES, {OWN, OFFICER, ADMIN}),
    Action.PLAN: only([S.PLANNED], {OFFICER, ADMIN}),
    Action.OPEN: only([S.PLANNED], RUNNERS),
    Action.PAUSE: only([S.OPEN], RUNNERS),
    Action.RESUME: only([S.PAUSED], RUNNERS),
    Action.CLOSE: only([S.PLANNED, S.OPEN, S.PAUSED], RUNNERS),
    Action.PAIR: only([S.PLANNED, S.OPEN, S.PAUSED], RUNNERS),
    Action.REVOKE: only([S.PLANNED, S.OPEN, S.PAUSED, S.CLOSED], RUNNERS),
    Action.CHECK_IN: only([S.OPEN], RUNNERS),
    Action.VOID: only([S.OPEN, S.PAUSED], RUNNERS),
    Action.REISSUE: only([S.OPEN], RUNNERS),
    Action.RECONCILE: only([S.CLOSED], {OWN, OFFICER, ADMIN}),
    Action.PAPER: only([S.OPEN, S.PAUSED, S.CLOSED], {OFFICER, ADMIN}),
}


@pytest.fixture
def people():
    own = facilitator_create()
    return {
        ANON: AnonymousUser(),
        RESIDENT: resident_create(),
        OWN: own,
        OTHER: facilitator_create(),
        OFFICER: officer_create(),
        ADMIN: user_create(roles=[Role.ADMINISTRATOR]),
    }


def test_every_action_has_a_rule_and_an_expectation():
    assert set(SESSION.rules) == set(Action) == set(EXPECTED)


def test_every_permission_name_used_exists():
    found = permissions_by_name(ALL_PERMISSIONS)
    assert set(found) == set(ALL_PERMISSIONS)


def test_the_permission_matrix(people):
    process = process_create()
    failures = []
    for state in ALL_STATES:
        session = session_make(process, facilitators=[people[OWN]], state=state)
        for action, by_state in EXPECTED.items():
            for role in ROLES:
                expected = role in by_state[state]
                if allowed(people[role], action, session) != expected:
                    failures.append((state, action.value, role, expected))
    assert not failures, failures


def test_a_facilitator_who_loses_the_role_loses_the_session(people):
    session = session_make(facilitators=[people[OWN]])
    people[OWN].groups.clear()
    people[OWN] = type(people[OWN]).objects.get(pk=people[OWN].pk)  # fresh permission cache
    assert not allowed(people[OWN], Action.CHECK_IN, session)


def test_sessions_visible_to_matches_the_view_rule(people):
    process = process_create()
    mine = session_make(process, facilitators=[people[OWN]])
    theirs = session_make(process, facilitators=[people[OTHER]])
    for role, user in people.items():
        visible = set(sessions_visible_to(user))
        expected = {s for s in (mine, theirs) if allowed(user, Action.VIEW, s)}
        assert visible == expected, role


@pytest.mark.django_db
def test_voiding_a_token_is_allowed_exactly_to_those_who_may_void_in_its_session(people):
    from budgeting.live.models import BallotToken
    from budgeting.live.rules import TOKEN

    session = session_make(process_create(state="voting"), state=S.OPEN, facilitators=[people[OWN]])
    token = BallotToken(session=session, state=BallotToken.State.ISSUED)
    for user in people.values():
        assert TOKEN.can(user, Action.VOID, token) == allowed(user, Action.VOID, session)
    token.state = BallotToken.State.USED
    assert not TOKEN.can(people[OWN], Action.VOID, token)
