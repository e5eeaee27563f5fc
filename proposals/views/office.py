"""The officer workspace: the claims queue, a claim's file, department review inboxes."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core import errors
from core.views import id_param
from proposals import selectors, services
from proposals.filters import QueueFilter
from proposals.forms import (
    DecisionForm,
    ReasonForm,
    ReviewAnswerForm,
    ReviewRequestForm,
    ScreenForm,
)
from proposals.models import Claim, ProcedureConfig, ReviewRequest
from proposals.opinions import formal_opinions
from proposals.rules import claim_policy, review_policy
from proposals.views._helpers import paginate


def _require_office(user):
    verdict = claim_policy.allows(user, "handle")
    if not verdict:
        raise PermissionDenied(verdict.message)


@login_required
def office_queue(request):
    _require_office(request.user)
    queue_filter = QueueFilter(request.GET or None, queryset=selectors.office_queue(request.user))
    page, query = paginate(request, queue_filter.qs, per_page=25)
    return render(
        request,
        "proposals/office_queue.html",
        {
            "filter": queue_filter,
            "page": page,
            "query": query,
            "inbox_count": selectors.review_inbox(request.user).count(),
            "now": timezone.now(),
        },
    )


@login_required
def review_inbox(request):
    _require_office(request.user)
    page, query = paginate(request, selectors.review_inbox(request.user), per_page=25)
    return render(
        request,
        "proposals/review_inbox.html",
        {"page": page, "query": query, "department": request.user.department},
    )


def _end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


OFFICE_ACTIONS = ("screening_start", "screen", "review_request", "review_cancel", "refer", "decide")
# What the claim's file offers (template name, policy action).
FILE_ACTIONS = (
    ("screening_start", "start_screening"),
    ("screen", "screen"),
    ("review_request", "request_review"),
    ("refer", "refer_to_executive"),
    ("approve", "approve"),
    ("reject", "reject"),
)


@login_required
def office_claim(request, pk):
    """A claim's file for officers, with the forms of every step that is possible now."""
    _require_office(request.user)
    claim = get_object_or_404(Claim, pk=pk)
    user = request.user
    verdict = claim_policy.allows(user, "view_file", claim)
    if not verdict:
        raise PermissionDenied(verdict.message)
    opinions = formal_opinions(claim)
    forms = {
        "screen": ScreenForm(prefix="screen", initial={"track": claim.track}),
        "review_request": ReviewRequestForm(prefix="review"),
        "refer": ReasonForm(
            prefix="refer", required=False, label=_("Note for the executive (optional)")
        ),
        "decide": DecisionForm(prefix="decide", opinions=opinions),
        "review_cancel": ReasonForm(prefix="cancel", label=_("Why cancel the request?")),
    }
    status = 200
    action = request.POST.get("action") if request.method == "POST" else None
    if action in OFFICE_ACTIONS:
        try:
            done = _office_action(request, claim, action, forms, opinions)
        except ValidationError as exc:
            if action in forms and forms[action].is_bound:
                errors.add_to_form(forms[action], exc)
            else:
                errors.flash(request, exc)
            done = False
        if done:
            return redirect("proposals:office-claim", pk=claim.pk)
        status = 400
    claim = selectors.claim_get(claim.pk)
    return render(
        request,
        "proposals/office_claim.html",
        {
            "claim": claim,
            "forms": forms,
            "can": {key: claim_policy.allows(user, action, claim) for key, action in FILE_ACTIONS},
            "reviews": selectors.claim_reviews(claim),
            "audit": selectors.claim_audit(claim),
            "track_rules": ProcedureConfig.get_solo().track(claim.track),
            "opinions": opinions,
            "objections": selectors.claim_objection_count(claim),
        },
        status=status,
    )


def _office_action(request, claim, action, forms, opinions) -> bool:
    user, post = request.user, request.POST
    if action == "screening_start":
        services.claim_screening_start(actor=user, claim=claim)
        messages.success(request, _("You are now handling this claim."))
        return True
    if action == "screen":
        form = forms["screen"] = ScreenForm(post, prefix="screen")
        if not form.is_valid():
            return False
        services.claim_screen(actor=user, claim=claim, **form.cleaned_data)
        messages.success(request, _("The outcome of the admissibility check is recorded."))
        return True
    if action == "review_request":
        form = forms["review_request"] = ReviewRequestForm(post, prefix="review")
        if not form.is_valid():
            return False
        due = form.cleaned_data["due_date"]
        services.review_request(
            actor=user,
            claim=claim,
            department=form.cleaned_data["department"],
            message=form.cleaned_data["message"],
            due_at=_end_of_day(due) if due else None,
        )
        messages.success(request, _("The department was asked for its opinion."))
        return True
    if action == "review_cancel":
        form = forms["review_cancel"] = ReasonForm(post, prefix="cancel")
        review = get_object_or_404(ReviewRequest, pk=id_param(post.get("review")), claim=claim)
        if not form.is_valid():
            return False
        services.review_cancel(actor=user, review=review, reason=form.cleaned_data["reason"])
        messages.success(request, _("The request was cancelled."))
        return True
    if action == "refer":
        form = forms["refer"] = ReasonForm(post, prefix="refer", required=False)
        if not form.is_valid():
            return False
        services.claim_refer_to_executive(
            actor=user, claim=claim, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The claim was referred to the executive."))
        return True
    form = forms["decide"] = DecisionForm(post, prefix="decide", opinions=opinions)
    if not form.is_valid():
        return False
    approve = form.cleaned_data["decision"] == "approve"
    services.claim_decide(
        actor=user,
        claim=claim,
        approve=approve,
        reasons=form.cleaned_data["reasons"],
        opinion_answer=form.cleaned_data.get("opinion_answer", ""),
    )
    messages.success(
        request, _("The claim was approved.") if approve else _("The claim was rejected.")
    )
    return True


@login_required
def review_answer(request, pk):
    _require_office(request.user)
    review = get_object_or_404(
        ReviewRequest.objects.select_related("claim", "claim__resource", "department"), pk=pk
    )
    verdict = review_policy.allows(request.user, "answer", review)
    if verdict.wrong_person:
        raise PermissionDenied(verdict.message)
    checklist = ProcedureConfig.get_solo().active_checklist()
    form = ReviewAnswerForm(request.POST or None, checklist=checklist)
    if request.method == "POST":
        if not verdict:
            messages.error(request, verdict.message)
            return redirect("proposals:review-answer", pk=pk)
        if form.is_valid():
            values, notes = form.checklist_values()
            try:
                services.review_answer(
                    actor=request.user,
                    review=review,
                    opinion=form.cleaned_data["opinion"],
                    conditions=form.cleaned_data["conditions"],
                    notes=form.cleaned_data["notes"],
                    checklist=values,
                    checklist_notes=notes,
                )
            except ValidationError as exc:
                errors.add_to_form(form, exc)
            else:
                messages.success(request, _("Your department's opinion is recorded."))
                return redirect("proposals:review-inbox")
    return render(
        request,
        "proposals/review_answer.html",
        {"review": review, "claim": review.claim, "form": form, "can_answer": verdict},
        status=400 if form.errors else 200,
    )
