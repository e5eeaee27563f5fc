"""Public, read-only API: the implementation of a process's funded projects and of an accord."""

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from budgeting.models import Process
from core.api import Id
from implementation import selectors
from implementation.models import Implementation, Milestone

router = Router(tags=["implementation"])


class MilestoneOut(Schema):
    title: str
    due_date: dt.date
    done_at: dt.datetime | None
    note: str
    photos: int


class ImplementationOut(Schema):
    status: str
    status_reason: str
    progress: int
    department: str
    currency: str
    budgeted_cost: Decimal | None
    spent: Decimal
    latitude: Decimal | None
    longitude: Decimal | None
    updated_at: dt.datetime | None
    milestones: list[MilestoneOut]


class ProjectImplementationOut(Schema):
    project_id: int
    public_id: str
    title: str
    district: str
    cost: int | None
    url: str
    implementation: ImplementationOut | None


class ProcessImplementationOut(Schema):
    process_id: int
    published: bool
    projects: list[ProjectImplementationOut]


def _out(impl: Implementation | None) -> dict | None:
    if impl is None:
        return None
    return {
        "status": impl.state,
        "status_reason": impl.state_reason,
        "progress": impl.progress,
        "department": impl.department.name if impl.department else "",
        "currency": impl.currency,
        "budgeted_cost": impl.budgeted_cost,
        "spent": impl.spent,
        "latitude": impl.latitude,
        "longitude": impl.longitude,
        "updated_at": impl.updated_at,
        "milestones": [
            {
                "title": m.title,
                "due_date": m.due_date,
                "done_at": m.done_at,
                "note": m.note,
                "photos": len(m.photos.all()),
            }
            for m in impl.milestones.all()
        ],
    }


MILESTONES = Prefetch(
    "implementation__milestones",
    queryset=Milestone.objects.prefetch_related("photos").order_by("due_date", "id"),
)


@router.get("/processes/{process_id}/implementation", response=ProcessImplementationOut)
def process_implementation(request, process_id: Id):
    """Every funded project of a published process with its status, progress and milestones."""
    process = get_object_or_404(
        Process.objects.filter(state__in=Process.PUBLIC_STATES), pk=process_id
    )
    projects = selectors.funded_projects(process).prefetch_related(MILESTONES)
    return {
        "process_id": process.pk,
        "published": process.state in (Process.State.RESULTS, Process.State.IMPLEMENTATION),
        "projects": [
            {
                "project_id": p.pk,
                "public_id": p.public_id,
                "title": p.title,
                "district": p.district,
                "cost": p.cost,
                "url": p.get_absolute_url(),
                "implementation": _out(selectors.implementation_of(p)),
            }
            for p in projects
        ],
    }


@router.get("/accords/{accord_id}/implementation", response=ImplementationOut)
def accord_implementation(request, accord_id: Id):
    """How an accord's monitoring plan is followed (404 while nothing is tracked)."""
    impl = (
        Implementation.objects.filter(accord_id=accord_id)
        .exclude(accord__state="cancelled")
        .select_related("department", "accord")
        .prefetch_related(
            Prefetch(
                "milestones",
                queryset=Milestone.objects.prefetch_related("photos").order_by("due_date", "id"),
            )
        )
        .first()
    )
    if impl is None:
        raise Http404
    return _out(impl)
