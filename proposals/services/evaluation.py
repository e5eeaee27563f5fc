"""The city's use cases: screening, documents, consultation close, reviews, decision."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_log
from citizens.models import Department, User
from proposals import notifications, rules
from proposals.attachments import check_upload, max_attachments_per_claim
from proposals.models import Claim, ProcedureConfig, ReviewRequest
from proposals.services._common import (
    StoredFiles,
    days_from,
    format_date,
    lock_claim,
    move,
    office_url,
    store_attachment,
    track_rules,
)
from proposals.signals import claim_approved
from proposals.workflow import approve_transition_name

SCREENING_OUTCOMES = ("admissible", "needs_documents", "inadmissible")


def _required(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message, code="required")
    return text


def claim_screening_start(*, actor: User, claim: Claim) -> Claim:
    """Submitted → admissibility check; the officer becomes the claim's handler."""
    with transaction.atomic():
        claim = lock_claim(claim)
        rules.may_start_screening(actor, claim).enforce()
        claim.handler = actor
        move(claim, "screening_start", actor=actor, update_fields=("handler",))
        notifications.send(
            notifications.proposers_of(claim),
            verb="claim.screening",
            url=claim.get_absolute_url(),
            message=lambda: (
                _("The city started checking your claim “%(title)s”.") % {"title": claim.title}
            ),
        )
    return claim


def claim_screen(
    *, actor: User, claim: Claim, outcome: str, reason: str = "", track: str | None = None
) -> Claim:
    """The admissibility decision: open the consultation, ask for documents, or reject."""
    if outcome not in SCREENING_OUTCOMES:
        raise ValidationError(_("Choose an outcome of the admissibility check."), code="outcome")
    if outcome == "needs_documents":
        return claim_request_documents(actor=actor, claim=claim, reason=reason)
    with transaction.atomic():
        claim = lock_claim(claim)
        rules.may_screen(actor, claim).enforce()
        if outcome == "inadmissible":
            reason = _required(
                reason, _("Explain why the claim is inadmissible: the reasons are published.")
            )
        now = timezone.now()
        after = {}
        if track and track != claim.track:
            if track not in Claim.Track.values:
                raise ValidationError(_("Unknown track."), code="track")
            after["track"] = track
            claim.track = track
        claim.handler = claim.handler or actor
        rules_for_track = track_rules(claim)
        url = claim.get_absolute_url()
        if outcome == "admissible":
            if claim.requested_duration_months > rules_for_track.max_accord_months:
                raise ValidationError(
                    _(
                        "The requested duration exceeds the %(months)s months allowed on this "
                        "track. Ask the proposers to amend it, or choose the complex track."
                    )
                    % {"months": rules_for_track.max_accord_months},
                    code="duration",
                )
            claim.consultation_starts_at = now
            claim.consultation_ends_at = days_from(now, rules_for_track.consultation_days)
            claim.due_at = claim.consultation_ends_at
            move(
                claim,
                "admit",
                actor=actor,
                reason=reason.strip(),
                after=after,
                update_fields=(
                    "track",
                    "handler",
                    "consultation_starts_at",
                    "consultation_ends_at",
                ),
            )

            def message():
                return _(
                    "“%(title)s” is admissible: the public consultation is open until %(date)s."
                ) % {"title": claim.title, "date": format_date(claim.consultation_ends_at)}

        else:
            claim.decision_reasons = reason
            claim.decided_at, claim.decided_by, claim.due_at = now, actor, None
            move(
                claim,
                "declare_inadmissible",
                actor=actor,
                reason=reason,
                after=after,
                update_fields=("track", "handler", "decision_reasons", "decided_at", "decided_by"),
            )

            def message():
                return _(
                    "“%(title)s” was declared inadmissible. The reasons are on the claim's page."
                ) % {"title": claim.title}

        notifications.send(
            notifications.proposers_of(claim), verb=f"claim.{outcome}", url=url, message=message
        )
    return claim


def claim_request_documents(*, actor: User, claim: Claim, reason: str) -> Claim:
    """Admissibility check → awaiting documents, with the proposers' deadline."""
    with transaction.atomic():
        claim = lock_claim(claim)
        rules.may_screen(actor, claim).enforce()
        reason = _required(reason, _("Say which documents or changes you need."))
        claim.handler = claim.handler or actor
        claim.due_at = days_from(timezone.now(), track_rules(claim).documents_days)
        move(claim, "request_documents", actor=actor, reason=reason, update_fields=("handler",))
        notifications.send(
            notifications.proposers_of(claim),
            verb="claim.documents_requested",
            url=reverse("proposals:claim-documents", args=[claim.pk]),
            message=lambda: (
                _("The city needs more from you on “%(title)s” by %(date)s: %(reason)s")
                % {"title": claim.title, "date": format_date(claim.due_at), "reason": reason[:200]}
            ),
        )
    return claim


def claim_provide_documents(*, actor: User, claim: Claim, note: str, uploads=()) -> Claim:
    """Awaiting documents → admissibility check again, with a fresh screening deadline."""
    note = (note or "").strip()
    checked = [(upload, check_upload(upload)) for upload in uploads]
    if not note and not checked:
        raise ValidationError(_("Add a note or at least one file."), code="required")
    with StoredFiles() as stored, transaction.atomic():
        claim = lock_claim(claim)
        rules.may_provide_documents(actor, claim).enforce()
        if claim.attachments.count() + len(checked) > max_attachments_per_claim():
            raise ValidationError(
                _("At most %(n)s attachments per claim.") % {"n": max_attachments_per_claim()}
            )
        for upload, info in checked:
            store_attachment(claim, upload, info, actor, stored)
        claim.due_at = days_from(timezone.now(), track_rules(claim).screening_days)
        move(claim, "provide_documents", actor=actor, reason=note, after={"files": len(checked)})
        notifications.send(
            notifications.city_of(claim),
            verb="claim.documents_provided",
            url=office_url(claim),
            message=lambda: (
                _("The proposers of “%(title)s” sent what you asked for.") % {"title": claim.title}
            ),
        )
    return claim


def claim_consultation_close(
    *, claim: Claim, actor: User | None = None, now: dt.datetime | None = None
) -> Claim:
    """Consultation → technical review, once its time is up (run by run_deadlines)."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = lock_claim(claim)
        rules.may_close_consultation(claim, now).enforce()
        claim.due_at = days_from(now, track_rules(claim).decision_days)
        move(claim, "close_consultation", actor=actor, after={"supports": claim.supports_count})
        url = claim.get_absolute_url()

        def message():
            return _(
                "The public consultation on “%(title)s” is closed with %(n)s supports. "
                "The city is now evaluating it."
            ) % {"title": claim.title, "n": claim.supports_count}

        notifications.send(
            notifications.proposers_of(claim),
            verb="claim.consultation_closed",
            url=url,
            message=message,
        )
        notifications.send(
            notifications.supporters_of(claim),
            verb="claim.consultation_closed",
            url=url,
            message=message,
        )
        notifications.send(
            notifications.city_of(claim),
            verb="claim.consultation_closed",
            url=office_url(claim),
            message=message,
            email=False,
        )
    return claim


# Technical reviews -------------------------------------------------------------------------


def review_request(
    *,
    actor: User,
    claim: Claim,
    department: Department,
    message: str = "",
    due_at: dt.datetime | None = None,
) -> ReviewRequest:
    """Ask a department for its opinion, with a due date (default from the configuration)."""
    with transaction.atomic():
        claim = lock_claim(claim)
        rules.may_request_review(actor, claim).enforce()
        now = timezone.now()
        due_at = due_at or days_from(now, track_rules(claim).review_days)
        if due_at <= now:
            raise ValidationError(_("The due date must be in the future."), code="due")
        if claim.reviews.filter(department=department, state=ReviewRequest.State.PENDING).exists():
            raise ValidationError(
                _("%(department)s has already been asked and has not answered yet.")
                % {"department": department.name},
                code="pending",
            )
        review = ReviewRequest.objects.create(
            claim=claim,
            department=department,
            message=(message or "").strip(),
            requested_by=actor,
            due_at=due_at,
        )
        claim.handler = claim.handler or actor
        claim.save(update_fields=["handler", "updated_at"])
        audit_log(
            actor=actor,
            action="claim.review_request",
            obj=claim,
            after={"review": review.pk, "department": department.name, "due_at": due_at},
            reason=review.message,
        )
        notifications.send(
            notifications.department_officers(review),
            verb="review.requested",
            url=reverse("proposals:review-answer", args=[review.pk]),
            message=lambda: (
                _("Your department is asked for an opinion on “%(title)s” by %(date)s.")
                % {"title": claim.title, "date": format_date(due_at)}
            ),
        )
    return review


def review_cancel(*, actor: User, review: ReviewRequest, reason: str) -> ReviewRequest:
    with transaction.atomic():
        claim = lock_claim(review.claim)
        rules.may_request_review(actor, claim).enforce()
        reason = _required(reason, _("Say why the request is cancelled."))
        review = ReviewRequest.objects.select_for_update().get(pk=review.pk)
        if review.state != ReviewRequest.State.PENDING:
            raise ValidationError(_("This review has already been answered or cancelled."))
        review.state = ReviewRequest.State.CANCELLED
        review.cancelled_reason = reason
        review.save(update_fields=["state", "cancelled_reason"])
        audit_log(
            actor=actor,
            action="claim.review_cancel",
            obj=claim,
            after={"review": review.pk, "department": review.department.name},
            reason=reason,
        )
        notifications.send(
            notifications.department_officers(review),
            verb="review.cancelled",
            url=office_url(claim),
            message=lambda: (
                _("The request for an opinion on “%(title)s” was cancelled.")
                % {"title": claim.title}
            ),
        )
    return review


def _checked_answer(opinion, conditions, checklist, checklist_notes) -> tuple[str, list]:
    if opinion not in ReviewRequest.Opinion.values:
        raise ValidationError(_("Choose an opinion."), code="opinion")
    conditions = (conditions or "").strip()
    if opinion == ReviewRequest.Opinion.CONDITIONS and not conditions:
        raise ValidationError(
            _("Write the conditions of a favourable opinion with conditions."), code="conditions"
        )
    items = ProcedureConfig.get_solo().active_checklist()
    missing = [
        i.display_label for i in items if checklist.get(i.key) not in ReviewRequest.Check.values
    ]
    if missing:
        raise ValidationError(
            _("Answer every checklist item: %(items)s.") % {"items": ", ".join(missing)},
            code="checklist",
        )
    checklist_notes = checklist_notes or {}
    snapshot = [
        {
            "key": i.key,
            "label": i.display_label,
            "value": checklist[i.key],
            "note": (checklist_notes.get(i.key) or "").strip()[:500],
        }
        for i in items
    ]
    return conditions, snapshot


def review_answer(
    *,
    actor: User,
    review: ReviewRequest,
    opinion: str,
    checklist: dict[str, str],
    conditions: str = "",
    notes: str = "",
    checklist_notes: dict[str, str] | None = None,
) -> ReviewRequest:
    """The department's opinion, with every active checklist item answered."""
    with transaction.atomic():
        claim = lock_claim(review.claim)
        review = (
            ReviewRequest.objects.select_for_update(of=("self",))
            .select_related("department")
            .get(pk=review.pk)
        )
        review.claim = claim
        rules.may_answer_review(actor, review).enforce()
        conditions, snapshot = _checked_answer(opinion, conditions, checklist, checklist_notes)
        review.state = ReviewRequest.State.ANSWERED
        review.opinion, review.conditions, review.notes = opinion, conditions, notes.strip()
        review.checklist = snapshot
        review.answered_by, review.answered_at = actor, timezone.now()
        review.save()
        audit_log(
            actor=actor,
            action="claim.review_answer",
            obj=claim,
            after={
                "review": review.pk,
                "department": review.department.name,
                "opinion": opinion,
                "conditions": conditions,
            },
        )
        url = claim.get_absolute_url()

        def message():
            return _("%(department)s gave its opinion on “%(title)s”: %(opinion)s.") % {
                "department": review.department.name,
                "title": claim.title,
                "opinion": ReviewRequest.Opinion(opinion).label,
            }

        notifications.send(
            notifications.city_of(claim),
            verb="review.answered",
            url=office_url(claim),
            message=message,
            exclude=actor,
        )
        notifications.send(
            notifications.proposers_of(claim), verb="review.answered", url=url, message=message
        )
    return review


# Executive deliberation and decision -------------------------------------------------------


def claim_refer_to_executive(*, actor: User, claim: Claim, reason: str = "") -> Claim:
    """Complex track: technical review → executive deliberation."""
    with transaction.atomic():
        claim = lock_claim(claim)
        rules.may_refer_to_executive(actor, claim).enforce()
        claim.due_at = days_from(timezone.now(), track_rules(claim).executive_days)
        move(claim, "refer_to_executive", actor=actor, reason=(reason or "").strip())
        url = claim.get_absolute_url()

        def message():
            return _("“%(title)s” goes to the city's executive, which decides by %(date)s.") % {
                "title": claim.title,
                "date": format_date(claim.due_at),
            }

        notifications.send(
            notifications.proposers_of(claim), verb="claim.executive", url=url, message=message
        )
        notifications.send(
            notifications.supporters_of(claim), verb="claim.executive", url=url, message=message
        )
    return claim


def claim_decide(*, actor: User, claim: Claim, approve: bool, reasons: str) -> Claim:
    """Approve or reject, with written reasons that are published on the claim's page."""
    with transaction.atomic():
        claim = lock_claim(claim)
        rules.may_decide(actor, claim, approve=approve).enforce()
        reasons = _required(
            reasons, _("Write the reasons of the decision: they are published with it.")
        )
        claim.decision_reasons = reasons
        claim.decided_at, claim.decided_by, claim.due_at = timezone.now(), actor, None
        name = approve_transition_name(claim) if approve else "reject"
        move(
            claim,
            name,
            actor=actor,
            reason=reasons,
            action="claim.approve" if approve else "claim.reject",
            update_fields=("decision_reasons", "decided_at", "decided_by"),
        )
        url = claim.get_absolute_url()

        def message():
            text = (
                _("“%(title)s” was approved. Next: co-designing the accord with the city.")
                if approve
                else _("“%(title)s” was rejected. The reasons are on its page.")
            )
            return text % {"title": claim.title}

        notifications.send(
            notifications.proposers_of(claim), verb="claim.decided", url=url, message=message
        )
        notifications.send(
            notifications.supporters_of(claim), verb="claim.decided", url=url, message=message
        )
        if approve:
            transaction.on_commit(lambda: claim_approved.send(sender=Claim, claim=claim))
    return claim
