"""Time-driven steps of the claim workflow, run by `manage.py run_deadlines`.

Idempotent and safe to run every minute, even twice at once: every step re-checks its
condition on a locked row, and "overdue" is flagged once per step (the flag is cleared by
the next transition).
"""

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.services import audit_log
from core.notify import notify
from proposals import notifications
from proposals.models import Claim, ReviewRequest
from proposals.models.claims import OPEN_STATES
from proposals.services import claim_consultation_close
from proposals.services._common import format_date, office_url

logger = logging.getLogger(__name__)


def run(now: dt.datetime) -> dict[str, int]:
    """Close consultations whose time is up, then flag overdue claims and reviews."""
    return {
        "consultations_closed": close_consultations(now),
        "claims_overdue": flag_overdue_claims(now),
        "reviews_overdue": flag_overdue_reviews(now),
    }


def close_consultations(now: dt.datetime) -> int:
    closed = 0
    due = Claim.objects.filter(
        state=Claim.State.CONSULTATION, consultation_ends_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        try:
            claim_consultation_close(claim=Claim(pk=pk), now=now)
        except (ValidationError, Claim.DoesNotExist):
            continue  # moved on meanwhile (another run, a withdrawal): nothing to do
        closed += 1
    return closed


def flag_overdue_claims(now: dt.datetime) -> int:
    flagged = 0
    candidates = Claim.objects.filter(
        state__in=sorted(OPEN_STATES), due_at__lte=now, overdue_flagged_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            claim = (
                Claim.objects.select_for_update()
                .filter(
                    pk=pk,
                    state__in=sorted(OPEN_STATES),
                    due_at__lte=now,
                    overdue_flagged_at__isnull=True,
                )
                .first()
            )
            if claim is None:
                continue
            claim.overdue_flagged_at = now
            claim.save(update_fields=["overdue_flagged_at"])
            audit_log(
                actor=None,
                action="claim.overdue",
                obj=claim,
                after={"state": claim.state, "due_at": claim.due_at},
            )
            if claim.state == Claim.State.AWAITING_DOCUMENTS:
                recipients = notifications.proposers_of(claim) + notifications.city_of(claim)
            else:
                recipients = notifications.city_of(claim)

            def message(claim=claim):
                return _("Overdue: “%(title)s” (%(state)s) was due on %(date)s.") % {
                    "title": claim.title,
                    "state": Claim.State(claim.state).label,
                    "date": format_date(claim.due_at),
                }

            notify(recipients, verb="claim.overdue", url=office_url(claim), message=message)
            flagged += 1
    return flagged


def flag_overdue_reviews(now: dt.datetime) -> int:
    flagged = 0
    candidates = ReviewRequest.objects.filter(
        state=ReviewRequest.State.PENDING, due_at__lte=now, overdue_flagged_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            review = (
                ReviewRequest.objects.select_for_update(of=("self",))
                .filter(
                    pk=pk,
                    state=ReviewRequest.State.PENDING,
                    due_at__lte=now,
                    overdue_flagged_at__isnull=True,
                )
                .select_related("claim", "department")
                .first()
            )
            if review is None:
                continue
            review.overdue_flagged_at = now
            review.save(update_fields=["overdue_flagged_at"])
            audit_log(
                actor=None,
                action="claim.review_overdue",
                obj=review.claim,
                after={"review": review.pk, "department": review.department.name},
            )

            def message(review=review):
                return _(
                    "Overdue: the opinion of %(department)s on “%(title)s” was due on %(date)s."
                ) % {
                    "department": review.department.name,
                    "title": review.claim.title,
                    "date": format_date(review.due_at),
                }

            notify(
                notifications.department_officers(review) + notifications.city_of(review.claim),
                verb="review.overdue",
                url=reverse("proposals:review-answer", args=[review.pk]),
                message=message,
            )
            flagged += 1
    return flagged
