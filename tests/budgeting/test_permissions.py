"""Permission matrix: every role x every process state x every action."""

import pytest
from django.contrib.auth.models import AnonymousUser

from budgeting.models import Process, Project
from budgeting.permissions import ALL_PERMISSIONS, PROCESS, PROJECT, Action, ProjectAction
from citizens.rules import Role, permissions_by_name
from tests.budgeting.factories import process_create, project_create
from tests.citizens.factories import officer_create, resident_create, user_create

pytestmark = pytest.mark.django_db
S = Process.State

ANON, USER, RESIDENT, OFFICER, FACILITATOR, ADMIN = (
    "anonymous",
    "unverified user",
    "verified resident",
    "officer",
    "facilitator",
    "administrator",
)
ROLES = [ANON, USER, RESIDENT, OFFICER, FACILITATOR, ADMIN]
EVERYONE = set(ROLES)
OFFICERS = {OFFICER, ADMIN}
NOBODY = set()
ALL_STATES = list(S)


def only(states, who, otherwise=NOBODY):
    return {s: (who if s in states else otherwise) for s in ALL_STATES}


FINISHED = (S.RESULTS, S.IMPLEMENTATION)
EXPECTED = {
    Action.VIEW: only([s for s in ALL_STATES if s != S.DRAFT], EVERYONE, OFFICERS),
    Action.MANAGE: only(ALL_STATES, OFFICERS),
    Action.SUBMIT_IDEA: only([S.IDEAS], {RESIDENT}),
    Action.REVIEW: only([S.DRAFT, S.IDEAS, S.REVIEW], OFFICERS),
    Action.VOTE: only([S.VOTING], {RESIDENT}),
    Action.COMPUTE: only([S.COUNTING], OFFICERS),
    Action.PUBLISH: only([S.COUNTING], OFFICERS),
    Action.VIEW_RESULTS: only(FINISHED, EVERYONE) | {S.COUNTING: OFFICERS},
    Action.VIEW_STATISTICS: only([S.VOTING, S.COUNTING, *FINISHED], EVERYONE, OFFICERS),
    Action.EXPORT: only(FINISHED, EVERYONE) | {S.COUNTING: OFFICERS},
}


def make_user(role):
    if role == ANON:
        return AnonymousUser()
    if role == USER:
        return user_create(roles=[Role.RESIDENT])
    if role == RESIDENT:
        return resident_create()
    if role == OFFICER:
        return officer_create()
    if role == FACILITATOR:
        return user_create(roles=[Role.FACILITATOR])
    return user_create(roles=[Role.ADMINISTRATOR])


def test_every_permission_name_exists():
    assert set(permissions_by_name(ALL_PERMISSIONS)) == set(ALL_PERMISSIONS)


def test_every_action_has_a_rule_and_an_expectation():
    assert set(PROCESS.rules) == set(Action) == set(EXPECTED)


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role):
    user = make_user(role)
    process = process_create(state=S.DRAFT)
    for state in ALL_STATES:
        process.state = state
        for action in Action:
            expected = role in EXPECTED[action][state]
            assert PROCESS.can(user, action, process) == expected, (role, state, action)


# The same matrix seen through the pages: status codes per role and state.
PAGES = ["detail", "projects", "ballot", "results", "statistics", "manage"]
STATUS = {
    # state: {role: (detail, projects, ballot, results, statistics, manage)}
    S.DRAFT: {
        ANON: (404, 404, 404, 404, 404, 302),
        RESIDENT: (404, 404, 404, 404, 404, 403),
        OFFICER: (200, 200, 200, 200, 200, 200),
    },
    S.VOTING: {
        ANON: (200, 200, 200, 200, 200, 302),
        RESIDENT: (200, 200, 200, 200, 200, 403),
        OFFICER: (200, 200, 200, 200, 200, 200),
    },
    S.RESULTS: {
        ANON: (200, 200, 200, 200, 200, 302),
        RESIDENT: (200, 200, 200, 200, 200, 403),
        OFFICER: (200, 200, 200, 200, 200, 200),
    },
}


@pytest.mark.parametrize("state", list(STATUS))
@pytest.mark.parametrize("role", [ANON, RESIDENT, OFFICER])
def test_pages_by_role_and_state(client, state, role):
    process = process_create(state=state)
    project_create(process)
    user = make_user(role)
    if role != ANON:
        client.force_login(user)
    urls = {
        "detail": f"/budgeting/{process.pk}/",
        "projects": f"/budgeting/{process.pk}/projects/",
        "ballot": f"/budgeting/{process.pk}/vote/",
        "results": f"/budgeting/{process.pk}/results/",
        "statistics": f"/budgeting/{process.pk}/statistics/",
        "manage": f"/budgeting/{process.pk}/manage/",
    }
    got = tuple(client.get(urls[p]).status_code for p in PAGES)
    assert got == STATUS[state][role]


@pytest.mark.parametrize("role", ROLES)
def test_each_queryset_twin_lists_exactly_the_processes_its_rule_allows(role):
    user = make_user(role)
    processes = [process_create(state=state) for state in ALL_STATES]
    for process in processes:
        process.live_results = Process.LiveResults.NONE if process.pk % 2 else process.live_results
        process.save()
    for action in Action:
        allowed = {p.pk for p in processes if PROCESS.can(user, action, p)}
        listed = set(PROCESS.queryset(user, action).values_list("pk", flat=True))
        assert listed == allowed, (role, action)


def test_queryset_twins():
    resident, officer = resident_create(), officer_create()
    public = process_create(state=S.VOTING)
    draft = process_create(state=S.DRAFT)
    assert set(PROCESS.queryset(resident, Action.VIEW)) == {public}
    assert set(PROCESS.queryset(officer, Action.VIEW)) == {public, draft}
    shown = project_create(public)
    withdrawn = project_create(public, state=Project.State.WITHDRAWN, proposer=resident)
    hidden = project_create(draft)

    def visible(user):
        return set(PROJECT.queryset(user, ProjectAction.VIEW))

    assert visible(AnonymousUser()) == {shown}
    assert visible(resident) == {shown, withdrawn}
    assert visible(officer) == {shown, withdrawn, hidden}
    for user in (AnonymousUser(), resident, officer):
        for project in (shown, withdrawn, hidden):
            assert PROJECT.can(user, ProjectAction.VIEW, project) == (project in visible(user))
