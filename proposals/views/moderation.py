from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import errors
from core.views import confirm
from proposals import selectors, services
from proposals.forms import ReasonForm
from proposals.models import Comment, CommentReport
from proposals.rules import comment_policy
from proposals.views._helpers import paginate


def _visible_comment(request, pk) -> Comment:
    comment = get_object_or_404(
        comment_policy.queryset(request.user, "view").select_related("claim", "author"), pk=pk
    )
    return comment


def _comment_page(comment: Comment, back: str) -> dict:
    """The parts of a confirmation page that show the comment and lead back to it."""
    return {
        "quote": comment.body,
        "back_url": back,
        "back_label": comment.claim.title,
        "cancel_url": back,
        "head_template": "proposals/includes/head.html",
    }


@login_required
def comment_report(request, pk):
    comment = _visible_comment(request, pk)
    verdict = comment_policy.allows(request.user, "report", comment)
    back = f"{comment.claim.get_absolute_url()}#comment-{comment.pk}"
    if not verdict:
        if verdict.wrong_person:
            raise PermissionDenied(verdict.message)
        messages.error(request, verdict.message)
        return redirect(back)
    form = ReasonForm(
        request.POST or None,
        label=_("What is wrong with this comment?"),
        help_text=_("Moderators will read your report."),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_report(
                reporter=request.user, comment=comment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Thank you. The moderators will look at it."))
            return redirect(back)
    return confirm(
        request,
        **_comment_page(comment, back),
        form=form,
        title=_("Report a comment"),
        button=_("Send the report"),
    )


@login_required
def comment_hide(request, pk):
    comment = _visible_comment(request, pk)
    verdict = comment_policy.allows(request.user, "hide", comment)
    back = f"{comment.claim.get_absolute_url()}#comment-{comment.pk}"
    if not verdict:
        if verdict.wrong_person:
            raise PermissionDenied(verdict.message)
        messages.error(request, verdict.message)
        return redirect(back)
    form = ReasonForm(
        request.POST or None,
        label=_("Why hide this comment?"),
        help_text=_("Shown in place of the comment, and sent to its author."),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_hide(
                actor=request.user, comment=comment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("The comment is hidden."))
            return redirect(back)
    return confirm(
        request,
        **_comment_page(comment, back),
        form=form,
        title=_("Hide a comment"),
        button=_("Hide the comment"),
        danger=True,
    )


@login_required
def moderation_queue(request):
    verdict = comment_policy.allows(request.user, "moderate")
    if not verdict:
        raise PermissionDenied(verdict.message)
    page, query = paginate(request, selectors.report_queue(), per_page=25)
    return render(request, "proposals/moderation_queue.html", {"page": page, "query": query})


@login_required
@require_POST
def report_dismiss(request, pk):
    report = get_object_or_404(CommentReport, pk=pk)
    try:
        services.report_dismiss(actor=request.user, report=report)
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("The report was dismissed."))
    return redirect("proposals:moderation-queue")
