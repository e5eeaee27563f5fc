"""The admissibility check, requests for documents, and the close of the consultation."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens.models import User
from core.fsm import fire
from core.notify import notify
from proposals import notifications
from proposals.attachments import check_upload, max_attachments_per_claim
from proposals.models import Claim
from proposals.rules import claim_policy
from proposals.services._common import (
    StoredFiles,
    days_from,
    format_date,
    lock_claim,
    next_step,
    office_url,
    required_text,
    store_attachment,
    track_rules,
)

SCREENING_OUTCOMES = ("admissible", "needs_documents", "inadmissible")


def claim_screening_start(*, actor: User, claim: Claim) -> Claim:
    """Submitted → admissibility check; the officer becomes the claim's handler."""
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        fire(
            claim,
            "screening_start",
            actor=actor,
            handler=actor,
            **next_step(claim.due_at),
            audit_after={"due_at": claim.due_at},
        )
        notify(
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
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(actor, "screen", claim).enforce()
        if outcome == "inadmissible":
            reason = required_text(
                reason, _("Explain why the claim is inadmissible: the reasons are published.")
            )
        now = timezone.now()
        after = {}
        if track and track != claim.track:
            if track not in Claim.Track.values:
                raise ValidationError(_("Unknown track."), code="track")
            after["track"] = track
            claim.track = track
        handler = claim.handler or actor
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
            ends_at = days_from(now, rules_for_track.consultation_days)
            fire(
                claim,
                "admit",
                actor=actor,
                reason=reason.strip(),
                track=claim.track,
                handler=handler,
                consultation_starts_at=now,
                consultation_ends_at=ends_at,
                **next_step(ends_at),
                audit_after={"due_at": ends_at, **after},
            )

            def message():
                return _(
                    "“%(title)s” is admissible: the public consultation is open until %(date)s."
                ) % {"title": claim.title, "date": format_date(claim.consultation_ends_at)}

        else:
            fire(
                claim,
                "declare_inadmissible",
                actor=actor,
                reason=reason,
                track=claim.track,
                handler=handler,
                decision_reasons=reason,
                decided_at=now,
                decided_by=actor,
                **next_step(None),
                audit_after={"due_at": None, **after},
            )

            def message():
                return _(
                    "“%(title)s” was declared inadmissible. The reasons are on the claim's page."
                ) % {"title": claim.title}

        notify(notifications.proposers_of(claim), verb=f"claim.{outcome}", url=url, message=message)
    return claim


def claim_request_documents(*, actor: User, claim: Claim, reason: str) -> Claim:
    """Admissibility check → awaiting documents, with the proposers' deadline."""
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(actor, "screen", claim).enforce()
        reason = required_text(reason, _("Say which documents or changes you need."))
        due_at = days_from(timezone.now(), track_rules(claim).documents_days)
        fire(
            claim,
            "request_documents",
            actor=actor,
            reason=reason,
            handler=claim.handler or actor,
            **next_step(due_at),
            audit_after={"due_at": due_at},
        )
        notify(
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
    with StoredFiles() as stored, transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(actor, "provide_documents", claim).enforce()
        if claim.attachments.count() + len(checked) > max_attachments_per_claim():
            raise ValidationError(
                _("At most %(n)s attachments per claim.") % {"n": max_attachments_per_claim()}
            )
        for upload, info in checked:
            store_attachment(claim, upload, info, actor, stored)
        due_at = days_from(timezone.now(), track_rules(claim).screening_days)
        fire(
            claim,
            "provide_documents",
            actor=actor,
            reason=note,
            **next_step(due_at),
            audit_after={"due_at": due_at, "files": len(checked)},
        )
        notify(
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
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        Claim.machine.check(claim, "close_consultation")
        if claim.consultation_ends_at and now < claim.consultation_ends_at:
            # Consultations close by time only, never early.
            raise ValidationError(_("The consultation is still open."), code="state")
        due_at = days_from(now, track_rules(claim).decision_days)
        fire(
            claim,
            "close_consultation",
            actor=actor,
            **next_step(due_at),
            audit_after={"due_at": due_at, "supports": claim.supports_count},
        )
        url = claim.get_absolute_url()

        def message():
            return _(
                "The public consultation on “%(title)s” is closed with %(n)s supports. "
                "The city is now evaluating it."
            ) % {"title": claim.title, "n": claim.supports_count}

        notify(
            notifications.proposers_of(claim),
            verb="claim.consultation_closed",
            url=url,
            message=message,
        )
        notify(
            notifications.supporters_of(claim),
            verb="claim.consultation_closed",
            url=url,
            message=message,
        )
        notify(
            notifications.city_of(claim),
            verb="claim.consultation_closed",
            url=office_url(claim),
            message=message,
            email=False,
        )
    return claim
