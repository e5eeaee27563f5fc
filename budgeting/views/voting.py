"""The online ballot: works without JavaScript; ballot.js adds the running total."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from budgeting import permissions, selectors, services
from budgeting.eligibility import Ineligible, eligibility_check
from budgeting.forms import BallotForm
from budgeting.models import Channel
from budgeting.validation import ballot_limits
from core import errors


def ballot_view(request, pk):
    process = selectors.process_get(request.user, pk)
    user = request.user
    url = reverse("budgeting:ballot", args=[process.pk])
    problem, problem_code, district = None, None, ""
    if not process.voting_is_open():
        problem, problem_code = _("Voting is not open in this process."), "closed"
    elif not user.is_authenticated:
        problem, problem_code = _("Log in to vote."), "login"
    else:
        try:
            district = eligibility_check(process=process, census_record=user.census_record)
        except Ineligible as exc:
            problem, problem_code = errors.message(exc), exc.code
    participation = services.participation_get(user=user, process=process)
    current = participation.ballot if participation else None
    has_envelopes = bool(process.envelopes.all())
    limits = None if (has_envelopes and not district) else ballot_limits(process, district)
    projects = selectors.ballot_projects(
        process, district, shuffle_seed=user.pk if user.is_authenticated else None
    )
    by_pk = {p.pk: p for p in projects}
    context = {
        "process": process,
        "projects": projects,
        "limits": limits,
        "district": district,
        "problem": problem,
        "problem_code": problem_code,
        "participation": participation,
        "current": current,
        "channels": Channel,
        "can_change": current is not None
        and process.allow_ballot_change
        and permissions.can(user, permissions.Action.VOTE, process),
    }
    if request.method == "POST":
        if problem:
            messages.error(request, problem)
            return redirect(url)
        form = BallotForm(request.POST, projects=projects)
        if form.is_valid():
            try:
                result = services.ballot_cast(
                    user=user,
                    process=process,
                    project_ids=form.cleaned_data["projects"],
                    idempotency_key=form.cleaned_data["key"],
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
            else:
                _cast_done(request, process, form.cleaned_data, result)
                return redirect(url)
        selected = _ints(request.POST.getlist("projects"))
        context |= _form_context(form, selected, by_pk, limits)
        return render(request, "budgeting/ballot_form.html", context, status=400)
    changing = request.GET.get("change") == "1" and context["can_change"]
    if (current is not None and not changing) or (participation is not None and current is None):
        chosen = list(current.projects.order_by("title")) if current else []
        context |= {"chosen": chosen, "total": sum(p.cost or 0 for p in chosen)}
        return render(request, "budgeting/ballot_detail.html", context)
    selected = set(current.projects.values_list("pk", flat=True)) if current else set()
    form = BallotForm(
        initial={
            "key": uuid.uuid4().hex,
            "projects": sorted(selected),
            "follow_progress": current is not None and _opted_in(user, process),
        },
        projects=projects,
    )
    context |= _form_context(form, selected, by_pk, limits) | {"changing": changing}
    return render(request, "budgeting/ballot_form.html", context)


def _cast_done(request, process, data, result) -> None:
    if not result.created:
        messages.info(request, _("Your ballot was already recorded."))
        return
    _record_opt_in(request.user, process, data)
    if result.replaced is not None:
        messages.success(request, _("Your ballot was changed. Thank you!"))
    else:
        messages.success(request, _("Your ballot was recorded. Thank you for voting!"))


def _record_opt_in(user, process, data) -> None:
    """The voter's choice to hear how the projects they chose progress (implementation
    tracking), from the submitted form: notifications never read a ballot."""
    from django.apps import apps

    if apps.is_installed("implementation"):
        from implementation.services import subscriptions_record

        subscriptions_record(
            user=user,
            process=process,
            project_ids=data["projects"],
            opted_in=data["follow_progress"],
        )


def _opted_in(user, process) -> bool:
    from django.apps import apps

    if not apps.is_installed("implementation"):
        return False
    from implementation.services import subscription_exists

    return subscription_exists(user=user, process=process)


def _ints(values) -> set[int]:
    result = set()
    for v in values:
        try:
            result.add(int(v))
        except (TypeError, ValueError):
            continue
    return result


def _form_context(form, selected: set[int], by_pk: dict, limits) -> dict:
    total = sum(by_pk[i].cost or 0 for i in selected if i in by_pk)
    budget = limits.budget if limits else 0
    return {
        "form": form,
        "selected": selected,
        "total": total,
        "remaining": budget - total,
        "over": max(0, total - budget) if limits and limits.knapsack else 0,
        "percent": min(100, round(100 * total / budget)) if budget else 0,
        "limits_json": limits.as_dict() if limits else None,
    }
