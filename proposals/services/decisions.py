"""The end of the evaluation: executive deliberation (complex track) and the decision."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens.models import User
from core.fsm import fire
from core.notify import notify
from proposals import notifications, opinions
from proposals.models import Claim
from proposals.rules import claim_policy
from proposals.services._common import (
    days_from,
    format_date,
    lock_claim,
    next_step,
    required_text,
    track_rules,
)
from proposals.signals import claim_approved


def claim_refer_to_executive(*, actor: User, claim: Claim, reason: str = "") -> Claim:
    """Complex track: technical review → executive deliberation."""
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(actor, "refer_to_executive", claim).enforce()
        due_at = days_from(timezone.now(), track_rules(claim).executive_days)
        fire(
            claim,
            "refer_to_executive",
            actor=actor,
            reason=(reason or "").strip(),
            **next_step(due_at),
            audit_after={"due_at": due_at},
        )
        url = claim.get_absolute_url()

        def message():
            return _("“%(title)s” goes to the city's executive, which decides by %(date)s.") % {
                "title": claim.title,
                "date": format_date(claim.due_at),
            }

        notify(notifications.proposers_of(claim), verb="claim.executive", url=url, message=message)
        notify(notifications.supporters_of(claim), verb="claim.executive", url=url, message=message)
    return claim


def claim_decide(
    *, actor: User, claim: Claim, approve: bool, reasons: str, opinion_answer: str = ""
) -> Claim:
    """Approve or reject, with written reasons that are published on the claim's page.

    When a civic body gave a formal opinion on the claim (`proposals.opinions`), the reasons
    must answer it: `opinion_answer` is then required and published next to the opinion."""
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(actor, "approve" if approve else "reject", claim).enforce()
        reasons = required_text(
            reasons, _("Write the reasons of the decision: they are published with it.")
        )
        opinion_answer = (opinion_answer or "").strip()
        if opinions.formal_opinions(claim) and not opinion_answer:
            raise ValidationError(
                {
                    "opinion_answer": ValidationError(
                        _(
                            "The Assembly of the Commons gave a formal opinion on this claim: "
                            "answer it before deciding."
                        ),
                        code="required",
                    )
                }
            )
        fire(
            claim,
            claim.approve_transition() if approve else "reject",
            actor=actor,
            reason=reasons,
            decision_reasons=reasons,
            opinion_answer=opinion_answer,
            decided_at=timezone.now(),
            decided_by=actor,
            **next_step(None),
            # Both approvals (with or without the executive) read "claim.approve".
            audit_action="claim.approve" if approve else "claim.reject",
            audit_after={
                "due_at": None,
                **({"opinion_answer": opinion_answer} if opinion_answer else {}),
            },
        )
        opinions.claim_decided(claim, actor)
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
