"""The officers' side: configure processes, review projects, move phases, publish results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import AuditEntry
from budgeting import permissions, selectors, services
from budgeting.forms import (
    EnvelopeFormSet,
    PhaseChangeForm,
    ProcessForm,
    ProjectForm,
    ReviewForm,
    envelopes_from,
)
from budgeting.models import Process, Project
from core import errors
from core.views import confirm, confirmed

S = Process.State


def _officer(request):
    if not permissions.can(request.user, permissions.Action.MANAGE, None):
        raise PermissionDenied(_("Only city officers can manage budgeting processes."))


def _manage_url(process):
    return reverse("budgeting:process-manage", args=[process.pk])


@login_required
def process_form(request, pk=None):
    _officer(request)
    process = get_object_or_404(Process, pk=pk) if pk else None
    initial = (
        [{"district": e.district, "budget": e.budget} for e in process.envelopes.all()]
        if process
        else []
    )
    form = ProcessForm(request.POST or None, instance=process, districts=selectors.districts())
    formset = EnvelopeFormSet(request.POST or None, initial=initial, prefix="envelopes")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = services.process_save(
                actor=request.user,
                process=form.save(commit=False),
                envelopes=envelopes_from(formset),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The process was saved."))
            return redirect(_manage_url(saved))
    return render(
        request,
        "budgeting/process_form.html",
        {"form": form, "formset": formset, "process": process},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def process_manage(request, pk):
    _officer(request)
    process = get_object_or_404(Process.objects.prefetch_related("envelopes"), pk=pk)
    projects = process.projects.order_by("state", "title")
    waiting = [p for p in projects if p.state == Project.State.SUBMITTED]
    targets = [t.target for t in process.machine.available(process) if t.name != "publish"]
    return render(
        request,
        "budgeting/process_manage.html",
        {
            "process": process,
            "projects": projects,
            "waiting": waiting,
            "targets": [(s, S(s).label) for s in targets],
            "results": selectors.results_for(request.user, process),
            "can_compute": permissions.can(request.user, permissions.Action.COMPUTE, process),
            "can_review": permissions.can(request.user, permissions.Action.REVIEW, process),
            "can_draw": process.state in (S.DRAFT, S.IDEAS, S.REVIEW),
            "ballots": process.ballots.filter(state="counted").count(),
            "audit": AuditEntry.objects.for_object(process)[:15],
        },
    )


@login_required
@require_POST
def process_transition_view(request, pk):
    _officer(request)
    process = get_object_or_404(Process, pk=pk)
    form = PhaseChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a phase."))
        return redirect(_manage_url(process))
    to = form.cleaned_data["to"]
    if not confirmed(request):
        warnings = {
            S.VOTING: _("Verified residents will be able to vote on the feasible projects."),
            S.COUNTING: _("Nobody will be able to vote any more."),
        }
        return confirm(
            request,
            title=_("Move “%(title)s” to “%(state)s”?")
            % {"title": process.title, "state": S(to).label},
            question=warnings.get(to, _("The process will move to its next phase.")),
            button=_("Yes, move to “%(state)s”") % {"state": S(to).label},
            cancel_url=_manage_url(process),
            fields={"to": to, "reason": form.cleaned_data["reason"]},
            danger=to == S.COUNTING,
        )
    try:
        services.process_transition(
            actor=request.user, process=process, to=to, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("The process is now in “%(state)s”.") % {"state": S(to).label})
    return redirect(_manage_url(process))


@login_required
@require_POST
def lots_draw_view(request, pk):
    _officer(request)
    process = get_object_or_404(Process, pk=pk)
    if not confirmed(request):
        return confirm(
            request,
            title=_("Draw the lot order?"),
            question=_(
                "A random order of the feasible projects is drawn and published. It breaks "
                "ties that remain after cost and votes. It cannot be redrawn once voting opens."
            ),
            button=_("Draw the lot order"),
            cancel_url=_manage_url(process),
        )
    try:
        services.lots_draw(actor=request.user, process=process)
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("The lot order was drawn and published."))
    return redirect(_manage_url(process))


@login_required
@require_POST
def results_compute_view(request, pk):
    _officer(request)
    process = get_object_or_404(Process, pk=pk)
    try:
        services.result_compute(actor=request.user, process=process)
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
        return redirect(_manage_url(process))
    messages.success(request, _("Results computed. Check them, then publish."))
    return redirect("budgeting:results", pk=process.pk)


@login_required
@require_POST
def results_publish_view(request, pk):
    _officer(request)
    process = get_object_or_404(Process, pk=pk)
    if not confirmed(request):
        return confirm(
            request,
            title=_("Publish the results of “%(title)s”?") % {"title": process.title},
            question=_(
                "Everyone will see the selected projects and why each project was or was not "
                "selected. Proposers are notified. Published results cannot be changed."
            ),
            button=_("Publish the results"),
            cancel_url=reverse("budgeting:results", args=[process.pk]),
        )
    try:
        services.result_publish(actor=request.user, process=process)
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("The results are published."))
    return redirect("budgeting:results", pk=process.pk)


def _project_districts(process):
    envelopes = [e.district for e in process.envelopes.all()]
    return envelopes or selectors.districts(), not envelopes


@login_required
def project_form(request, pk, project_pk=None):
    _officer(request)
    process = get_object_or_404(Process, pk=pk)
    project = get_object_or_404(Project, pk=project_pk, process=process) if project_pk else None
    districts, city_wide = _project_districts(process)
    form = ProjectForm(
        request.POST or None,
        request.FILES or None,
        instance=project,
        districts=districts,
        city_wide=city_wide,
    )
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        instance.process = process
        try:
            saved = services.project_save(actor=request.user, project=instance)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("The project was saved."))
            return redirect(saved.get_absolute_url())
    return render(
        request,
        "budgeting/project_form.html",
        {"process": process, "form": form, "project": project, "idea": False},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def project_review_view(request, pk, project_pk):
    _officer(request)
    process = get_object_or_404(Process, pk=pk)
    project = get_object_or_404(
        Project.objects.select_related("proposer"), pk=project_pk, process=process
    )
    initial = {
        "decision": "not_feasible" if project.state == Project.State.NOT_FEASIBLE else "feasible",
        "cost": project.cost or project.estimated_cost,
        "reason": project.feasibility_reason,
    }
    form = ReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.project_review(
                actor=request.user,
                project=project,
                feasible=data["decision"] == "feasible",
                cost=data["cost"],
                reason=data["reason"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(
                request,
                _("The review was saved and the proposer notified.")
                if project.proposer_id
                else _("The review was saved."),
            )
            return redirect(_manage_url(process))
    return render(
        request,
        "budgeting/project_review.html",
        {"process": process, "project": project, "form": form},
        status=400 if request.method == "POST" else 200,
    )
