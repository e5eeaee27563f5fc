"""Reads of implementation tracking: the per-process list, its map points, a subject's timeline."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from budgeting.models import Process, Project
from budgeting.results import funded_project_ids
from implementation.models import Implementation, ImplementationState, Milestone

NOT_TRACKED = "untracked"


def funded_projects(
    process: Process, *, state: str = "", district: str | None = None
) -> QuerySet[Project]:
    """Every funded project of the process with its implementation (one query), filtered."""
    qs = (
        Project.objects.filter(pk__in=funded_project_ids(process))
        .select_related("implementation__department", "resource", "process")
        .annotate(
            milestones_total=Count("implementation__milestones", distinct=True),
            milestones_done=Count(
                "implementation__milestones",
                filter=Q(implementation__milestones__done_at__isnull=False),
                distinct=True,
            ),
        )
        .order_by("district", "title", "pk")
    )
    if state == NOT_TRACKED:
        qs = qs.filter(implementation__isnull=True)
    elif state in ImplementationState.values:
        qs = qs.filter(implementation__state=state)
    if district is not None and district != "":
        qs = qs.filter(district=district)
    return qs


def implementation_of(project: Project) -> Implementation | None:
    try:
        return project.implementation
    except Implementation.DoesNotExist:
        return None


def map_points(projects: QuerySet[Project]) -> list[dict]:
    """The located projects of the (filtered, unpaginated) list, in one query."""
    rows = projects.filter(implementation__latitude__isnull=False).values(
        "pk",
        "process_id",
        "title",
        "district",
        "implementation__latitude",
        "implementation__longitude",
        "implementation__state",
        "implementation__progress",
    )
    return [
        {
            "id": r["pk"],
            "name": r["title"],
            "address": r["district"],
            "lat": float(r["implementation__latitude"]),
            "lon": float(r["implementation__longitude"]),
            "status": f"{ImplementationState(r['implementation__state']).label} · "
            f"{r['implementation__progress']}%",
            "url": reverse("budgeting:project-detail", args=[r["process_id"], r["pk"]])
            + "#implementation",
        }
        for r in rows
    ]


TRANSITIONS = {f"implementation.{t.name}" for t in Implementation.machine}
TIMELINE_ACTIONS = TRANSITIONS | {"implementation.open"}


def timeline(impl: Implementation) -> tuple[list[dict], list[Milestone]]:
    """Status changes and milestones, in time order (two queries plus the photos)."""
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Implementation),
        object_id=str(impl.pk),
        action__in=sorted(TIMELINE_ACTIONS),
    ).order_by("at", "id")
    items = [
        {"kind": "status", "at": e.at, "action": e.action, "reason": e.reason, "after": e.after}
        for e in entries
    ]
    milestones = list(
        Milestone.objects.filter(implementation=impl)
        .prefetch_related("photos")
        .order_by("due_date", "id")
    )
    return items, milestones


def overdue_filter(implementations: QuerySet[Implementation]) -> QuerySet[Implementation]:
    """Open implementations with a milestone past its due date and not reached."""
    late = Milestone.objects.filter(
        implementation=OuterRef("pk"), done_at__isnull=True, due_date__lt=timezone.localdate()
    )
    return implementations.filter(
        Exists(late), state__in=[ImplementationState.PLANNED, ImplementationState.IN_PROGRESS]
    )
