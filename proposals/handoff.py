"""What the accords app needs from an approved claim.

    from proposals.handoff import accord_seed, claims_ready_for_accord
    seed = accord_seed(claim)          # refuses anything but an approved claim
    seed.max_accord_months, seed.accord_end_limit(start)   # the track's limit
    seed.group, seed.representatives, seed.coauthors       # the civic parties

`proposals.signals.claim_approved` fires after each approval commits.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from citizens.models import CivicGroup, User
from proposals.models import Claim, ClaimCoauthor, ProcedureConfig, TrackProcedure, UrbanResource


@dataclass(frozen=True)
class AccordSeed:
    claim: Claim
    resource: UrbanResource | None
    track: str
    title: str
    objectives: str
    activities: str
    schedule: str
    resources_offered: str
    support_requested: str
    requested_duration_months: int
    group: CivicGroup | None
    # Who signs for the civic side: the group's representatives, or the author and co-authors.
    representatives: list[User]
    coauthors: list[User]
    track_rules: TrackProcedure

    @property
    def max_accord_months(self) -> int:
        return self.track_rules.max_accord_months

    def accord_end_limit(self, start: dt.date) -> dt.date:
        return self.track_rules.accord_end_limit(start)


def claims_ready_for_accord() -> QuerySet:
    """Approved claims (the accords app excludes those that already have an accord)."""
    return Claim.objects.filter(state=Claim.State.APPROVED).select_related(
        "resource", "group", "created_by"
    )


def accord_seed(claim: Claim) -> AccordSeed:
    if claim.state != Claim.State.APPROVED:
        raise ValidationError(_("Only an approved claim can become an accord."), code="state")
    coauthors = [
        c.user
        for c in claim.coauthors.filter(state=ClaimCoauthor.State.ACCEPTED).select_related("user")
    ]
    if claim.group_id:
        representatives = [
            m.user
            for m in claim.group.memberships.filter(is_representative=True).select_related("user")
        ]
    else:
        representatives = [claim.created_by] if claim.created_by_id else []
    return AccordSeed(
        claim=claim,
        resource=claim.resource,
        track=claim.track,
        title=claim.title,
        objectives=claim.objectives,
        activities=claim.activities,
        schedule=claim.schedule,
        resources_offered=claim.resources_offered,
        support_requested=claim.support_requested,
        requested_duration_months=claim.requested_duration_months,
        group=claim.group,
        representatives=representatives,
        coauthors=coauthors,
        track_rules=ProcedureConfig.get_solo().track(claim.track),
    )
