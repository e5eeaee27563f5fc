"""The thread's actions as plain forms (no JavaScript needed): each POSTs here and comes back
to the comment's anchor on the host's page (`…#comment-<id>`). When the text is refused (empty,
too long, a NUL, too fast) the form page is shown again with the error beside the box and the
typed text still in it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comments import registry, selectors, services
from comments.forms import CommentForm, ReasonForm
from comments.models import Comment, Report
from comments.rules import comment_policy
from core import errors
from core.views import confirm_then_act

HEAD = "comments/includes/head.html"


def _comment(request, pk) -> Comment:
    try:
        return selectors.comment_get(request.user, pk)
    except Comment.DoesNotExist:
        raise Http404 from None


def _back(comment: Comment) -> str:
    return services.comment_url(comment)


def _refuse(request, verdict, back: str):
    """A refusal: 403 for the wrong person, else a message on the thread."""
    if verdict.wrong_person:
        raise PermissionDenied(verdict.message)
    messages.error(request, verdict.message)
    return redirect(back)


def _form_page(request, *, form, title, button, target, host, quote=None, status=None):
    return render(
        request,
        "comments/comment_form.html",
        {
            "form": form,
            "title": title,
            "button": button,
            "target": target,
            "host_title": host.title(target),
            "back_url": host.url_of(target),
            "quote": quote,
        },
        status=status if status is not None else errors.form_status(form),
    )


@login_required
def comment_post(request, key, pk):
    host, target = registry.host_object(key, pk)
    if not host.view(request.user, target):
        raise Http404
    back = f"{host.url_of(target)}#comments"
    verdict = host.comment(request.user, target)
    if not verdict:
        return _refuse(request, verdict, back)
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            comment = services.comment_post(
                author=request.user, target=target, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc, field="body")
        else:
            messages.success(request, _("Your comment was published."))
            return redirect(services.comment_url(comment, target))
    return _form_page(
        request,
        form=form,
        title=_("Comment on “%(title)s”") % {"title": host.title(target)},
        button=_("Publish comment"),
        target=target,
        host=host,
    )


def comment_link(request, pk):
    """A comment's permanent link: to its anchor on its host's page, on the right page."""
    return redirect(_back(_comment(request, pk)))


@login_required
def comment_reply(request, pk):
    parent = _comment(request, pk)
    verdict = comment_policy.allows(request.user, "reply", parent)
    if not verdict:
        return _refuse(request, verdict, _back(parent))
    target = parent.host
    host = registry.host_for(target)
    form = CommentForm(request.POST or None, label=_("Your reply"))
    if request.method == "POST" and form.is_valid():
        try:
            reply = services.comment_reply(
                author=request.user, parent=parent, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc, field="body")
        else:
            messages.success(request, _("Your reply was published."))
            return redirect(services.comment_url(reply, target))
    return _form_page(
        request,
        form=form,
        title=_("Reply to a comment"),
        button=_("Publish reply"),
        target=target,
        host=host,
        quote=parent,
    )


@login_required
def comment_edit(request, pk):
    comment = _comment(request, pk)
    verdict = comment_policy.allows(request.user, "edit", comment)
    if not verdict:
        return _refuse(request, verdict, _back(comment))
    target = comment.host
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(
                author=request.user, comment=comment, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc, field="body")
        else:
            messages.success(request, _("Your comment was updated."))
            return redirect(services.comment_url(comment, target))
    return _form_page(
        request,
        form=form,
        title=_("Edit your comment"),
        button=_("Save"),
        target=target,
        host=registry.host_for(target),
    )


@login_required
@require_POST
def comment_agree(request, pk):
    comment = _comment(request, pk)
    try:
        agreed = services.comment_agree(user=request.user, comment=comment)
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(
            request, _("You agree with this comment.") if agreed else _("Agreement taken back.")
        )
    return redirect(_back(comment))


def _page(comment: Comment, back: str) -> dict:
    return {
        "quote": comment.body,
        "back_url": back,
        "back_label": registry.host_for(comment.content_type.model_class()).title(comment.host),
        "cancel_url": back,
        "head_template": HEAD,
    }


@login_required
def comment_delete(request, pk):
    comment = _comment(request, pk)
    back = _back(comment)
    verdict = comment_policy.allows(request.user, "delete", comment)
    if not verdict:
        return _refuse(request, verdict, back)
    return confirm_then_act(
        request,
        act=lambda data: services.comment_delete(actor=request.user, comment=comment),
        success=_("Your comment was deleted."),
        next_url=back,
        title=_("Delete your comment?"),
        question=_("Its text goes; replies to it stay, under “comment deleted”."),
        button=_("Delete the comment"),
        danger=True,
        **_page(comment, back),
    )


@login_required
def comment_report(request, pk):
    comment = _comment(request, pk)
    back = _back(comment)
    verdict = comment_policy.allows(request.user, "report", comment)
    if not verdict:
        return _refuse(request, verdict, back)
    form = ReasonForm(
        request.POST or None,
        label=_("What is wrong with this comment?"),
        help_text=_("Moderators will read your report."),
    )
    return confirm_then_act(
        request,
        act=lambda data: services.comment_report(
            reporter=request.user, comment=comment, reason=data["reason"]
        ),
        form=form,
        success=_("Thank you. The moderators will look at it."),
        next_url=back,
        title=_("Report a comment"),
        button=_("Send the report"),
        **_page(comment, back),
    )


@login_required
def comment_hide(request, pk):
    comment = _comment(request, pk)
    back = _back(comment)
    verdict = comment_policy.allows(request.user, "hide", comment)
    if not verdict:
        return _refuse(request, verdict, back)
    form = ReasonForm(
        request.POST or None,
        label=_("Why hide this comment?"),
        help_text=_("Shown in place of the comment, and sent to its author."),
    )
    return confirm_then_act(
        request,
        act=lambda data: services.comment_hide(
            actor=request.user, comment=comment, reason=data["reason"]
        ),
        form=form,
        success=_("The comment is hidden."),
        next_url=back,
        title=_("Hide a comment"),
        button=_("Hide the comment"),
        danger=True,
        **_page(comment, back),
    )


@login_required
def comment_unhide(request, pk):
    comment = _comment(request, pk)
    back = _back(comment)
    verdict = comment_policy.allows(request.user, "unhide", comment)
    if not verdict:
        return _refuse(request, verdict, back)
    return confirm_then_act(
        request,
        act=lambda data: services.comment_unhide(actor=request.user, comment=comment),
        success=_("The comment is shown again."),
        next_url=back,
        title=_("Show this comment again?"),
        question=_("Everyone will read it again."),
        button=_("Show the comment"),
        **_page(comment, back),
    )


@login_required
def moderation_queue(request):
    verdict = comment_policy.allows(request.user, "moderate")
    if not verdict:
        raise PermissionDenied(verdict.message)
    page = Paginator(selectors.report_queue(), 25).get_page(request.GET.get("page"))
    for report in page:
        host = registry.host_for(report.comment.content_type.model_class())
        report.host_title = host.title(report.comment.host)
    return render(request, "comments/moderation_queue.html", {"page": page, "query": ""})


@login_required
@require_POST
def report_dismiss(request, pk):
    report = get_object_or_404(Report, pk=pk)
    try:
        services.report_dismiss(actor=request.user, report=report)
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("The report was dismissed."))
    return redirect("comments:moderation-queue")
