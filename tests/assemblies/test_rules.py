"""Permission matrices generated from the assemblies' policy tables: every action × every actor
× every state, and the queryset twins agree with the verdicts."""

import pytest
from django.contrib.auth.models import AnonymousUser

from assemblies.models import (
    MeetingKind,
    MeetingState,
    Membership,
    MembershipState,
    Registration,
    RegistrationState,
)
from assemblies.rules import ASSEMBLY, MEETING, MEMBERSHIP, REGISTRATION, Action
from citizens.rules import Role as CityRole
from tests.assemblies.factories import assembly_make, meeting_make, registration_make
from tests.citizens.factories import group_create, officer_create, user_create

pytestmark = pytest.mark.django_db

ANON, OUTSIDER, OBSERVER, MEMBER, COORD, CHAIR, REGISTRANT, OFFICER, ADMIN = (
    "anonymous",
    "outsider",
    "observer",
    "member",
    "coordinator",
    "named chair",
    "registrant",
    "officer",
    "administrator",
)
ROLES = [ANON, OUTSIDER, OBSERVER, MEMBER, COORD, CHAIR, REGISTRANT, OFFICER, ADMIN]
EVERYONE = set(ROLES)
LOGGED_IN = EVERYONE - {ANON}
RUNNERS = {CHAIR, COORD, ADMIN}


@pytest.fixture
def people():
    return {
        ANON: AnonymousUser(),
        OUTSIDER: user_create(),
        OBSERVER: user_create(),
        MEMBER: user_create(),
        COORD: user_create(),
        CHAIR: user_create(),
        REGISTRANT: user_create(),
        OFFICER: officer_create(),
        ADMIN: user_create(roles=[CityRole.ADMINISTRATOR]),
    }


@pytest.fixture
def assembly(people):
    return assembly_make(
        coordinators=[people[COORD]], members=[people[MEMBER]], observers=[people[OBSERVER]]
    )


def fresh(people):
    """New user objects: no cached roles between questions."""
    return {
        k: (type(u).objects.get(pk=u.pk) if u.is_authenticated else u) for k, u in people.items()
    }


# ---- the assembly ----------------------------------------------------------------------------

ASSEMBLY_EXPECTED = {
    Action.VIEW: EVERYONE,
    Action.EDIT: {COORD, OFFICER, ADMIN},
    Action.EDIT_CHARTER: {COORD, ADMIN},
    Action.JOIN: {OUTSIDER, CHAIR, REGISTRANT, OFFICER, ADMIN},
    Action.REQUEST: set(),
    Action.VIEW_MEMBERS: {OBSERVER, MEMBER, COORD, OFFICER, ADMIN},
    Action.MANAGE_MEMBERS: {COORD, ADMIN},
    Action.UPLOAD_DOCUMENT: {COORD, ADMIN},
    Action.VIEW_DOCUMENT: EVERYONE,
    Action.CREATE_MEETING: {COORD, OFFICER, ADMIN},
    Action.COMMENT: {OBSERVER, MEMBER, COORD},
}


def test_every_assembly_action_has_an_expectation():
    assert set(ASSEMBLY.rules) == set(ASSEMBLY_EXPECTED) | {Action.CREATE, Action.ADHERE}


def test_the_assembly_matrix(people, assembly):
    failures = []
    for action, allowed in ASSEMBLY_EXPECTED.items():
        for role, user in fresh(people).items():
            if ASSEMBLY.can(user, action, assembly) != (role in allowed):
                failures.append((action.value, role, role in allowed))
    assert not failures, failures


def test_by_request_assemblies_swap_join_and_request(people):
    closed = assembly_make(policy="request", coordinators=[people[COORD]])
    for role, user in fresh(people).items():
        assert not ASSEMBLY.can(user, Action.JOIN, closed), role
        assert ASSEMBLY.can(user, Action.REQUEST, closed) == (role in LOGGED_IN - {COORD}), role


def test_officers_and_administrators_create_assemblies(people):
    for role, user in fresh(people).items():
        assert ASSEMBLY.can(user, Action.CREATE, None) == (role in {OFFICER, ADMIN}), role


def test_group_representatives_adhere_to_the_city_charter_only(people, assembly):
    group_create(representative=people[OUTSIDER], members=[people[MEMBER]])
    city = assembly_make(kind="city")
    for role, user in fresh(people).items():
        assert ASSEMBLY.can(user, Action.ADHERE, city) == (role == OUTSIDER), role
        assert not ASSEMBLY.can(user, Action.ADHERE, assembly), role


# ---- memberships -----------------------------------------------------------------------------

SUBJECT = "the person"
MEMBERSHIP_EXPECTED = {
    Action.ACCEPT: {MembershipState.REQUESTED: {COORD, ADMIN}},
    Action.REFUSE: {MembershipState.REQUESTED: {COORD, ADMIN}},
    Action.LEAVE: {MembershipState.REQUESTED: {SUBJECT}, MembershipState.ACTIVE: {SUBJECT}},
    Action.REMOVE: {MembershipState.ACTIVE: {COORD, ADMIN}},
}


def test_every_membership_action_has_an_expectation():
    assert set(MEMBERSHIP.rules) == set(MEMBERSHIP_EXPECTED)


def test_the_membership_matrix(people, assembly):
    subject = user_create()
    everyone = {**fresh(people), SUBJECT: subject}
    failures = []
    for state in MembershipState:
        membership = Membership(assembly=assembly, user=subject, state=state)
        for action, by_state in MEMBERSHIP_EXPECTED.items():
            allowed = by_state.get(state, set())
            for role, user in everyone.items():
                if MEMBERSHIP.can(user, action, membership) != (role in allowed):
                    failures.append((state.value, action.value, role, role in allowed))
    assert not failures, failures


# ---- meetings --------------------------------------------------------------------------------

M = MeetingState
LIVE = {M.PLANNED, M.OPEN}
ALL = set(M)


def only(states, who):
    return {s: (who if s in states else set()) for s in M}


MEETING_EXPECTED = {
    Action.VIEW_MEETING: only(ALL, EVERYONE),
    Action.EDIT_MEETING: only(LIVE, RUNNERS | {OFFICER}),
    Action.OPEN: only({M.PLANNED}, RUNNERS),
    Action.CLOSE: only({M.OPEN}, RUNNERS),
    Action.PUBLISH_MINUTES: only({M.CLOSED}, RUNNERS),
    Action.CANCEL: only({M.PLANNED}, RUNNERS | {OFFICER}),
    Action.REGISTER: only(LIVE, LOGGED_IN - {REGISTRANT}),
    Action.CHECK_IN: only(LIVE, RUNNERS),
    Action.VIEW_REGISTRATIONS: only(ALL, RUNNERS | {OFFICER}),
    Action.VIEW_ONLINE_LINK: only(LIVE, RUNNERS | {REGISTRANT}),
    Action.COMMENT_MEETING: only(ALL - {M.CANCELLED}, {OBSERVER, MEMBER, COORD, CHAIR, REGISTRANT}),
}


def test_every_meeting_action_has_an_expectation():
    assert set(MEETING.rules) == set(MEETING_EXPECTED)


def test_the_meeting_matrix(people, assembly):
    failures = []
    for state in M:
        meeting = meeting_make(assembly, state=state, kind=MeetingKind.HYBRID, chair=people[CHAIR])
        registration_make(meeting, people[REGISTRANT])
        for action, by_state in MEETING_EXPECTED.items():
            for role, user in fresh(people).items():
                expected = role in by_state[state]
                if MEETING.can(user, action, meeting) != expected:
                    failures.append((state.value, action.value, role, expected))
    assert not failures, failures


def test_a_waiting_registrant_does_not_see_the_online_link(people, assembly):
    meeting = meeting_make(assembly, kind=MeetingKind.ONLINE)
    registration_make(meeting, people[REGISTRANT], state=RegistrationState.WAITING)
    assert not MEETING.can(people[REGISTRANT], Action.VIEW_ONLINE_LINK, meeting)


def test_an_in_person_meeting_has_no_online_link(people, assembly):
    meeting = meeting_make(assembly, chair=people[CHAIR])
    assert not MEETING.can(people[CHAIR], Action.VIEW_ONLINE_LINK, meeting)


# ---- registrations ---------------------------------------------------------------------------

R = RegistrationState
SEATED = {R.REGISTERED}
REGISTRATION_EXPECTED = {
    Action.VIEW_REGISTRATION: {s: RUNNERS | {REGISTRANT} for s in R},
    Action.CANCEL_REGISTRATION: {
        s: (RUNNERS | {REGISTRANT}) if s != R.CANCELLED else set() for s in R
    },
    Action.CHECK_IN_REGISTRATION: {s: RUNNERS if s in SEATED else set() for s in R},
    Action.ATTEND_ONLINE: {s: (RUNNERS | {REGISTRANT}) if s in SEATED else set() for s in R},
}


def test_every_registration_action_has_an_expectation():
    assert set(REGISTRATION.rules) == set(REGISTRATION_EXPECTED)


def test_the_registration_matrix_in_an_open_hybrid_meeting(people, assembly):
    meeting = meeting_make(assembly, state=M.OPEN, kind=MeetingKind.HYBRID, chair=people[CHAIR])
    failures = []
    for state in R:
        registration = Registration(meeting=meeting, user=people[REGISTRANT], state=state)
        for action, by_state in REGISTRATION_EXPECTED.items():
            for role, user in fresh(people).items():
                expected = role in by_state[state]
                if REGISTRATION.can(user, action, registration) != expected:
                    failures.append((state.value, action.value, role, expected))
    assert not failures, failures


def test_after_the_meeting_registrations_are_frozen(people, assembly):
    meeting = meeting_make(assembly, state=M.CLOSED, chair=people[CHAIR])
    registration = Registration(meeting=meeting, user=people[REGISTRANT], state=R.REGISTERED)
    for user in fresh(people).values():
        assert not REGISTRATION.can(user, Action.CANCEL_REGISTRATION, registration)
        assert not REGISTRATION.can(user, Action.CHECK_IN_REGISTRATION, registration)
        assert not REGISTRATION.can(user, Action.ATTEND_ONLINE, registration)


def test_a_checked_in_person_is_not_checked_in_twice(people, assembly):
    from django.utils import timezone

    meeting = meeting_make(assembly, chair=people[CHAIR])
    registration = Registration(
        meeting=meeting, user=people[REGISTRANT], state=R.REGISTERED, checked_in_at=timezone.now()
    )
    assert not REGISTRATION.can(people[CHAIR], Action.CHECK_IN_REGISTRATION, registration)


# ---- queryset twins --------------------------------------------------------------------------


def test_meeting_querysets_match_the_verdicts(people, assembly):
    other = assembly_make(coordinators=[user_create()])
    meetings = [
        meeting_make(assembly, state=s, chair=people[CHAIR]) for s in (M.PLANNED, M.CLOSED)
    ] + [meeting_make(other)]
    for action in (
        Action.EDIT_MEETING,
        Action.OPEN,
        Action.VIEW_REGISTRATIONS,
        Action.CANCEL,
        Action.COMMENT_MEETING,
    ):
        for role, user in fresh(people).items():
            listed = set(MEETING.queryset(user, action).filter(pk__in=[m.pk for m in meetings]))
            expected = {m for m in meetings if MEETING.can(user, action, m)}
            assert listed == expected, (action.value, role)


def test_assembly_querysets_match_the_verdicts(people, assembly):
    other = assembly_make()
    for action in (
        Action.VIEW,
        Action.EDIT,
        Action.VIEW_MEMBERS,
        Action.CREATE_MEETING,
        Action.COMMENT,
    ):
        for role, user in fresh(people).items():
            listed = set(ASSEMBLY.queryset(user, action).filter(pk__in=[assembly.pk, other.pk]))
            expected = {a for a in (assembly, other) if ASSEMBLY.can(user, action, a)}
            assert listed == expected, (action.value, role)
