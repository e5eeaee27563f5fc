"""Public, read-only API for the resource registry and claims (no drafts, no personal data)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from core.api import BoundedPageNumber, Id, QueryText
from proposals import selectors
from proposals.models import Claim, UrbanResource
from proposals.opinions import formal_opinions

router = Router(tags=["claims"])


class ResourceOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    address: str
    district: str
    latitude: Decimal | None
    longitude: Decimal | None
    owner: str
    status: str = Field(..., description="available, claimed or under_accord (derived).")
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class ResourceFilters(FilterSchema):
    kind: UrbanResource.Kind | None = None
    district: QueryText | None = None
    status: UrbanResource.Status | None = None


class ClaimOut(Schema):
    id: int
    reference: str
    title: str
    summary: str
    state: str
    track: str
    intensity: str
    field: str
    district: str
    resource_id: int | None
    place: str = Field(..., description="The resource's name, or the new location's address.")
    proposed_by: str
    supports: int
    submitted_at: dt.datetime | None
    consultation_ends_at: dt.datetime | None
    decided_at: dt.datetime | None
    url: str

    @staticmethod
    def resolve_place(obj) -> str:
        return obj.place_name

    @staticmethod
    def resolve_supports(obj) -> int:
        return obj.supports_count

    @staticmethod
    def resolve_proposed_by(obj) -> str:
        if obj.group_id:
            return obj.group.name
        return obj.created_by.display_name if obj.created_by_id else ""

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class FormalOpinionOut(Schema):
    body: str = Field(..., description="Who gave the opinion (an Assembly of the Commons).")
    text: str
    adopted_at: dt.datetime
    url: str
    motion: int | None = Field(
        None,
        description="The motion whose vote adopted the opinion (/api/meetings/…/motions).",
    )

    @staticmethod
    def resolve_motion(obj) -> int | None:
        return getattr(obj, "motion_id", None)

    @staticmethod
    def resolve_body(obj) -> str:
        return obj.body_name

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class ClaimDetailOut(ClaimOut):
    motivation: str
    objectives: str
    activities: str
    schedule: str
    resources_offered: str
    support_requested: str
    requested_duration_months: int
    location_latitude: Decimal | None
    location_longitude: Decimal | None
    decision_reasons: str
    competing_claims: list[int]
    formal_opinions: list[FormalOpinionOut]
    opinion_answer: str = Field(..., description="The decision's answer to the formal opinions.")

    @staticmethod
    def resolve_decision_reasons(obj) -> str:
        return obj.decision_reasons if obj.is_decided else ""

    @staticmethod
    def resolve_formal_opinions(obj) -> list:
        return formal_opinions(obj)

    @staticmethod
    def resolve_opinion_answer(obj) -> str:
        return obj.opinion_answer if obj.is_decided else ""

    @staticmethod
    def resolve_competing_claims(obj) -> list[int]:
        return [c.pk for c in obj.competing.all()]


class ClaimFilters(FilterSchema):
    state: Claim.State | None = None
    district: QueryText | None = None
    track: Claim.Track | None = None
    resource: Annotated[Id | None, FilterLookup(q="resource_id")] = None


@router.get("/resources", response=list[ResourceOut], tags=["resources"])
@paginate(BoundedPageNumber, page_size=50)
def resources(request, filters: Query[ResourceFilters]):
    """Urban resources of the registry; filter by kind, district and derived status."""
    return filters.filter(selectors.resource_list().order_by("name", "id"))


@router.get("/resources/{resource_id}", response=ResourceOut, tags=["resources"])
def resource(request, resource_id: Id):
    return get_object_or_404(selectors.resource_list(), pk=resource_id)


@router.get("/claims", response=list[ClaimOut])
@paginate(BoundedPageNumber, page_size=50)
def claims(request, filters: Query[ClaimFilters]):
    """Submitted claims (never drafts), newest first; filter by state, district, track."""
    return filters.filter(selectors.claim_list(request.user).order_by("-submitted_at", "-id"))


@router.get("/claims/{claim_id}", response=ClaimDetailOut)
def claim(request, claim_id: Id):
    return get_object_or_404(
        selectors.claim_list(request.user).prefetch_related("competing"), pk=claim_id
    )
