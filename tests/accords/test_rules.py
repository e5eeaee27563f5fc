"""Permission matrix: every role × every accord state × every action, and the queryset twins."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accords import rules
from accords.models import Accord, AccordState
from accords.rules import ALL_PERMISSIONS, Action, accords_for, verdict
from citizens.rules import Role, permissions_by_name
from tests.accords.factories import World
from tests.citizens.factories import user_create

pytestmark = pytest.mark.django_db

S = AccordState
ALL = set(S)

# The specification, written out independently of accords.rules.RULES:
# action -> (who may act, states in which it is possible)
SPEC = {
    "view_workspace": ("workspace", ALL),
    "edit": ("either", {S.DRAFTING, S.ACTIVE}),
    "comment": ("either", {S.DRAFTING, S.AWAITING_SIGNATURES, S.ACTIVE, S.SUSPENDED}),
    "propose": ("either", {S.DRAFTING, S.ACTIVE}),
    "agree": ("either", {S.DRAFTING, S.ACTIVE}),
    "reopen": ("either", {S.AWAITING_SIGNATURES, S.ACTIVE}),
    "cancel": ("city", {S.DRAFTING, S.AWAITING_SIGNATURES}),
    "sign_civic": ("civic", {S.AWAITING_SIGNATURES, S.ACTIVE}),
    "sign_city": ("signatory", {S.AWAITING_SIGNATURES, S.ACTIVE}),
    "report": ("civic", {S.ACTIVE, S.SUSPENDED, S.EXPIRED}),
    "acknowledge": ("city", {S.ACTIVE, S.SUSPENDED, S.TERMINATED, S.EXPIRED}),
    "track_support": ("city", {S.ACTIVE, S.SUSPENDED, S.TERMINATED, S.EXPIRED}),
    "suspend": ("city", {S.ACTIVE}),
    "resume": ("city", {S.SUSPENDED}),
    "terminate": ("either", {S.ACTIVE, S.SUSPENDED}),
    "archive": ("city", {S.TERMINATED, S.EXPIRED}),
    "extend": ("either", {S.ACTIVE}),
    "renew": ("either", {S.ACTIVE}),
    "open_dispute": ("either", {S.ACTIVE, S.SUSPENDED}),
    "dispute_committee": ("either", {S.ACTIVE, S.SUSPENDED, S.TERMINATED, S.EXPIRED}),
    "dispute_settlement": ("city", {S.ACTIVE, S.SUSPENDED, S.TERMINATED, S.EXPIRED}),
    "dispute_close": ("either", {S.ACTIVE, S.SUSPENDED, S.TERMINATED, S.EXPIRED}),
}

# role -> the kinds of "who" it satisfies on the test accord
ROLES = {
    "anonymous": set(),
    "outsider resident": set(),
    "group member (not representative)": set(),
    "civic representative": {"civic", "either", "workspace"},
    "officer of the department": {"city", "either", "workspace"},
    "officer of another department": set(),
    "signatory of another department": {"signatory", "workspace"},
    "administrator": {"city", "either", "workspace", "signatory"},
}


def test_every_permission_name_exists():
    assert set(permissions_by_name(ALL_PERMISSIONS)) == set(ALL_PERMISSIONS)


def test_the_spec_covers_every_action_and_every_rule_exists():
    assert set(SPEC) == {a.value for a in Action}
    assert set(rules.RULES) == set(Action)


@pytest.fixture
def people_and_accord():
    from tests.citizens.factories import officer_create

    world = World()
    world.active()
    people = {
        "anonymous": AnonymousUser(),
        "outsider resident": world.outsider,
        "group member (not representative)": world.member,
        "civic representative": world.rep,
        "officer of the department": world.officer,
        "officer of another department": world.other_officer,
        "signatory of another department": officer_create(signatory=True),
        "administrator": user_create(roles=[Role.ADMINISTRATOR]),
    }
    return people, world.accord


def test_permission_matrix(people_and_accord):
    people, accord = people_and_accord
    failures = []
    for state in S:
        Accord.objects.filter(pk=accord.pk).update(state=state, termination_reason="x")
        fresh = Accord.objects.get(pk=accord.pk)
        for role, user in people.items():
            for action, (who, states) in SPEC.items():
                expected = who in ROLES[role] and state in states
                got = bool(verdict(user, Action(action), fresh))
                if got != expected:
                    failures.append((role, state.value, action, expected, got))
                in_twin = (
                    user.is_authenticated
                    and accords_for(user, Action(action)).filter(pk=accord.pk).exists()
                )
                if in_twin != got:
                    failures.append(("twin", role, state.value, action, got, in_twin))
    assert not failures, failures[:20]


def test_wrong_person_and_wrong_moment_are_told_apart(people_and_accord):
    people, accord = people_and_accord
    wrong_person = verdict(people["outsider resident"], Action.SUSPEND, accord)
    assert not wrong_person and wrong_person.wrong_person
    Accord.objects.filter(pk=accord.pk).update(state=S.SUSPENDED)
    wrong_moment = verdict(
        people["officer of the department"], Action.SUSPEND, Accord.objects.get(pk=accord.pk)
    )
    assert not wrong_moment and not wrong_moment.wrong_person
    assert "Suspended" in wrong_moment.message


def test_visibility_twins(people_and_accord):
    people, accord = people_and_accord
    Accord.objects.filter(pk=accord.pk).update(state=S.CANCELLED)
    assert not rules.accords_public().filter(pk=accord.pk).exists()
    assert not rules.accords_visible_to(people["outsider resident"]).filter(pk=accord.pk)
    assert rules.accords_visible_to(people["civic representative"]).filter(pk=accord.pk)
    assert rules.accords_of(people["officer of the department"]).filter(pk=accord.pk)
    assert not rules.accords_of(people["officer of another department"]).filter(pk=accord.pk)
    assert list(rules.accords_of(AnonymousUser())) == []
