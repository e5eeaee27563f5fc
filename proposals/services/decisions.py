"""The end of the evaluation: executive deliberation (complex track) and the decision."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens.models import User
from core.notify import notify
from proposals import notifications, rules
from proposals.models import Claim
from proposals.services._common import (
    days_from,
    format_date,
    lock_claim,
    move,
    required_text,
    track_rules,
)
from proposals.signals import claim_approved
from proposals.workflow import approve_transition_name


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

        notify(notifications.proposers_of(claim), verb="claim.executive", url=url, message=message)
        notify(notifications.supporters_of(claim), verb="claim.executive", url=url, message=message)
    return claim


def claim_decide(*, actor: User, claim: Claim, approve: bool, reasons: str) -> Claim:
    """Approve or reject, with written reasons that are published on the claim's page."""
    with transaction.atomic():
        claim = lock_claim(claim)
        rules.may_decide(actor, claim, approve=approve).enforce()
        reasons = required_text(
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

        notify(notifications.proposers_of(claim), verb="claim.decided", url=url, message=message)
        notify(notifications.supporters_of(claim), verb="claim.decided", url=url, message=message)
        if approve:
            transaction.on_commit(lambda: claim_approved.send(sender=Claim, claim=claim))
    return claim
