"""`core.fsm.fire` on claims: the one way a claim changes state.

It locks the row, checks the source state and the actor's permission, saves, writes the
audit entry with the state before and after, and sends `transitioned` after commit.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from audit.models import AuditEntry
from core.fsm import fire, transitioned
from proposals import services
from proposals.models import Claim
from tests.citizens.factories import officer_create, resident_create
from tests.concurrency import run_together
from tests.proposals.factories import claim_in_state

S = Claim.State


@pytest.fixture
def received():
    """What `transitioned` delivered during the test."""
    got = []

    def receiver(sender, instance, name, before, after, actor, **kwargs):
        got.append((sender, instance.pk, name, before, after, actor))

    transitioned.connect(receiver, weak=False)
    yield got
    transitioned.disconnect(receiver)


def claim_entries(claim, action):
    return AuditEntry.objects.for_object(claim).filter(action=action)


@pytest.mark.django_db
def test_firing_a_transition_saves_the_target_and_audits_before_and_after(
    received, django_capture_on_commit_callbacks
):
    officer = officer_create()
    claim = claim_in_state(S.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        fire(claim, "screening_start", actor=officer, reason="Mine.", handler=officer)
    claim.refresh_from_db()
    assert (claim.state, claim.handler) == (S.SCREENING, officer)
    entry = claim_entries(claim, "claim.screening_start").get()
    assert (entry.actor, entry.before, entry.after, entry.reason) == (
        officer,
        {"state": "submitted"},
        {"state": "screening"},
        "Mine.",
    )
    assert received == [(Claim, claim.pk, "screening_start", "submitted", "screening", officer)]


@pytest.mark.django_db
def test_a_transition_from_the_wrong_state_is_refused_and_changes_nothing(received):
    officer = officer_create()
    claim = claim_in_state(S.DRAFT)
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="cannot declare admissible") as caught:
        fire(claim, "admit", actor=officer)
    assert caught.value.code == "state"
    with pytest.raises(ValidationError, match="cannot close the consultation"):
        fire(claim, "close_consultation", actor=None)  # the system: no policy, same machine
    assert Claim.objects.get(pk=claim.pk).state == S.DRAFT
    assert AuditEntry.objects.count() == entries and received == []


@pytest.mark.django_db
def test_the_wrong_person_is_refused_by_the_policy_and_changes_nothing(received):
    claim = claim_in_state(S.SUBMITTED)
    resident, officer = resident_create(), officer_create()
    entries = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied, match="Only city officers"):
        fire(claim, "screening_start", actor=resident)
    with pytest.raises(PermissionDenied, match="proposers"):
        fire(claim, "withdraw", actor=officer, reason="Not mine to withdraw.")
    assert Claim.objects.get(pk=claim.pk).state == S.SUBMITTED
    assert AuditEntry.objects.count() == entries and received == []


@pytest.mark.django_db
def test_the_state_is_read_again_under_the_lock_not_taken_from_a_stale_object():
    officer = officer_create()
    claim = claim_in_state(S.SUBMITTED)
    stale = Claim.objects.get(pk=claim.pk)
    services.claim_screening_start(actor=officer, claim=claim)
    with pytest.raises(ValidationError, match="cannot start the admissibility check"):
        fire(stale, "screening_start", actor=officer)
    assert claim_entries(claim, "claim.screening_start").count() == 1


@pytest.mark.django_db
def test_the_signal_waits_for_the_commit(received, django_capture_on_commit_callbacks):
    officer = officer_create()
    claim = claim_in_state(S.SUBMITTED)
    with django_capture_on_commit_callbacks() as callbacks:
        fire(claim, "screening_start", actor=officer)
        assert received == []  # inside the transaction: nothing sent yet
    assert received == []
    for callback in callbacks:
        callback()
    assert [r[2] for r in received] == ["screening_start"]


@pytest.mark.django_db
def test_no_signal_and_no_audit_when_the_transaction_rolls_back(
    received, django_capture_on_commit_callbacks
):
    officer = officer_create()
    claim = claim_in_state(S.SUBMITTED)

    def use_case_failing_after_the_transition():
        with transaction.atomic():
            fire(claim, "screening_start", actor=officer)
            raise RuntimeError("something later in the use case failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        use_case_failing_after_the_transition()
    assert received == []
    assert Claim.objects.get(pk=claim.pk).state == S.SUBMITTED
    assert not claim_entries(claim, "claim.screening_start").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_firing_the_same_transition_at_once_one_wins(received):
    for _ in range(3):  # a few rounds: the interleaving differs from run to run
        first, second = officer_create(), officer_create()
        claim = claim_in_state(S.SUBMITTED)
        results = run_together(
            *(
                lambda officer=officer, pk=claim.pk: services.claim_screening_start(
                    actor=officer, claim=Claim(pk=pk)
                )
                for officer in (first, second)
            )
        )
        won = [r for r in results if isinstance(r, Claim)]
        lost = [r for r in results if isinstance(r, ValidationError)]
        assert len(won) == 1 and len(lost) == 1, results
        claim.refresh_from_db()
        assert claim.state == S.SCREENING and claim.handler == won[0].handler
        assert claim_entries(claim, "claim.screening_start").count() == 1
    assert len([r for r in received if r[2] == "screening_start"]) == 3
