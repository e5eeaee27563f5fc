"""The permission matrix of `implementation.rules`: every action × role × status, each answer
of `allows()` matched by its `queryset()` twin. The expected cells are written out here."""

import pytest
from django.contrib.auth.models import AnonymousUser

from citizens.rules import Role
from core.policy import allows
from implementation import rules
from implementation.models import Implementation
from implementation.models import ImplementationState as S
from tests.citizens.factories import officer_create, resident_create, user_create
from tests.implementation.factories import implementation_create

pytestmark = pytest.mark.django_db

ALL = set(S)
SPEC = {
    "view": ("anyone", ALL),
    "update": ("responsible", {S.PLANNED, S.IN_PROGRESS}),
    "expense": ("responsible", {S.PLANNED, S.IN_PROGRESS, S.DONE}),
    "assign": ("officer", {S.PLANNED, S.IN_PROGRESS, S.DONE}),
    "start": ("responsible", {S.PLANNED}),
    "complete": ("responsible", {S.IN_PROGRESS}),
    "reopen": ("responsible", {S.DONE}),
    "cancel": ("responsible", {S.PLANNED, S.IN_PROGRESS}),
}
# role -> the actors it is, on an implementation assigned to the first officer's department
ROLES = {
    "anonymous": {"anyone"},
    "resident": {"anyone"},
    "officer of the department": {"anyone", "responsible", "officer"},
    "officer of another department": {"anyone", "officer"},
    "administrator": {"anyone", "responsible", "officer"},
}
# While no department is named, every officer is responsible.
ROLES_NO_DEPARTMENT = ROLES | {
    "officer of another department": {"anyone", "responsible", "officer"}
}


def test_every_action_has_a_row_and_every_transition_an_action():
    assert set(rules.policy.rules) == set(SPEC)
    for transition in Implementation.machine:
        assert transition.action in rules.policy.rules


@pytest.fixture
def people():
    officer = officer_create()
    return {
        "anonymous": AnonymousUser(),
        "resident": resident_create(),
        "officer of the department": officer,
        "officer of another department": officer_create(),
        "administrator": user_create(roles=[Role.ADMINISTRATOR]),
    }


def _matrix(impl, people, roles):
    failures = []
    for state in S:
        Implementation.objects.filter(pk=impl.pk).update(
            state=state, progress=100 if state == S.DONE else 10, state_reason="x"
        )
        for role, user in people.items():
            fresh = Implementation.objects.get(pk=impl.pk)
            for action in rules.policy.rules:
                who, states = SPEC[action]
                expected = who in roles[role] and state in states
                verdict = allows(user, action, fresh)
                if bool(verdict) != expected:
                    failures.append((role, state.value, action, "expected", expected))
                twin = rules.policy.queryset(user, action).filter(pk=impl.pk).exists()
                if twin != bool(verdict):
                    failures.append(("twin", role, state.value, action, bool(verdict)))
    return failures


def test_the_matrix_with_a_responsible_department(people):
    officer = people["officer of the department"]
    impl = implementation_create(officer=officer, department=officer.department)
    assert _matrix(impl, people, ROLES) == []


def test_the_matrix_before_a_department_is_named(people):
    impl = implementation_create(officer=people["officer of the department"])
    assert impl.department_id is None
    assert _matrix(impl, people, ROLES_NO_DEPARTMENT) == []
