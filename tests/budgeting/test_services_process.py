"""Phases, configuration freezes, envelopes, the lot order, ideas and reviews."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from budgeting import services
from budgeting.models import Process, Project
from tests.budgeting.factories import process_create, project_create
from tests.citizens.factories import officer_create, resident_create

pytestmark = pytest.mark.django_db
S = Process.State


@pytest.fixture
def officer():
    return officer_create()


def test_an_officer_creates_a_process_with_envelopes_and_it_is_audited(officer):
    process = Process(title="Bilancio 2027", budget=100_000)
    services.process_save(
        actor=officer, process=process, envelopes=[("Centro", 40_000), ("Navile", 60_000)]
    )
    assert process.state == S.DRAFT and process.created_by == officer
    assert {e.district: e.budget for e in process.envelopes.all()} == {
        "Centro": 40_000,
        "Navile": 60_000,
    }
    assert AuditEntry.objects.for_object(process).get().action == "budgeting.process.create"


def test_envelopes_must_add_up_to_the_budget(officer):
    with pytest.raises(ValidationError) as info:
        services.process_save(
            actor=officer,
            process=Process(title="X", budget=100_000),
            envelopes=[("Centro", 40_000)],
        )
    assert info.value.code == "envelopes_sum"


def test_residents_cannot_manage_processes():
    with pytest.raises(PermissionDenied):
        services.process_save(actor=resident_create(), process=Process(title="X", budget=1))


def test_voting_rules_freeze_once_voting_opens(officer):
    process = process_create(state=S.VOTING)
    process.budget = 1
    with pytest.raises(ValidationError) as info:
        services.process_save(actor=officer, process=process)
    assert info.value.code == "frozen"
    process.refresh_from_db()
    process.title = "A clearer title"
    services.process_save(actor=officer, process=process)  # wording may still change


def test_the_phase_moves_only_along_the_transitions_table(officer):
    process = process_create(state=S.DRAFT)
    with pytest.raises(ValidationError):
        services.process_transition(actor=officer, process=process, to=S.COUNTING)
    services.process_transition(actor=officer, process=process, to=S.IDEAS, reason="Go")
    entry = AuditEntry.objects.for_object(process).get()
    assert entry.before == {"state": "draft"} and entry.after == {"state": "ideas"}
    assert entry.reason == "Go"
    with pytest.raises(ValidationError):  # results only through publishing
        services.process_transition(actor=officer, process=process, to=S.RESULTS)


def test_voting_opens_only_when_every_idea_is_reviewed(officer):
    process = process_create(state=S.REVIEW)
    with pytest.raises(ValidationError) as info:
        services.process_transition(actor=officer, process=process, to=S.VOTING)
    assert info.value.code == "empty_ballot"
    project_create(process)
    project_create(process, state=Project.State.SUBMITTED, cost=None)
    with pytest.raises(ValidationError) as info:
        services.process_transition(actor=officer, process=process, to=S.VOTING)
    assert info.value.code == "unreviewed"


def test_each_envelope_needs_a_project_before_voting(officer):
    process = process_create(state=S.REVIEW, envelopes={"Centro": 1000, "Navile": 1000})
    project_create(process, district="Centro", cost=500)
    with pytest.raises(ValidationError) as info:
        services.process_transition(actor=officer, process=process, to=S.VOTING)
    assert info.value.code == "empty_envelope"


def test_opening_voting_draws_the_lot_order_for_equal_shares_tie_breaking(officer):
    process = process_create(state=S.REVIEW, tie_breaking=Process.TieBreaking.EQUALSHARES)
    projects = [project_create(process) for _ in range(4)]
    services.process_transition(actor=officer, process=process, to=S.VOTING)
    positions = sorted(Project.objects.values_list("lot_position", flat=True))
    assert positions == [1, 2, 3, 4] and len(projects) == 4
    process.refresh_from_db()
    assert process.lots_drawn_at is not None
    with pytest.raises(ValidationError):
        services.lots_draw(actor=officer, process=process)


def test_the_schedule_closes_voting(officer):
    process = process_create(state=S.VOTING)
    process.voting_closes_at = timezone.now() - dt.timedelta(minutes=1)
    process.voting_opens_at = timezone.now() - dt.timedelta(days=2)
    process.save()
    moves = services.process_advance_by_schedule()
    assert moves == [(process, S.COUNTING)] or moves[0][1] == S.COUNTING
    process.refresh_from_db()
    assert process.state == S.COUNTING


# Ideas and reviews ------------------------------------------------------------------------


def test_a_resident_submits_an_idea_and_hears_about_the_review(officer):
    process = process_create(state=S.IDEAS, voting_opens_at=None, voting_closes_at=None)
    resident = resident_create()
    idea = services.project_submit(
        user=resident, process=process, title="Benches", description="Near the school"
    )
    assert idea.state == Project.State.SUBMITTED and idea.proposer == resident
    mail.outbox.clear()
    services.project_review(
        actor=officer, project=idea, feasible=False, cost=None, reason="Private land."
    )
    idea.refresh_from_db()
    assert idea.state == Project.State.NOT_FEASIBLE
    assert resident.notifications.filter(verb="budgeting.project.reviewed").exists()
    services.project_review(actor=officer, project=idea, feasible=True, cost=12_000, reason="")
    idea.refresh_from_db()
    assert idea.state == Project.State.FEASIBLE and idea.cost == 12_000
    assert AuditEntry.objects.filter(action="budgeting.project.review").count() == 2


def test_a_review_needs_a_cost_or_a_reason(officer):
    process = process_create(state=S.REVIEW)
    idea = project_create(process, state=Project.State.SUBMITTED, cost=None)
    with pytest.raises(ValidationError):
        services.project_review(actor=officer, project=idea, feasible=True, cost=None, reason="")
    with pytest.raises(ValidationError):
        services.project_review(actor=officer, project=idea, feasible=False, cost=None, reason="")


def test_reviews_stop_when_voting_opens(officer):
    process = process_create(state=S.VOTING)
    project = project_create(process)
    with pytest.raises(PermissionDenied):
        services.project_review(
            actor=officer, project=project, feasible=False, cost=None, reason="Late"
        )


def test_ideas_only_while_idea_collection_is_open():
    process = process_create(state=S.REVIEW)
    with pytest.raises(PermissionDenied):
        services.project_submit(
            user=resident_create(), process=process, title="Late", description="."
        )


def test_the_proposer_withdraws_an_idea():
    process = process_create(state=S.IDEAS, voting_opens_at=None, voting_closes_at=None)
    resident = resident_create()
    idea = services.project_submit(user=resident, process=process, title="T", description="D")
    with pytest.raises(PermissionDenied):
        services.project_withdraw(user=resident_create(), project=idea)
    services.project_withdraw(user=resident, project=idea)
    assert idea.state == Project.State.WITHDRAWN
