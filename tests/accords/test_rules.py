"""Permission matrices generated from the tables in `accords.rules`: every action of every
policy × every role × every state, each answer of `allows()` matched by its `queryset()` twin.

The expected cells are written out below, independently of the tables; an action added to a
table without its row here fails `test_every_action_of_every_table_has_a_row_in_the_spec`.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accords import rules
from accords.models import (
    Accord,
    AccordState,
    ActivityReport,
    Dispute,
    DisputeState,
    ReportState,
    SupportItem,
    SupportStatus,
    VersionStatus,
)
from accords.rules import ALL_PERMISSIONS, Action
from citizens.rules import Role, permissions_by_name
from core.policy import allows
from proposals.models import Claim
from tests.accords.factories import World, claim_create
from tests.citizens.factories import officer_create, user_create

pytestmark = pytest.mark.django_db

S = AccordState
V = VersionStatus
R = ReportState
D = DisputeState
SS = SupportStatus
ALL = set(S)
PUBLIC = ALL - {S.CANCELLED}
AFTER_SIGNING = {S.ACTIVE, S.SUSPENDED, S.TERMINATED, S.EXPIRED}

# The specification of the accord table: action -> (who may act, accord states).
ACCORD_SPEC = {
    "view": ("anyone", PUBLIC),
    "view_workspace": ("workspace", ALL),
    "participate": ("either", ALL),
    "edit": ("either", {S.DRAFTING, S.ACTIVE}),
    "comment": ("either", {S.DRAFTING, S.AWAITING_SIGNATURES, S.ACTIVE, S.SUSPENDED}),
    "propose": ("either", {S.DRAFTING, S.ACTIVE}),
    "agree": ("either", {S.DRAFTING, S.ACTIVE}),
    "reopen": ("either", {S.AWAITING_SIGNATURES, S.ACTIVE}),
    "cancel": ("city", {S.DRAFTING, S.AWAITING_SIGNATURES}),
    "sign_civic": ("civic", {S.AWAITING_SIGNATURES, S.ACTIVE}),
    "sign_city": ("signatory", {S.AWAITING_SIGNATURES, S.ACTIVE}),
    "report": ("civic", {S.ACTIVE, S.SUSPENDED, S.EXPIRED}),
    "acknowledge": ("city", AFTER_SIGNING),
    "track_support": ("city", AFTER_SIGNING),
    "suspend": ("city", {S.ACTIVE}),
    "resume": ("city", {S.SUSPENDED}),
    "terminate": ("either", {S.ACTIVE, S.SUSPENDED}),
    "archive": ("city", {S.TERMINATED, S.EXPIRED}),
    "extend": ("either", {S.ACTIVE}),
    "renew": ("either", {S.ACTIVE}),
    "open_dispute": ("either", {S.ACTIVE, S.SUSPENDED}),
    "dispute_committee": ("either", AFTER_SIGNING),
    "dispute_settlement": ("city", AFTER_SIGNING),
    "dispute_close": ("either", AFTER_SIGNING),
}

# The records of an accord: action -> (who, accord states, the record's own states).
# "published": anyone once the record is published on a public accord, else the workspace.
VERSION_SPEC = {
    "view": ("published", ALL, set(V)),
    "agree": ("either", ACCORD_SPEC["agree"][1], {V.DRAFT}),
    "withdraw": ("either", ALL, {V.AGREED}),
}
REPORT_SPEC = {
    "view": ("published", ALL, set(R)),
    "acknowledge": ("city", ACCORD_SPEC["acknowledge"][1], {R.SUBMITTED}),
}
DISPUTE_SPEC = {
    "view": ("workspace", ALL, set(D)),
    "dispute_committee": ("either", AFTER_SIGNING, {D.OPEN}),
    "dispute_settlement": ("city", AFTER_SIGNING, {D.COMMITTEE_FORMED}),
    "dispute_close": ("either", AFTER_SIGNING, {D.OPEN, D.COMMITTEE_FORMED, D.SETTLEMENT_PROPOSED}),
}
SUPPORT_SPEC = {
    "track_support": ("city", AFTER_SIGNING, {SS.GRANTED, SS.DELIVERED}),
}
START_SPEC = {"start": ("officer", {Claim.State.APPROVED})}

SPECS = [
    (rules.ACCORDS, ACCORD_SPEC),
    (rules.VERSIONS, VERSION_SPEC),
    (rules.REPORTS, REPORT_SPEC),
    (rules.DISPUTES, DISPUTE_SPEC),
    (rules.SUPPORT, SUPPORT_SPEC),
    (rules.START, START_SPEC),
]

# role -> the kinds of "who" it satisfies on the test accord
ROLES = {
    "anonymous": {"anyone"},
    "outsider resident": {"anyone"},
    "group member (not representative)": {"anyone"},
    "civic representative": {"anyone", "civic", "either", "workspace"},
    "officer of the department": {"anyone", "city", "either", "workspace", "officer"},
    "officer of another department": {"anyone", "officer"},
    "signatory of another department": {"anyone", "signatory", "workspace", "officer"},
    "administrator": {"anyone", "city", "either", "workspace", "signatory", "officer"},
}

# A record is published when the public may read it (on a public accord).
PUBLISHED = {V.SIGNED, V.REPLACED, R.ACKNOWLEDGED}


def test_every_permission_name_exists():
    assert set(permissions_by_name(ALL_PERMISSIONS)) == set(ALL_PERMISSIONS)


def test_every_action_of_every_table_has_a_row_in_the_spec():
    for policy, spec in SPECS:
        assert set(policy.rules) == set(spec), policy.label
    assert set(ACCORD_SPEC) <= {a.value for a in Action}


def test_every_transition_names_an_action_its_model_policy_knows():
    for model in (Accord, rules.AccordVersion, ActivityReport, Dispute, SupportItem):
        policy = next(p for p, _spec in SPECS if p.model is model)
        for transition in model.machine:
            assert transition.action is None or transition.action in policy.rules, (
                model.__name__,
                transition.name,
            )


@pytest.fixture
def world_and_people():
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
    return world, people


def _set_accord_state(accord, state):
    Accord.objects.filter(pk=accord.pk).update(state=state, termination_reason="x")


def test_the_accord_matrix(world_and_people):
    world, people = world_and_people
    accord = world.accord
    failures = []
    for state in S:
        _set_accord_state(accord, state)
        for role, user in people.items():
            fresh = Accord.objects.get(pk=accord.pk)  # no cached sides between roles
            for action in rules.ACCORDS.rules:
                who, states = ACCORD_SPEC[action]
                expected = who in ROLES[role] and state in states
                verdict = allows(user, action, fresh)
                if bool(verdict) != expected:
                    failures.append((role, state.value, action, "expected", expected))
                if bool(verdict) != (
                    rules.ACCORDS.queryset(user, action).filter(pk=accord.pk).exists()
                ):
                    failures.append(("twin", role, state.value, action, bool(verdict)))
    assert not failures, failures[:20]


def _record_matrix(world, people, policy, spec, model, record, states, updates):
    failures = []

    def obj_of(role):
        return model.objects.select_related("accord").get(pk=record.pk)

    def set_record(state):
        model.objects.filter(pk=record.pk).update(**updates(state))

    for accord_state in S:
        _set_accord_state(world.accord, accord_state)
        for record_state in states:
            set_record(record_state)
            for role, user in people.items():
                obj = obj_of(role)
                for action in policy.rules:
                    who, a_states, r_states = spec[action]
                    if who == "published":
                        expected = (
                            record_state in PUBLISHED and accord_state in PUBLIC
                        ) or "workspace" in ROLES[role]
                    else:
                        expected = (
                            who in ROLES[role]
                            and accord_state in a_states
                            and record_state in r_states
                        )
                    verdict = allows(user, action, obj)
                    cell = (role, accord_state.value, record_state, action)
                    if bool(verdict) != expected:
                        failures.append((*cell, "expected", expected))
                    twin = policy.queryset(user, action).filter(pk=obj.pk).exists()
                    if twin != bool(verdict):
                        failures.append((*cell, "twin", twin))
    return failures


def test_the_version_matrix(world_and_people):
    world, people = world_and_people
    version = world.accord.current_version
    failures = _record_matrix(
        world,
        people,
        rules.VERSIONS,
        VERSION_SPEC,
        rules.AccordVersion,
        version,
        set(V),
        lambda state: {"status": state},
    )
    assert not failures, failures[:20]


def test_the_report_matrix(world_and_people):
    world, people = world_and_people
    now = timezone.now()
    report = ActivityReport.objects.create(
        accord=world.accord,
        period_start=world.accord.start_date,
        period_end=world.accord.start_date,
        activities="Weeding.",
        submitted_by=world.rep,
    )
    failures = _record_matrix(
        world,
        people,
        rules.REPORTS,
        REPORT_SPEC,
        ActivityReport,
        report,
        set(R),
        lambda state: {
            "state": state,
            "acknowledged_at": now if state == R.ACKNOWLEDGED else None,
        },
    )
    assert not failures, failures[:20]


def test_the_dispute_matrix(world_and_people):
    world, people = world_and_people
    dispute = Dispute.objects.create(
        accord=world.accord,
        opened_by=world.rep,
        opened_side="civic",
        description="The gate stays locked.",
        settlement_due=world.accord.start_date,
        city_member="A",
        civic_member="B",
        third_member="C",
        third_member_agreed=True,
        outcome="settled",
        closed_at=timezone.now(),
    )
    failures = _record_matrix(
        world,
        people,
        rules.DISPUTES,
        DISPUTE_SPEC,
        Dispute,
        dispute,
        set(D),
        lambda state: {"state": state},
    )
    assert not failures, failures[:20]


def test_the_support_matrix(world_and_people):
    world, people = world_and_people
    item = world.accord.current_version.support_items.get(kind="materials_on_loan")
    today = timezone.localdate()

    def updates(state):
        return {"status": state, "delivered_on": today, "returned_on": today}

    failures = []
    for accord_state in S:
        _set_accord_state(world.accord, accord_state)
        for state in SS:
            SupportItem.objects.filter(pk=item.pk).update(**updates(state))
            for role, user in people.items():
                obj = SupportItem.objects.select_related("version__accord").get(pk=item.pk)
                who, a_states, r_states = SUPPORT_SPEC["track_support"]
                expected = who in ROLES[role] and accord_state in a_states and state in r_states
                verdict = allows(user, "track_support", obj)
                if bool(verdict) != expected:
                    failures.append((role, accord_state.value, state, expected))
                twin = rules.SUPPORT.queryset(user, "track_support").filter(pk=item.pk).exists()
                if twin != bool(verdict):
                    failures.append(("twin", role, accord_state.value, state, twin))
    assert not failures, failures[:20]


def test_the_start_matrix(world_and_people):
    """Officers start an accord from an approved claim without a live accord."""
    world, people = world_and_people
    claim = claim_create()
    failures = []
    for state in Claim.State:
        Claim.objects.filter(pk=claim.pk).update(state=state)
        for role, user in people.items():
            fresh = Claim.objects.get(pk=claim.pk)
            who, states = START_SPEC["start"]
            expected = who in ROLES[role] and state in states
            verdict = rules.may_start(user, fresh)
            if bool(verdict) != expected:
                failures.append((role, state.value, expected))
            twin = rules.START.queryset(user, "start").filter(pk=claim.pk).exists()
            if twin != bool(verdict):
                failures.append(("twin", role, state.value, twin))
    assert not failures, failures[:20]
    # The world's claim has its (live) accord: nobody may start a second one.
    assert not rules.may_start(world.officer, world.claim)
    assert not rules.claims_to_start(world.officer).filter(pk=world.claim.pk).exists()


def test_wrong_person_and_wrong_moment_are_told_apart(world_and_people):
    world, people = world_and_people
    accord = world.accord
    wrong_person = allows(people["outsider resident"], Action.SUSPEND, accord)
    assert not wrong_person and wrong_person.wrong_person and wrong_person.code == "forbidden"
    Accord.objects.filter(pk=accord.pk).update(state=S.SUSPENDED)
    wrong_moment = allows(
        people["officer of the department"], Action.SUSPEND, Accord.objects.get(pk=accord.pk)
    )
    assert not wrong_moment and not wrong_moment.wrong_person and wrong_moment.code == "state"
    assert "Suspended" in wrong_moment.message
    assert allows(AnonymousUser(), Action.SUSPEND, accord).code == "login"


def test_a_cancelled_draft_leaves_the_registry_but_not_its_workspace(world_and_people):
    world, people = world_and_people
    accord = world.accord
    _set_accord_state(accord, S.CANCELLED)
    assert not rules.public_accords().filter(pk=accord.pk).exists()
    mine = rules.ACCORDS.queryset(people["officer of the department"], Action.PARTICIPATE)
    assert mine.filter(pk=accord.pk).exists()
    other = rules.ACCORDS.queryset(people["officer of another department"], Action.PARTICIPATE)
    assert not other.filter(pk=accord.pk).exists()
    assert not rules.ACCORDS.queryset(AnonymousUser(), Action.PARTICIPATE).exists()
