"""Formal opinions on claims, and the city's decision that must answer them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assemblies.records import services
from assemblies.records.models import Opinion
from audit.models import AuditEntry
from citizens.models import Notification
from proposals import services as claim_services
from proposals.models import Claim
from proposals.opinions import formal_opinions
from tests.assembly_records.factories import (
    adopt_by_motion,
    assembly_create,
    coordinator_create,
    member_add,
)
from tests.citizens.factories import officer_create
from tests.proposals.factories import claim_in_state, close_consultation_now

pytestmark = pytest.mark.django_db
S = Claim.State


@pytest.fixture
def claim(officer):
    return claim_in_state(S.CONSULTATION, officer=officer)


def adopted_opinion(assembly, coordinator, claim, text="We support it, with a shared calendar."):
    opinion = services.opinion_draft(actor=coordinator, assembly=assembly, claim=claim, text=text)
    adopt_by_motion(opinion, chair=coordinator)
    return opinion


def test_a_coordinator_drafts_edits_and_the_assembly_adopts_an_opinion(
    assembly, coordinator, claim, officer
):
    opinion = services.opinion_draft(
        actor=coordinator, assembly=assembly, claim=claim, text="First draft."
    )
    assert opinion.state == Opinion.State.DRAFT
    assert formal_opinions(claim) == []  # drafts are not shown to the city
    services.opinion_edit(actor=coordinator, opinion=opinion, text="The assembly supports it.")
    adopt_by_motion(opinion, chair=coordinator)
    assert opinion.state == Opinion.State.ADOPTED
    assert opinion.adopted_at is not None
    assert formal_opinions(claim) == [opinion]
    assert set(
        AuditEntry.objects.filter(object_id=str(opinion.pk)).values_list("action", flat=True)
    ) >= {"assembly.opinion.draft", "assembly.opinion.edit", "assembly.opinion.adopt"}
    # The claim's proposers and its handling officer hear of it.
    told = set(
        Notification.objects.filter(verb="assembly.opinion.adopted").values_list("user", flat=True)
    )
    assert told == {claim.created_by_id, officer.pk}


@pytest.mark.parametrize("state", [S.SUBMITTED, S.SCREENING, S.TECHNICAL_REVIEW, S.REJECTED])
def test_an_opinion_on_a_claim_not_in_consultation_is_refused(assembly, coordinator, state):
    claim = claim_in_state(state)
    with pytest.raises(ValidationError, match="public consultation"):
        services.opinion_draft(actor=coordinator, assembly=assembly, claim=claim, text="x")


def test_a_draft_is_not_put_to_the_vote_once_the_consultation_is_over(assembly, coordinator, claim):
    opinion = services.opinion_draft(actor=coordinator, assembly=assembly, claim=claim, text="x")
    Claim.objects.filter(pk=claim.pk).update(
        consultation_ends_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="public consultation"):
        adopt_by_motion(opinion, chair=coordinator)
    close_consultation_now(claim)
    with pytest.raises(ValidationError, match="public consultation"):
        services.opinion_edit(actor=coordinator, opinion=opinion, text="y")


def test_a_non_coordinator_is_refused(assembly, coordinator, claim):
    member = member_add(assembly)
    with pytest.raises(PermissionDenied):
        services.opinion_draft(actor=member, assembly=assembly, claim=claim, text="x")
    opinion = services.opinion_draft(actor=coordinator, assembly=assembly, claim=claim, text="x")
    other_coordinator = coordinator_create(assembly_create())
    for actor in (member, other_coordinator, officer_create()):
        with pytest.raises(PermissionDenied):
            services.opinion_edit(actor=actor, opinion=opinion, text="y")


def test_one_live_opinion_per_assembly_and_claim(assembly, coordinator, claim):
    opinion = adopted_opinion(assembly, coordinator, claim)
    with pytest.raises(ValidationError, match="already has an opinion"):
        services.opinion_draft(actor=coordinator, assembly=assembly, claim=claim, text="Again")
    services.opinion_withdraw(actor=coordinator, opinion=opinion, reason="Superseded.")
    services.opinion_draft(actor=coordinator, assembly=assembly, claim=claim, text="New")


def test_an_adopted_opinion_is_not_edited_or_adopted_again(assembly, coordinator, claim):
    opinion = adopted_opinion(assembly, coordinator, claim)
    with pytest.raises(ValidationError, match="Only a draft"):
        services.opinion_edit(actor=coordinator, opinion=opinion, text="Changed")
    with pytest.raises(ValidationError, match="Only a draft opinion can be put to the vote"):
        adopt_by_motion(opinion, chair=coordinator)


def test_withdrawing_needs_a_reason_and_removes_it_from_the_claim(assembly, coordinator, claim):
    opinion = adopted_opinion(assembly, coordinator, claim)
    with pytest.raises(ValidationError):
        services.opinion_withdraw(actor=coordinator, opinion=opinion, reason=" ")
    services.opinion_withdraw(actor=coordinator, opinion=opinion, reason="We changed our mind.")
    opinion.refresh_from_db()
    assert opinion.state == Opinion.State.WITHDRAWN
    assert formal_opinions(claim) == []


# The city's decision must answer the opinion ----------------------------------------------


def _to_review(claim):
    return close_consultation_now(claim)


def test_officer_decision_without_answering_the_opinion_is_refused(
    assembly, coordinator, claim, officer
):
    adopted_opinion(assembly, coordinator, claim)
    claim = _to_review(claim)
    with pytest.raises(ValidationError) as info:
        claim_services.claim_decide(actor=officer, claim=claim, approve=True, reasons="Good plan.")
    assert "opinion_answer" in info.value.error_dict
    claim.refresh_from_db()
    assert claim.state == S.TECHNICAL_REVIEW


def test_the_answer_is_stored_with_the_decision_and_coordinators_are_told(
    assembly, coordinator, claim, officer
):
    adopted_opinion(assembly, coordinator, claim)
    claim = _to_review(claim)
    claim_services.claim_decide(
        actor=officer,
        claim=claim,
        approve=True,
        reasons="Good plan.",
        opinion_answer="  We take up the shared calendar as a clause.  ",
    )
    claim.refresh_from_db()
    assert claim.state == S.APPROVED
    assert claim.opinion_answer == "We take up the shared calendar as a clause."
    entry = AuditEntry.objects.filter(action="claim.approve").get()
    assert entry.after["opinion_answer"] == claim.opinion_answer
    told = Notification.objects.filter(verb="assembly.opinion.answered")
    assert list(told.values_list("user", flat=True)) == [coordinator.pk]


def test_without_an_opinion_the_decision_needs_no_answer(claim, officer):
    claim = _to_review(claim)
    claim_services.claim_decide(actor=officer, claim=claim, approve=False, reasons="No.")
    claim.refresh_from_db()
    assert claim.state == S.REJECTED and claim.opinion_answer == ""


def test_a_withdrawn_opinion_needs_no_answer(assembly, coordinator, claim, officer):
    opinion = adopted_opinion(assembly, coordinator, claim)
    services.opinion_withdraw(actor=coordinator, opinion=opinion, reason="Mistaken.")
    claim = _to_review(claim)
    claim_services.claim_decide(actor=officer, claim=claim, approve=False, reasons="No.")


def test_an_opinion_cannot_be_withdrawn_after_the_decision(assembly, coordinator, claim, officer):
    opinion = adopted_opinion(assembly, coordinator, claim)
    claim = _to_review(claim)
    claim_services.claim_decide(
        actor=officer, claim=claim, approve=False, reasons="No.", opinion_answer="Noted."
    )
    with pytest.raises(ValidationError, match="already decided"):
        services.opinion_withdraw(actor=coordinator, opinion=opinion, reason="Late.")
