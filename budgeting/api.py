"""Public, read-only API for processes, their projects and published results."""

import datetime as dt

from django.db.models import Count, F, Prefetch, Q
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from budgeting import permissions
from budgeting.models import Process, Project, Result, ResultLine
from budgeting.results import reason_text
from budgeting.templatetags.budgeting_tags import money
from core.api import BoundedLimitOffset, Id

router = Router(tags=["budgeting"])


class EnvelopeOut(Schema):
    district: str
    budget: int


class ProcessListOut(Schema):
    id: int
    title: str
    state: str
    currency: str
    budget: int
    voting_opens_at: dt.datetime | None
    voting_closes_at: dt.datetime | None
    projects_on_ballot: int
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class ProjectOut(Schema):
    id: int
    public_id: str
    title: str
    description: str
    district: str
    cost: int | None
    state: str
    lot_position: int | None
    resource_id: int | None


class ProcessOut(Schema):
    id: int
    title: str
    description: str
    state: str
    currency: str
    budget: int
    envelopes: list[EnvelopeOut]
    ideas_opens_at: dt.datetime | None
    ideas_closes_at: dt.datetime | None
    voting_opens_at: dt.datetime | None
    voting_closes_at: dt.datetime | None
    min_age: int
    residency: str
    eligible_district: str
    ballot_rule: str
    approval_max: int | None
    knapsack_min_percent: int
    min_projects: int
    max_projects: int | None
    result_rule: str
    mes_add1_variant: str
    mes_completion: str
    mes_comparison: bool
    tie_breaking: str
    live_results: str
    url: str
    projects: list[ProjectOut]


class ResultLineOut(Schema):
    project_id: int
    public_id: str
    title: str
    cost: int | None
    votes: int
    selected: bool
    position: int | None
    reason: str
    explanation: str


class ResultOut(Schema):
    district: str
    rule: str
    options: dict
    budget: int
    spent: int
    ballots_counted: int
    published_at: dt.datetime | None
    projects: list[ResultLineOut]


class ResultsOut(Schema):
    process_id: int
    published: bool
    results: list[ResultOut]


def _public_processes():
    return Process.objects.filter(state__in=Process.PUBLIC_STATES)


@router.get("/processes", response=list[ProcessListOut])
@paginate(BoundedLimitOffset)
def process_list(request):
    """Public processes, newest first."""
    return (
        _public_processes()
        .annotate(
            projects_on_ballot=Count("projects", filter=Q(projects__state=Project.State.FEASIBLE))
        )
        .order_by("-created_at", "-id")
    )


@router.get("/processes/{process_id}", response=ProcessOut)
def process_detail(request, process_id: Id):
    """A process with its rules and the projects that are public (not withdrawn)."""
    process = get_object_or_404(
        _public_processes().prefetch_related(
            "envelopes",
            Prefetch(
                "projects",
                queryset=Project.objects.exclude(state=Project.State.WITHDRAWN).order_by("pk"),
            ),
        ),
        pk=process_id,
    )
    data = {f: getattr(process, f) for f in ProcessOut.model_fields if hasattr(process, f)}
    data["envelopes"] = [
        {"district": e.district, "budget": e.budget} for e in process.envelopes.all()
    ]
    data["projects"] = [
        {f: getattr(p, f) for f in ProjectOut.model_fields} for p in process.projects.all()
    ]
    data["url"] = process.get_absolute_url()
    return data


@router.get("/processes/{process_id}/results", response=ResultsOut)
def process_results(request, process_id: Id):
    """Published results with, for each project, why it was or was not selected."""
    process = get_object_or_404(_public_processes(), pk=process_id)
    results = []
    if process.state in permissions.FINISHED_STATES:
        lines = ResultLine.objects.select_related("project").order_by(
            F("position").asc(nulls_last=True), "-votes", "project_id"
        )
        results = list(
            Result.objects.filter(process=process, published_at__isnull=False)
            .prefetch_related(Prefetch("lines", queryset=lines))
            .order_by("district")
        )

    def money_text(amount):
        return money(amount, process.currency)

    return {
        "process_id": process.pk,
        "published": bool(results),
        "results": [
            {
                "district": r.district,
                "rule": r.rule,
                "options": r.options,
                "budget": r.budget,
                "spent": r.spent,
                "ballots_counted": r.ballots_counted,
                "published_at": r.published_at,
                "projects": [
                    {
                        "project_id": ln.project_id,
                        "public_id": ln.project.public_id,
                        "title": ln.project.title,
                        "cost": ln.project.cost,
                        "votes": ln.votes,
                        "selected": ln.selected,
                        "position": ln.position,
                        "reason": ln.reason,
                        "explanation": reason_text(ln, money_text),
                    }
                    for ln in r.lines.all()
                ],
            }
            for r in results
        ],
    }
