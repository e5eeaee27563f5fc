"""Who hears about each step of a claim (the services tell them with core.notify.notify; its
messages are callables so each recipient reads them in their own language)."""

from citizens.models import User
from citizens.rules import PERM_MODERATE, PERM_OFFICER, officers_of, users_with_permission
from proposals.models import Claim, ProcedureConfig, ReviewRequest


def proposers_of(claim: Claim) -> list[User]:
    return list(claim.proposers())


def supporters_of(claim: Claim) -> list[User]:
    """Supporters who kept updates on for this claim."""
    return list(
        User.objects.filter(
            claim_supports__claim=claim, claim_supports__notify=True, is_active=True
        )
    )


def city_of(claim: Claim) -> list[User]:
    """The officer handling the claim; before anyone does, the screening department."""
    if claim.handler_id and claim.handler.is_active:
        return [claim.handler]
    department = ProcedureConfig.get_solo().screening_department
    if department is not None:
        officers = list(officers_of(department))
        if officers:
            return officers
    return list(users_with_permission(PERM_OFFICER).filter(is_superuser=False))


def department_officers(review: ReviewRequest) -> list[User]:
    return list(officers_of(review.department))


def moderators() -> list[User]:
    return list(users_with_permission(PERM_MODERATE))
