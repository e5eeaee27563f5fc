"""Technical reviews: the city asks its departments for an opinion."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_log
from citizens.models import Department, User
from core.fsm import fire
from core.notify import notify
from proposals import notifications
from proposals.models import Claim, ProcedureConfig, ReviewRequest
from proposals.rules import claim_policy, review_policy
from proposals.services._common import (
    days_from,
    format_date,
    lock_claim,
    office_url,
    required_text,
    track_rules,
)


def review_request(
    *,
    actor: User,
    claim: Claim,
    department: Department,
    message: str = "",
    due_at: dt.datetime | None = None,
) -> ReviewRequest:
    """Ask a department for its opinion, with a due date (default from the configuration)."""
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(actor, "request_review", claim).enforce()
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
        notify(
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
    with transaction.atomic(durable=True):
        claim = lock_claim(review.claim)
        review = ReviewRequest.objects.select_related("department").get(pk=review.pk)
        review.claim = claim
        review_policy.allows(actor, "cancel", review).enforce()
        reason = required_text(reason, _("Say why the request is cancelled."))
        fire(
            review,
            "cancel",
            actor=actor,
            reason=reason,
            cancelled_reason=reason,
            audit_action="claim.review_cancel",
            audit_object=claim,
            audit_after={"review": review.pk, "department": review.department.name},
        )
        notify(
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
    with transaction.atomic(durable=True):
        claim = lock_claim(review.claim)
        review = (
            ReviewRequest.objects.select_for_update(of=("self",))
            .select_related("department")
            .get(pk=review.pk)
        )
        review.claim = claim
        review_policy.allows(actor, "answer", review).enforce()
        conditions, snapshot = _checked_answer(opinion, conditions, checklist, checklist_notes)
        fire(
            review,
            "answer",
            actor=actor,
            opinion=opinion,
            conditions=conditions,
            notes=notes.strip(),
            checklist=snapshot,
            answered_by=actor,
            answered_at=timezone.now(),
            audit_action="claim.review_answer",
            audit_object=claim,
            audit_after={
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

        notify(
            notifications.city_of(claim),
            verb="review.answered",
            url=office_url(claim),
            message=message,
            exclude=actor,
        )
        notify(notifications.proposers_of(claim), verb="review.answered", url=url, message=message)
    return review
