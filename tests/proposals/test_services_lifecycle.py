"""Every transition of the claim lifecycle, and every refused one, at the service level."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from citizens.models import Notification
from proposals import services
from proposals.models import Claim, ProcedureConfig, ReviewRequest
from proposals.models.claims import OPEN_STATES
from proposals.signals import claim_approved
from tests.citizens.factories import (
    department_create,
    group_create,
    officer_create,
    resident_create,
    user_create,
)
from tests.proposals.factories import (
    claim_data,
    claim_in_state,
    close_consultation_now,
    resource_create,
)

pytestmark = pytest.mark.django_db
S = Claim.State


def last_audit(claim) -> AuditEntry:
    return AuditEntry.objects.for_object(claim).first()


def test_a_verified_resident_writes_a_draft_and_submits_it(django_capture_on_commit_callbacks):
    officer = officer_create()
    config = ProcedureConfig.get_solo()
    config.screening_department = officer.department
    config.save()
    author = resident_create()
    claim = services.claim_create(author=author, data=claim_data())
    assert claim.state == S.DRAFT and claim.district == claim.resource.district
    with django_capture_on_commit_callbacks(execute=True):
        claim = services.claim_submit(actor=author, claim=claim)
    assert claim.state == S.SUBMITTED
    days = config.track("ordinary").screening_days
    assert abs(claim.due_at - (claim.submitted_at + dt.timedelta(days=days))) < dt.timedelta(
        seconds=1
    )
    entry = last_audit(claim)
    assert (entry.action, entry.actor, entry.before, entry.after["state"]) == (
        "claim.submit",
        author,
        {"state": "draft"},
        "submitted",
    )
    # The author got a confirmation, the screening department a task, both by email too.
    assert Notification.objects.filter(user=author, verb="claim.submitted").exists()
    assert Notification.objects.filter(user=officer, verb="claim.submitted").exists()
    assert {m.to[0] for m in mail.outbox} == {author.email, officer.email}


def test_unverified_users_cannot_create_claims():
    with pytest.raises(PermissionDenied, match="verified residency"):
        services.claim_create(author=user_create(), data=claim_data())


def test_only_a_representative_proposes_for_a_group():
    rep, member = resident_create(), resident_create()
    group = group_create(representative=rep, members=[member])
    with pytest.raises(PermissionDenied, match="representative"):
        services.claim_create(author=member, data=claim_data(), group=group)
    claim = services.claim_create(author=rep, data=claim_data(), group=group)
    # Every representative speaks for the claim, members do not.
    assert rep.pk in claim.proposer_ids and member.pk not in claim.proposer_ids
    assert claim.proposer_label() == group.name


def test_empty_required_fields_are_refused_with_field_messages():
    data = claim_data(title="   ", motivation="")
    with pytest.raises(ValidationError) as exc:
        services.claim_create(author=resident_create(), data=data)
    assert set(exc.value.error_dict) == {"title", "motivation"}


def test_unknown_choices_are_refused():
    data = claim_data(intensity="forever", track="express")
    with pytest.raises(ValidationError) as exc:
        services.claim_create(author=resident_create(), data=data)
    assert set(exc.value.error_dict) == {"intensity", "track"}


def test_a_claim_needs_a_resource_or_a_new_location_with_its_district():
    data = claim_data(resource=None)
    with pytest.raises(ValidationError) as exc:
        services.claim_create(author=resident_create(), data=data)
    assert {"resource", "district"} <= set(exc.value.error_dict)
    data = claim_data(resource=None, location_address="Via Nuova 1", district="Navile")
    claim = services.claim_create(author=resident_create(), data=data)
    assert claim.district == "Navile" and claim.resource is None


def test_requested_duration_is_bounded_by_the_tracks_configuration():
    with pytest.raises(ValidationError, match="at most 36 months"):
        services.claim_create(
            author=resident_create(), data=claim_data(requested_duration_months=48)
        )
    config = ProcedureConfig.get_solo().track("ordinary")
    config.max_accord_months = 48
    config.save()
    services.claim_create(author=resident_create(), data=claim_data(requested_duration_months=48))


def test_unicode_and_huge_input():
    title = "Giardino “Fiorito” — cura condivisa 🌹 ñ 中文"
    claim = services.claim_create(author=resident_create(), data=claim_data(title=title))
    assert Claim.objects.get(pk=claim.pk).title == title
    with pytest.raises(ValidationError) as exc:
        services.claim_create(
            author=resident_create(), data=claim_data(motivation="x" * 10_001, title="t" * 201)
        )
    assert set(exc.value.error_dict) == {"motivation", "title"}


def test_drafts_are_edited_and_audited_then_frozen_after_submission():
    author = resident_create()
    claim = claim_in_state(S.DRAFT, author=author)
    data = {f: getattr(claim, f) for f in services.claims.EDITABLE_FIELDS}
    data["title"] = "A better title"
    services.claim_update(actor=author, claim=claim, data=data)
    entry = last_audit(claim)
    assert entry.action == "claim.update" and entry.after == {"title": "A better title"}
    with pytest.raises(PermissionDenied):
        services.claim_update(actor=resident_create(), claim=claim, data=data)
    services.claim_submit(actor=author, claim=claim)
    with pytest.raises(ValidationError, match="only as a draft"):
        services.claim_update(actor=author, claim=claim, data=data)


def test_submitting_twice_is_refused_with_a_clear_message():
    author = resident_create()
    claim = claim_in_state(S.SUBMITTED, author=author)
    with pytest.raises(ValidationError, match="cannot submit while it is “Submitted”"):
        services.claim_submit(actor=author, claim=claim)


def test_only_proposers_submit():
    claim = claim_in_state(S.DRAFT)
    with pytest.raises(PermissionDenied):
        services.claim_submit(actor=resident_create(), claim=claim)
    with pytest.raises(PermissionDenied):
        services.claim_submit(actor=officer_create(), claim=claim)


def test_screening_start_makes_the_officer_the_handler():
    officer = officer_create()
    claim = claim_in_state(S.SCREENING, officer=officer)
    assert claim.handler == officer and claim.state == S.SCREENING
    with pytest.raises(PermissionDenied, match="city officers"):
        services.claim_screening_start(actor=resident_create(), claim=claim_in_state(S.SUBMITTED))


def test_admissible_claims_open_the_consultation_for_the_configured_days():
    officer = officer_create()
    claim = claim_in_state(S.SCREENING, officer=officer)
    claim = services.claim_screen(actor=officer, claim=claim, outcome="admissible")
    days = ProcedureConfig.get_solo().track("ordinary").consultation_days
    assert claim.state == S.CONSULTATION
    assert claim.consultation_ends_at - claim.consultation_starts_at == dt.timedelta(days=days)
    assert claim.due_at == claim.consultation_ends_at


def test_the_screening_officer_may_move_a_claim_to_the_complex_track():
    officer = officer_create()
    claim = claim_in_state(S.SCREENING, officer=officer)
    claim = services.claim_screen(actor=officer, claim=claim, outcome="admissible", track="complex")
    assert claim.track == "complex"
    assert claim.consultation_ends_at - claim.consultation_starts_at == dt.timedelta(days=30)
    assert last_audit(claim).after["track"] == "complex"


def test_inadmissible_needs_reasons_and_rejects():
    officer = officer_create()
    claim = claim_in_state(S.SCREENING, officer=officer)
    with pytest.raises(ValidationError, match="inadmissible"):
        services.claim_screen(actor=officer, claim=claim, outcome="inadmissible", reason=" ")
    claim = services.claim_screen(
        actor=officer, claim=claim, outcome="inadmissible", reason="Private land."
    )
    assert claim.state == S.REJECTED and claim.decision_reasons == "Private land."
    assert last_audit(claim).action == "claim.declare_inadmissible"


def test_an_unknown_screening_outcome_is_refused():
    officer = officer_create()
    claim = claim_in_state(S.SCREENING, officer=officer)
    with pytest.raises(ValidationError, match="Choose an outcome"):
        services.claim_screen(actor=officer, claim=claim, outcome="maybe")


def test_documents_loop_back_to_screening_with_fresh_deadlines():
    author, officer = resident_create(), officer_create()
    claim = claim_in_state(S.SCREENING, author=author, officer=officer)
    with pytest.raises(ValidationError, match="which documents"):
        services.claim_request_documents(actor=officer, claim=claim, reason="")
    claim = services.claim_screen(
        actor=officer, claim=claim, outcome="needs_documents", reason="The insurance, please."
    )
    assert claim.state == S.AWAITING_DOCUMENTS
    assert claim.due_at > timezone.now() + dt.timedelta(days=29)
    with pytest.raises(ValidationError, match="note or at least one file"):
        services.claim_provide_documents(actor=author, claim=claim, note="  ")
    with pytest.raises(PermissionDenied):
        services.claim_provide_documents(actor=officer, claim=claim, note="x")
    claim = services.claim_provide_documents(actor=author, claim=claim, note="Attached.")
    assert claim.state == S.SCREENING
    assert last_audit(claim).reason == "Attached."


def test_consultation_closes_only_when_its_time_is_up():
    claim = claim_in_state(S.CONSULTATION)
    with pytest.raises(ValidationError, match="still open"):
        services.claim_consultation_close(claim=claim)
    claim = close_consultation_now(claim)
    assert claim.state == S.TECHNICAL_REVIEW
    entry = last_audit(claim)
    assert entry.actor is None and entry.actor_label == "system"
    decision_days = ProcedureConfig.get_solo().track("ordinary").decision_days
    assert claim.due_at > timezone.now() + dt.timedelta(days=decision_days - 1)


def test_reviews_are_asked_answered_and_block_the_decision_until_answered():
    officer = officer_create()
    parks = department_create("Parks")
    parks_officer = officer_create(department=parks)
    claim = claim_in_state(S.CONSULTATION, officer=officer)
    review = services.review_request(actor=officer, claim=claim, department=parks)
    assert review.due_at > timezone.now() + dt.timedelta(days=14)
    assert Notification.objects.filter(user=parks_officer, verb="review.requested").exists()
    with pytest.raises(ValidationError, match="already been asked"):
        services.review_request(actor=officer, claim=claim, department=parks)
    claim = close_consultation_now(claim)
    with pytest.raises(ValidationError, match="not answered yet"):
        services.claim_decide(actor=officer, claim=claim, approve=True, reasons="Fine.")
    # Only the asked department answers, with every checklist item.
    with pytest.raises(PermissionDenied, match="department asked"):
        services.review_answer(actor=officer, review=review, opinion="favourable", checklist={})
    with pytest.raises(ValidationError, match="checklist"):
        services.review_answer(
            actor=parks_officer, review=review, opinion="favourable", checklist={"permits": "ok"}
        )
    checklist = {i.key: "ok" for i in ProcedureConfig.get_solo().active_checklist()}
    with pytest.raises(ValidationError, match="conditions"):
        services.review_answer(
            actor=parks_officer, review=review, opinion="conditions", checklist=checklist
        )
    review = services.review_answer(
        actor=parks_officer,
        review=review,
        opinion="conditions",
        conditions="No pesticides.",
        checklist=checklist,
    )
    assert review.state == "answered" and len(review.checklist) == 6
    with pytest.raises(ValidationError, match="already been answered"):
        services.review_answer(
            actor=parks_officer, review=review, opinion="favourable", checklist=checklist
        )
    claim = services.claim_decide(actor=officer, claim=claim, approve=True, reasons="Fine.")
    assert claim.state == S.APPROVED


def test_review_due_date_must_be_in_the_future_and_state_must_allow_reviews():
    officer = officer_create()
    claim = claim_in_state(S.CONSULTATION, officer=officer)
    with pytest.raises(ValidationError, match="future"):
        services.review_request(
            actor=officer,
            claim=claim,
            department=department_create(),
            due_at=timezone.now() - dt.timedelta(days=1),
        )
    with pytest.raises(ValidationError, match="consultation and the technical review"):
        services.review_request(
            actor=officer, claim=claim_in_state(S.SCREENING), department=department_create()
        )


def test_a_pending_review_can_be_cancelled_with_a_reason():
    officer = officer_create()
    claim = claim_in_state(S.TECHNICAL_REVIEW, officer=officer)
    review = services.review_request(actor=officer, claim=claim, department=department_create())
    with pytest.raises(ValidationError):
        services.review_cancel(actor=officer, review=review, reason="")
    services.review_cancel(actor=officer, review=review, reason="Asked the wrong office.")
    review.refresh_from_db()
    assert review.state == "cancelled"
    services.claim_decide(actor=officer, claim=claim, approve=False, reasons="Not viable.")


def test_decisions_need_written_reasons():
    officer = officer_create()
    claim = claim_in_state(S.TECHNICAL_REVIEW, officer=officer)
    with pytest.raises(ValidationError, match="reasons"):
        services.claim_decide(actor=officer, claim=claim, approve=True, reasons="   ")
    with pytest.raises(PermissionDenied):
        services.claim_decide(
            actor=resident_create(), claim=claim, approve=True, reasons="I like it."
        )


def test_approval_is_audited_notified_and_signalled_after_commit(
    django_capture_on_commit_callbacks,
):
    officer = officer_create()
    supporter = resident_create()
    author = resident_create()
    claim = claim_in_state(S.CONSULTATION, officer=officer, author=author)
    services.support_add(user=supporter, claim=claim)
    claim = close_consultation_now(claim)
    received = []
    claim_approved.connect(lambda sender, claim, **kw: received.append(claim.pk), weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            claim = services.claim_decide(
                actor=officer, claim=claim, approve=True, reasons="Well planned."
            )
    finally:
        claim_approved.receivers.clear()
    assert received == [claim.pk]
    assert claim.decided_by == officer and claim.due_at is None
    entry = last_audit(claim)
    assert (entry.action, entry.reason, entry.actor) == ("claim.approve", "Well planned.", officer)
    for user in (author, supporter):
        assert Notification.objects.filter(user=user, verb="claim.decided").exists()


def test_complex_claims_go_through_the_executive_before_approval():
    officer = officer_create()
    claim = claim_in_state(S.TECHNICAL_REVIEW, officer=officer, track="complex")
    with pytest.raises(ValidationError, match="only after the executive deliberation"):
        services.claim_decide(actor=officer, claim=claim, approve=True, reasons="Yes.")
    claim = services.claim_refer_to_executive(actor=officer, claim=claim)
    assert claim.state == S.EXECUTIVE_DELIBERATION
    assert claim.due_at > timezone.now() + dt.timedelta(days=29)
    claim = services.claim_decide(actor=officer, claim=claim, approve=True, reasons="Executive.")
    assert claim.state == S.APPROVED


def test_ordinary_claims_are_not_referred_to_the_executive():
    officer = officer_create()
    claim = claim_in_state(S.TECHNICAL_REVIEW, officer=officer)
    with pytest.raises(ValidationError, match="Only complex claims"):
        services.claim_refer_to_executive(actor=officer, claim=claim)


def test_complex_claims_may_be_rejected_during_the_executive_deliberation():
    officer = officer_create()
    claim = claim_in_state(S.EXECUTIVE_DELIBERATION, officer=officer, track="complex")
    claim = services.claim_decide(actor=officer, claim=claim, approve=False, reasons="No.")
    assert claim.state == S.REJECTED


@pytest.mark.parametrize("state", sorted(OPEN_STATES))
def test_proposers_withdraw_from_every_open_state(state):
    author, officer = resident_create(), officer_create()
    track = "complex" if state == S.EXECUTIVE_DELIBERATION else "ordinary"
    claim = claim_in_state(state, author=author, officer=officer, track=track)
    pending = None
    if state in (S.CONSULTATION, S.TECHNICAL_REVIEW):
        pending = services.review_request(
            actor=officer, claim=claim, department=department_create()
        )
    with pytest.raises(ValidationError, match="why"):
        services.claim_withdraw(actor=author, claim=claim, reason="")
    with pytest.raises(PermissionDenied):
        services.claim_withdraw(actor=officer, claim=claim, reason="No.")
    claim = services.claim_withdraw(actor=author, claim=claim, reason="Moving away.")
    assert claim.state == S.WITHDRAWN and claim.due_at is None
    if pending is not None:
        pending.refresh_from_db()
        assert pending.state == ReviewRequest.State.CANCELLED


@pytest.mark.parametrize("state", [S.DRAFT, S.APPROVED, S.REJECTED, S.WITHDRAWN])
def test_closed_or_draft_claims_cannot_be_withdrawn(state):
    author = resident_create()
    claim = claim_in_state(state, author=author)
    with pytest.raises(ValidationError, match="cannot withdraw"):
        services.claim_withdraw(actor=author, claim=claim, reason="Why not.")


# The refusal table: every transition from every state it does not start from.
REFUSED = [
    (t.name, state)
    for t in Claim.machine
    for state in (S.DRAFT, S.SUBMITTED, S.SCREENING, S.CONSULTATION, S.APPROVED)
    if state not in t.sources
]


def _fire(name, claim, author, officer):
    dept = department_create()
    calls = {
        "submit": lambda: services.claim_submit(actor=author, claim=claim),
        "screening_start": lambda: services.claim_screening_start(actor=officer, claim=claim),
        "request_documents": lambda: services.claim_request_documents(
            actor=officer, claim=claim, reason="x"
        ),
        "provide_documents": lambda: services.claim_provide_documents(
            actor=author, claim=claim, note="x"
        ),
        "admit": lambda: services.claim_screen(actor=officer, claim=claim, outcome="admissible"),
        "declare_inadmissible": lambda: services.claim_screen(
            actor=officer, claim=claim, outcome="inadmissible", reason="x"
        ),
        "close_consultation": lambda: services.claim_consultation_close(
            claim=claim, now=timezone.now() + dt.timedelta(days=400)
        ),
        "refer_to_executive": lambda: services.claim_refer_to_executive(actor=officer, claim=claim),
        "approve": lambda: services.claim_decide(
            actor=officer, claim=claim, approve=True, reasons="x"
        ),
        "approve_after_deliberation": lambda: services.claim_decide(
            actor=officer, claim=claim, approve=True, reasons="x"
        ),
        "reject": lambda: services.claim_decide(
            actor=officer, claim=claim, approve=False, reasons="x"
        ),
        "withdraw": lambda: services.claim_withdraw(actor=author, claim=claim, reason="x"),
        "review_request": lambda: services.review_request(
            actor=officer, claim=claim, department=dept
        ),
    }
    return calls[name]()


@pytest.mark.parametrize(("name", "state"), REFUSED)
def test_illegal_transitions_are_refused_and_change_nothing(name, state):
    author, officer = resident_create(), officer_create()
    claim = claim_in_state(state, author=author, officer=officer)
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        _fire(name, claim, author, officer)
    claim.refresh_from_db()
    assert claim.state == state
    assert AuditEntry.objects.count() == entries


def test_competing_claims_on_the_same_resource_are_linked_both_ways():
    resource = resource_create()
    withdrawn = claim_in_state(S.WITHDRAWN, resource=resource)  # no longer competes
    claim_in_state(S.DRAFT, resource=resource)  # drafts do not compete yet
    first = claim_in_state(S.CONSULTATION, resource=resource)
    second = claim_in_state(S.SUBMITTED, resource=resource)
    assert list(second.competing.all()) == [first]
    assert list(first.competing.all()) == [second]
    assert list(withdrawn.competing.all()) == []
    assert Notification.objects.filter(user__in=first.proposers(), verb="claim.competitor").exists()


def test_coauthors_accept_an_invitation_and_become_proposers():
    author, friend = resident_create(), resident_create(email="friend@example.org")
    claim = claim_in_state(S.DRAFT, author=author)
    with pytest.raises(ValidationError, match="No verified resident"):
        services.coauthor_invite(actor=author, claim=claim, email="nobody@example.org")
    with pytest.raises(ValidationError, match="No verified resident"):
        services.coauthor_invite(actor=author, claim=claim, email=user_create().email)
    with pytest.raises(ValidationError, match="already a proposer"):
        services.coauthor_invite(actor=author, claim=claim, email=author.email)
    services.coauthor_invite(actor=author, claim=claim, email="FRIEND@example.org")
    with pytest.raises(ValidationError, match="already been invited"):
        services.coauthor_invite(actor=author, claim=claim, email="friend@example.org")
    assert friend.pk not in Claim.objects.get(pk=claim.pk).proposer_ids
    services.coauthor_answer(user=friend, claim=claim, accept=True)
    claim = Claim.objects.get(pk=claim.pk)
    assert friend.pk in claim.proposer_ids
    with pytest.raises(ValidationError, match="no pending invitation"):
        services.coauthor_answer(user=friend, claim=claim, accept=False)
    # A co-author may submit.
    services.claim_submit(actor=friend, claim=claim)


def test_deleting_a_draft_removes_it_but_keeps_the_audit_entry():
    author = resident_create()
    claim = claim_in_state(S.DRAFT, author=author)
    pk = claim.pk
    with pytest.raises(PermissionDenied):
        services.claim_delete_draft(actor=resident_create(), claim=claim)
    services.claim_delete_draft(actor=author, claim=claim)
    assert not Claim.objects.filter(pk=pk).exists()
    assert AuditEntry.objects.filter(action="claim.delete", object_id=str(pk)).exists()
    submitted = claim_in_state(S.SUBMITTED, author=author)
    with pytest.raises(ValidationError, match="Only drafts"):
        services.claim_delete_draft(actor=author, claim=submitted)
