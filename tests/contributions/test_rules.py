"""Permission matrices generated from the tables in `contributions.rules`: every action × role
× state, each `allows()` answer matched by its `queryset()` twin. The expected cells are
written out here, independently of the tables."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from accords.models import Accord, AccordState
from citizens.rules import Role
from contributions import rules, services
from contributions.models import Contribution, EntryState, Signup, SignupState
from tests.citizens.factories import user_create
from tests.contributions.factories import active_world, shift_create, today

pytestmark = pytest.mark.django_db

S = AccordState
ALL = set(S)
LOGGING = {S.ACTIVE, S.SUSPENDED, S.EXPIRED, S.TERMINATED}
PUBLIC = ALL - {S.CANCELLED}

ACCORD_SPEC = {
    "log": ({"member", "rep"}, LOGGING),
    "log_support": ({"member", "rep", "officer", "admin"}, LOGGING),
    "review": ({"rep", "officer", "admin"}, ALL),
    "publish_shifts": ({"rep"}, {S.ACTIVE}),
}
# Entries of hours logged by the member, of support logged by the representative:
# action -> kind -> (who, entry states). "view" is public once confirmed on a public accord.
ENTRY_SPEC = {
    "confirm": {
        "hours": ({"rep"}, {EntryState.PENDING}),
        "support": ({"officer", "admin"}, {EntryState.PENDING}),
    },
    "reject": {
        "hours": ({"rep"}, {EntryState.PENDING}),
        "support": ({"officer", "admin"}, {EntryState.PENDING}),
    },
    "reverse": {
        "hours": ({"rep"}, {EntryState.CONFIRMED}),
        "support": ({"officer", "admin"}, {EntryState.CONFIRMED}),
    },
}
# Entries not yet public: the reviewers (civic representatives, the city) and their author.
VIEW_PARTIES = {"rep", "officer", "admin"}
SIGNUP_SPEC = {
    "view": ({"volunteer", "rep"}, set(SignupState)),
    "cancel": ({"volunteer"}, {SignupState.SIGNED_UP}),
    "check_in": ({"rep"}, {SignupState.SIGNED_UP}),
    "check_out": ({"rep"}, {SignupState.CHECKED_IN}),
}


@pytest.fixture
def people():
    world = active_world()
    return world, {
        "anonymous": AnonymousUser(),
        "outsider": world.outsider,
        "member": world.member,
        "rep": world.rep,
        "officer": world.officer,
        "other officer": world.other_officer,
        "admin": user_create(roles=[Role.ADMINISTRATOR]),
    }


def test_every_action_has_a_row_in_the_spec():
    assert set(rules.ON_ACCORD.rules) == set(ACCORD_SPEC)
    assert set(rules.ENTRIES.rules) == {"view", *ENTRY_SPEC}
    assert set(rules.SIGNUPS.rules) == set(SIGNUP_SPEC)
    for transition in Contribution.machine:
        assert transition.action in rules.ENTRIES.rules
    for transition in Signup.machine:
        assert transition.action in rules.SIGNUPS.rules


def _set_accord_state(accord, state):
    Accord.objects.filter(pk=accord.pk).update(state=state, termination_reason="x")


def test_the_accord_matrix(people):
    world, users = people
    failures = []
    for state in S:
        _set_accord_state(world.accord, state)
        for role, user in users.items():
            accord = Accord.objects.get(pk=world.accord.pk)
            for action, (who, states) in ACCORD_SPEC.items():
                expected = role in who and state in states
                verdict = bool(rules.ON_ACCORD.allows(user, action, accord))
                if verdict != expected:
                    failures.append((role, state.value, action, expected))
                twin = rules.ON_ACCORD.queryset(user, action).filter(pk=accord.pk).exists()
                if twin != verdict:
                    failures.append(("twin", role, state.value, action, verdict))
    assert not failures, failures[:20]


def _force_state(entry, state):
    fields = {"state": state, "decided_at": None if state == EntryState.PENDING else timezone.now()}
    if state == EntryState.REJECTED:
        fields["rejection_reason"] = "x"
    QuerySet.update(Contribution.objects.filter(pk=entry.pk), **fields)


def test_the_entry_matrix(people):
    world, users = people
    hours = services.log_hours(
        actor=world.member, accord=world.accord, on=today(), hours="2", description="x"
    )
    item = world.accord.current_version.support_items.first()
    support = services.log_support(actor=world.rep, item=item, on=today())
    failures = []
    for accord_state in (S.ACTIVE, S.CANCELLED):
        _set_accord_state(world.accord, accord_state)
        for kind, entry in (("hours", hours), ("support", support)):
            for state in EntryState:
                _force_state(entry, state)
                for role, user in users.items():
                    obj = Contribution.objects.select_related("accord").get(pk=entry.pk)
                    for action in rules.ENTRIES.rules:
                        if action == "view":
                            own = role == ("member" if kind == "hours" else "rep")
                            expected = (
                                (state == EntryState.CONFIRMED and accord_state in PUBLIC)
                                or role in VIEW_PARTIES
                                or own
                            )
                        else:
                            who, states = ENTRY_SPEC[action][kind]
                            expected = role in who and state in states
                        verdict = bool(rules.ENTRIES.allows(user, action, obj))
                        if verdict != expected:
                            failures.append((kind, state.value, role, action, expected))
                        twin = rules.ENTRIES.queryset(user, action).filter(pk=entry.pk).exists()
                        if twin != verdict:
                            failures.append(("twin", kind, state.value, role, action, verdict))
    assert not failures, failures[:20]


def test_the_signup_matrix(people):
    world, users = people
    users = {**users, "volunteer": user_create()}
    shift = shift_create(world)
    signup = services.sign_up(actor=users["volunteer"], shift=shift)
    failures = []
    for state in SignupState:
        Signup.objects.filter(pk=signup.pk).update(
            state=state,
            checked_in_at=None if state in ("signed_up", "cancelled") else signup.signed_up_at,
            checked_out_at=signup.signed_up_at if state == "checked_out" else None,
        )
        for role, user in users.items():
            obj = Signup.objects.get(pk=signup.pk)
            for action, (who, states) in SIGNUP_SPEC.items():
                expected = role in who and state in states
                verdict = bool(rules.SIGNUPS.allows(user, action, obj))
                if verdict != expected:
                    failures.append((state.value, role, action, expected))
                twin = rules.SIGNUPS.queryset(user, action).filter(pk=signup.pk).exists()
                if twin != verdict:
                    failures.append(("twin", state.value, role, action, verdict))
    assert not failures, failures[:20]


# Shifts: action -> (who, accord states, shift dates). "authenticated": anyone logged in.
SHIFT_SPEC = {
    "view": (
        {"anonymous", "outsider", "member", "rep", "officer", "other officer", "admin"},
        PUBLIC,
        {"future", "past"},
    ),
    "sign_up": (
        {"outsider", "member", "rep", "officer", "other officer", "admin"},
        {S.ACTIVE},
        {"future"},
    ),
    "manage": ({"rep"}, ALL, {"future", "past"}),
}


def test_the_shift_matrix(people):
    import datetime as dt

    from contributions.models import Shift

    world, users = people
    shift = shift_create(world)
    assert set(rules.SHIFTS.rules) == set(SHIFT_SPEC)
    failures = []
    for accord_state in (S.ACTIVE, S.SUSPENDED, S.CANCELLED):
        _set_accord_state(world.accord, accord_state)
        for when, days in (("future", 3), ("past", -3)):
            Shift.objects.filter(pk=shift.pk).update(date=today() + dt.timedelta(days=days))
            for role, user in users.items():
                obj = Shift.objects.select_related("activity__accord").get(pk=shift.pk)
                for action, (who, states, dates) in SHIFT_SPEC.items():
                    expected = role in who and accord_state in states and when in dates
                    verdict = bool(rules.SHIFTS.allows(user, action, obj))
                    if verdict != expected:
                        failures.append((accord_state.value, when, role, action, expected))
                    twin = rules.SHIFTS.queryset(user, action).filter(pk=shift.pk).exists()
                    if twin != verdict:
                        failures.append(("twin", accord_state.value, when, role, action, verdict))
    assert not failures, failures[:20]
