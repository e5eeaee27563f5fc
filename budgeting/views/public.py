"""Public pages: processes, projects, idea submission."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from budgeting import permissions, selectors, services
from budgeting.eligibility import Ineligible, eligibility_check
from budgeting.forms import IdeaForm
from budgeting.models import Channel, Process, Project
from budgeting.results import funded_project_ids
from core import errors
from core.views import confirm, confirmed

S = Process.State


def process_list(request):
    state = request.GET.get("state") or ""
    if state not in S.values:
        state = ""
    processes = selectors.process_list(request.user, state=state or None)
    page = Paginator(processes, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "budgeting/process_list.html",
        {
            "page": page,
            "can_manage": permissions.can(request.user, permissions.Action.MANAGE, None),
            "state": state,
            "states": S.choices,
        },
    )


def _phases(process: Process) -> list[dict]:
    order = [S.IDEAS, S.REVIEW, S.VOTING, S.RESULTS, S.IMPLEMENTATION]
    current = S.RESULTS if process.state == S.COUNTING else process.state
    index = order.index(current) if current in order else -1
    dates = {
        S.IDEAS: (process.ideas_opens_at, process.ideas_closes_at),
        S.REVIEW: (process.ideas_closes_at, process.voting_opens_at),
        S.VOTING: (process.voting_opens_at, process.voting_closes_at),
        S.RESULTS: (process.results_planned_at, None),
        S.IMPLEMENTATION: (None, None),
    }
    return [
        {
            "label": S(state).label,
            "start": dates[state][0],
            "end": dates[state][1],
            "status": "current" if i == index else ("done" if i < index else "next"),
        }
        for i, state in enumerate(order)
    ]


def voter_status(user, process: Process) -> dict:
    """What the page tells this person about voting: done, may vote, or why not."""
    status = {"voted": None, "problem": None, "problem_code": None, "district": ""}
    participation = services.participation_get(user=user, process=process)
    if participation is not None:
        status["voted"] = participation.channel
        return status
    if not user.is_authenticated:
        status["problem_code"] = "login"
        return status
    try:
        status["district"] = eligibility_check(process=process, census_record=user.census_record)
    except Ineligible as exc:
        status["problem"], status["problem_code"] = errors.message(exc), exc.code
    return status


def process_detail(request, pk):
    process = selectors.process_get(request.user, pk)
    user = request.user
    counts = {
        "feasible": process.projects.filter(state=Project.State.FEASIBLE).count(),
        "ideas": permissions.PROJECT.queryset(
            user, permissions.ProjectAction.VIEW, process.projects.all()
        ).count(),
    }
    context = {
        "process": process,
        "phases": _phases(process),
        "envelopes": list(process.envelopes.all()),
        "counts": counts,
        "status": voter_status(user, process) if process.state == S.VOTING else None,
        "can_submit_idea": permissions.can(user, permissions.Action.SUBMIT_IDEA, process),
        "can_vote": permissions.can(user, permissions.Action.VOTE, process),
        "can_manage": permissions.can(user, permissions.Action.MANAGE, process),
        "can_view_results": permissions.can(user, permissions.Action.VIEW_RESULTS, process),
        "can_view_statistics": permissions.can(user, permissions.Action.VIEW_STATISTICS, process),
        "voting_open": process.voting_is_open(),
        "channels": Channel,
    }
    if process.state == S.VOTING and process.live_results != Process.LiveResults.NONE:
        context["turnout"] = selectors.statistics(process)
    return render(request, "budgeting/process_detail.html", context)


def project_list(request, pk):
    process = selectors.process_get(request.user, pk)
    district = request.GET.get("district")
    state = request.GET.get("state") or ""
    if state not in Project.State.values:
        state = ""
    projects = selectors.project_list(
        request.user, process, district=district if district is not None else None, state=state
    )
    page = Paginator(projects, 20).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in {"district": district, "state": state}.items() if v})
    district_names = sorted(
        {e.district for e in process.envelopes.all()}
        | set(process.projects.exclude(district="").values_list("district", flat=True))
    )
    return render(
        request,
        "budgeting/project_list.html",
        {
            "process": process,
            "page": page,
            "query": query,
            "district": district,
            "state": state,
            "districts": district_names,
            "states": Project.State.choices,
            "can_submit_idea": permissions.can(
                request.user, permissions.Action.SUBMIT_IDEA, process
            ),
            "can_review": permissions.can(request.user, permissions.Action.REVIEW, process),
            "funded_ids": funded_project_ids(process),
        },
    )


def project_detail(request, pk, project_pk):
    process = selectors.process_get(request.user, pk)
    project = selectors.project_get(request.user, process, project_pk)
    from proposals.rules import claim_policy

    public = project.claim and claim_policy.can(AnonymousUser(), "list", project.claim)
    claim = project.claim if public else None
    return render(
        request,
        "budgeting/project_detail.html",
        {
            "process": process,
            "project": project,
            "claim": claim,
            "funded": project.pk in funded_project_ids(process),
            "can_review": permissions.can(request.user, permissions.Action.REVIEW, process),
            "can_withdraw": permissions.PROJECT.can(
                request.user, permissions.ProjectAction.WITHDRAW, project
            ),
        },
    )


@login_required
def idea_submit(request, pk):
    process = selectors.process_get(request.user, pk)
    if not permissions.can(request.user, permissions.Action.SUBMIT_IDEA, process):
        if process.ideas_are_open() and not request.user.is_verified_resident:
            messages.error(request, _("Verify your residency to submit an idea."))
            return redirect(reverse("citizens:profile") + "#residency")
        raise PermissionDenied(_("Ideas can be submitted only while idea collection is open."))
    envelopes = [e.district for e in process.envelopes.all()]
    form = IdeaForm(
        request.POST or None,
        request.FILES or None,
        districts=envelopes or selectors.districts(),
        city_wide=not envelopes,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.project_submit(
                user=request.user,
                process=process,
                title=data["title"],
                description=data["description"],
                district=data["district"],
                estimated_cost=data["estimated_cost"],
                resource=data.get("resource"),
                image=data.get("image"),
                image_alt=data.get("image_alt", ""),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Thank you! Your idea was submitted and will be reviewed by the city.")
            )
            return redirect(project.get_absolute_url())
    return render(
        request,
        "budgeting/project_form.html",
        {"process": process, "form": form, "idea": True},
        status=400 if form.errors else 200,
    )


@login_required
def project_withdraw_view(request, pk, project_pk):
    process = selectors.process_get(request.user, pk)
    project = selectors.project_get(request.user, process, project_pk)
    if confirmed(request):
        try:
            services.project_withdraw(user=request.user, project=project)
        except ValidationError as exc:
            errors.flash(request, exc)
        else:
            messages.success(request, _("Your idea was withdrawn."))
        return redirect(project.get_absolute_url())
    if project.proposer_id != request.user.pk:
        raise PermissionDenied(_("Only the proposer can withdraw an idea."))
    return confirm(
        request,
        title=_("Withdraw “%(title)s”?") % {"title": project.title},
        question=_(
            "The idea will no longer be reviewed or put on the ballot. This cannot be undone."
        ),
        button=_("Withdraw the idea"),
        cancel_url=project.get_absolute_url(),
        danger=True,
    )
