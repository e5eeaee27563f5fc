"""Reads for pages and the API. Every list is a fixed number of queries, whatever its length."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from citizens.models import CensusRecord, Department
from proposals.models import (
    Attachment,
    Claim,
    ClaimCoauthor,
    ReviewRequest,
    UrbanResource,
)
from proposals.models.claims import OPEN_STATES
from proposals.rules import PROPOSER, claim_policy, review_policy

# Resources ---------------------------------------------------------------------------------


def public_claims() -> QuerySet:
    """The claims everybody may see (the public list, the API, a resource's page)."""
    return claim_policy.queryset(AnonymousUser(), "list")


def resource_list() -> QuerySet:
    public = Q(claims__in=public_claims().values("pk"))
    return (
        UrbanResource.objects.with_status()
        .annotate(public_claims=Count("claims", filter=public))
        .order_by("name", "id")
    )


def resource_get(pk: int) -> UrbanResource:
    return UrbanResource.objects.with_status().get(pk=pk)


def resource_claims(resource: UrbanResource) -> QuerySet:
    return (
        public_claims()
        .filter(resource=resource)
        .select_related("group", "created_by")
        .order_by("-submitted_at", "-id")
    )


def district_choices(*, with_census: bool = False) -> list[str]:
    """Districts of the registry and of claims (one query); forms add the census's too."""
    districts = (
        UrbanResource.objects.order_by()
        .values_list("district")
        .union(Claim.objects.order_by().values_list("district"))
    )
    names = {row[0] for row in districts}
    if with_census:
        names |= set(CensusRecord.objects.order_by().values_list("district", flat=True).distinct())
    return sorted(n for n in names if n)


# Claims ------------------------------------------------------------------------------------


def claim_list(user) -> QuerySet:
    """The claims listed for this user: the public ones (drafts are in "My claims")."""
    return claim_policy.queryset(user, "list").select_related("resource", "group", "created_by")


def claim_list_for_proposer(user) -> QuerySet:
    if not user.is_authenticated:
        return Claim.objects.none()
    return (
        Claim.objects.filter(PROPOSER.q(user))
        .select_related("resource", "group")
        .order_by("-updated_at", "-id")
    )


def coauthor_invitations(user) -> QuerySet:
    if not user.is_authenticated:
        return ClaimCoauthor.objects.none()
    return ClaimCoauthor.objects.filter(
        user=user, state=ClaimCoauthor.State.PENDING
    ).select_related("claim")


def claim_get(pk: int) -> Claim:
    return (
        Claim.objects.select_related("resource", "group", "created_by", "handler", "decided_by")
        .prefetch_related(
            Prefetch("coauthors", queryset=ClaimCoauthor.objects.select_related("user")),
            Prefetch("attachments", queryset=Attachment.objects.all()),
            Prefetch(
                "competing",
                queryset=public_claims().select_related("resource"),
            ),
        )
        .get(pk=pk)
    )


def claim_objection_count(claim: Claim) -> int:
    """The claim's formal objections still shown (neither hidden nor deleted)."""
    from proposals.rules import objections_of

    return objections_of(claim).filter(state="published").count()


def claim_reviews(claim: Claim) -> QuerySet:
    return claim.reviews.select_related("department", "answered_by", "requested_by")


# The office --------------------------------------------------------------------------------


def office_queue(user) -> QuerySet:
    """Open claims, overdue first, then by due date (no due date last)."""
    now = timezone.now()
    pending = ReviewRequest.objects.filter(claim=OuterRef("pk"), state=ReviewRequest.State.PENDING)
    return (
        claim_policy.queryset(user, "handle")
        .select_related("resource", "handler")
        .annotate(
            pending_reviews=Count(
                "reviews", filter=Q(reviews__state=ReviewRequest.State.PENDING), distinct=True
            ),
            overdue=Case(
                When(due_at__lte=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            waiting_on_departments=Exists(pending),
        )
        .order_by("-overdue", "due_at", "id")
    )


def due_soon(queue: QuerySet, now=None) -> QuerySet:
    """Claims of an office queue not overdue yet but due within the next days
    (`settings.OFFICE_DUE_SOON_DAYS`, a week by default)."""
    now = now or timezone.now()
    days = getattr(settings, "OFFICE_DUE_SOON_DAYS", 7)
    return queue.filter(due_at__gt=now, due_at__lte=now + dt.timedelta(days=days))


def office_queue_filter_by_department(qs: QuerySet, department: Department) -> QuerySet:
    return qs.filter(reviews__department=department).distinct()


def review_inbox(user) -> QuerySet:
    return (
        review_policy.queryset(user, "answer")
        .select_related("claim", "claim__resource", "department", "requested_by")
        .order_by("due_at", "id")
    )


def departments() -> QuerySet:
    return Department.objects.order_by("name")


def open_states() -> list[str]:
    return [s for s in Claim.State if s in OPEN_STATES]


# Timeline ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: object
    action: str
    text: str
    by: str
    reason: str


CITY = "city"
PROPOSERS = "proposers"
SYSTEM = "system"


def _timeline_text(entry: AuditEntry) -> tuple[str, str] | None:
    """(who, text) of an entry shown on the public page, or None to keep it internal."""
    after = entry.after or {}
    department = after.get("department", "")
    texts = {
        "claim.submit": (PROPOSERS, _("Submitted to the city")),
        "claim.screening_start": (CITY, _("Admissibility check started")),
        "claim.request_documents": (CITY, _("The city asked for documents or changes")),
        "claim.provide_documents": (PROPOSERS, _("The proposers sent documents")),
        "claim.admit": (CITY, _("Declared admissible; public consultation opened")),
        "claim.declare_inadmissible": (CITY, _("Declared inadmissible")),
        "claim.close_consultation": (SYSTEM, _("Public consultation closed")),
        "claim.review_request": (
            CITY,
            _("Opinion requested from %(department)s") % {"department": department},
        ),
        "claim.review_answer": (
            CITY,
            _("%(department)s gave its opinion: %(opinion)s")
            % {
                "department": department,
                "opinion": ReviewRequest.Opinion(after["opinion"]).label
                if after.get("opinion") in ReviewRequest.Opinion.values
                else "",
            },
        ),
        "claim.review_cancel": (
            CITY,
            _("Request to %(department)s cancelled") % {"department": department},
        ),
        "claim.refer_to_executive": (CITY, _("Referred to the executive for deliberation")),
        "claim.approve": (CITY, _("Approved")),
        "claim.reject": (CITY, _("Rejected")),
        "claim.withdraw": (PROPOSERS, _("Withdrawn by the proposers")),
        "claim.resource_set": (
            CITY,
            _("Added to the resource registry as “%(name)s”") % {"name": after.get("name", "")},
        ),
    }
    return texts.get(entry.action)


# Reasons shown publicly next to the step (others stay in the office's audit trail).
PUBLIC_REASONS = {
    "claim.declare_inadmissible",
    "claim.approve",
    "claim.reject",
    "claim.withdraw",
    "claim.refer_to_executive",
}
PROPOSER_REASONS = PUBLIC_REASONS | {"claim.request_documents", "claim.provide_documents"}


def claim_timeline(claim: Claim, *, full: bool = False) -> list[TimelineEntry]:
    """The public steps of a claim, oldest first (`full`: reasons for proposers and officers)."""
    labels = {CITY: _("City"), PROPOSERS: _("Proposers"), SYSTEM: _("Automatic")}
    reasons = PROPOSER_REASONS if full else PUBLIC_REASONS
    entries = []
    for entry in AuditEntry.objects.for_object(claim).order_by("at", "id"):
        shown = _timeline_text(entry)
        if shown is None:
            continue
        who, text = shown
        entries.append(
            TimelineEntry(
                at=entry.at,
                action=entry.action,
                text=text,
                by=str(labels[who]),
                reason=entry.reason if entry.action in reasons else "",
            )
        )
    return entries


def claim_audit(claim: Claim) -> QuerySet:
    """Everything recorded about the claim, with who did it: for officers."""
    return AuditEntry.objects.for_object(claim).select_related("actor").order_by("-at", "-id")
