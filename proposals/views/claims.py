"""Public claim pages and the proposers' actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citizens.rules import is_moderator, is_officer
from proposals import rules, selectors, services
from proposals.filters import ClaimFilter
from proposals.forms import (
    AttachmentForm,
    ClaimCreateForm,
    ClaimForm,
    CoauthorForm,
    CommentForm,
    DocumentsForm,
    ObjectionForm,
    ReasonForm,
)
from proposals.models import Attachment, Claim, ClaimCoauthor, ReviewRequest, Support, UrbanResource
from proposals.views._helpers import add_errors, flash_error, paginate


def get_visible_claim(request, pk) -> Claim:
    """The claim, or 404 when it does not exist or is a draft the user may not see."""
    try:
        claim = selectors.claim_get(pk)
    except Claim.DoesNotExist:
        raise Http404 from None
    if not rules.may_view(request.user, claim):
        raise Http404
    return claim


def claim_list(request):
    claim_filter = ClaimFilter(request.GET or None, queryset=selectors.claim_list())
    page, query = paginate(request, claim_filter.qs)
    return render(
        request,
        "proposals/claim_list.html",
        {
            "filter": claim_filter,
            "page": page,
            "query": query,
            "can_create": rules.may_create_claim(request.user).allowed,
        },
    )


@login_required
def claim_mine(request):
    page, query = paginate(request, selectors.claim_list_for_proposer(request.user))
    return render(
        request,
        "proposals/claim_mine.html",
        {
            "page": page,
            "query": query,
            "invitations": selectors.coauthor_invitations(request.user),
            "can_create": rules.may_create_claim(request.user).allowed,
        },
    )


def _actions(user, claim: Claim) -> dict:
    return {
        "edit": rules.may_edit(user, claim),
        "submit": rules.may_submit(user, claim),
        "delete": rules.may_delete_draft(user, claim),
        "invite": rules.may_invite_coauthor(user, claim),
        "documents": rules.may_provide_documents(user, claim),
        "withdraw": rules.may_withdraw(user, claim),
        "support": rules.may_support(user, claim),
        "comment": rules.may_comment(user, claim),
        "object": rules.may_object(user, claim),
        "answer_invitation": rules.may_answer_coauthorship(user, claim),
    }


def claim_detail(request, pk):
    claim = get_visible_claim(request, pk)
    user = request.user
    comment_form = CommentForm(prefix="comment")
    objection_form = ObjectionForm(prefix="objection")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "comment":
                comment_form = CommentForm(request.POST, prefix="comment")
                if comment_form.is_valid():
                    services.comment_add(
                        author=user, claim=claim, body=comment_form.cleaned_data["body"]
                    )
                    messages.success(request, _("Your comment was published."))
                    return redirect(claim)
            elif action == "object":
                objection_form = ObjectionForm(request.POST, prefix="objection")
                if objection_form.is_valid():
                    services.objection_add(
                        author=user, claim=claim, reason=objection_form.cleaned_data["reason"]
                    )
                    messages.success(request, _("Your objection was recorded."))
                    return redirect(claim)
            else:
                return redirect(claim)
        except ValidationError as exc:
            add_errors(comment_form if action == "comment" else objection_form, exc)
        status = 400
    return render(
        request,
        "proposals/claim_detail.html",
        _detail_context(request, claim, comment_form, objection_form),
        status=status,
    )


def _detail_context(request, claim, comment_form, objection_form) -> dict:
    user = request.user
    is_proposer = rules.is_proposer(user, claim)
    support = (
        Support.objects.filter(claim=claim, user=user).first() if user.is_authenticated else None
    )
    return {
        "claim": claim,
        "actions": _actions(user, claim),
        "is_proposer": is_proposer,
        "is_officer": is_officer(user),
        "is_moderator": is_moderator(user),
        "my_support": support,
        "comments": selectors.claim_comments(claim, user),
        "reviews": [
            r for r in selectors.claim_reviews(claim) if r.state == ReviewRequest.State.ANSWERED
        ],
        "timeline": selectors.claim_timeline(claim, full=is_proposer or is_officer(user)),
        "photos": [a for a in claim.attachments.all() if a.kind == Attachment.Kind.PHOTO],
        "documents": [a for a in claim.attachments.all() if a.kind == Attachment.Kind.DOCUMENT],
        "comment_form": comment_form,
        "objection_form": objection_form,
        "coauthor_form": CoauthorForm(),
        "attachment_form": AttachmentForm(),
        "pending_coauthors": [
            c for c in claim.coauthors.all() if c.state == ClaimCoauthor.State.PENDING
        ],
    }


@login_required
def claim_create(request):
    verdict = rules.may_create_claim(request.user)
    if not verdict:
        messages.error(request, verdict.message)
        return redirect("citizens:profile")
    initial = {}
    resource_id = request.GET.get("resource", "")
    if resource_id.isdigit():
        initial["resource"] = UrbanResource.objects.filter(pk=resource_id).first()
    form = ClaimCreateForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_create(
                author=request.user,
                data=form.claim_data(),
                group=form.cleaned_data.get("group"),
                uploads=form.cleaned_data.get("attachments", []),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your draft is saved. Check it, invite co-authors if you like, then submit it."),
            )
            return redirect(claim)
    return _form_page(request, form, None)


def _form_page(request, form, claim):
    return render(
        request,
        "proposals/claim_form.html",
        {"form": form, "claim": claim, "districts": selectors.district_choices(with_census=True)},
        status=400 if form.errors else 200,
    )


@login_required
def claim_edit(request, pk):
    claim = get_visible_claim(request, pk)
    verdict = rules.may_edit(request.user, claim)
    if not verdict:
        raise PermissionDenied(verdict.message)
    form = ClaimForm(request.POST or None, instance=claim, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_update(actor=request.user, claim=claim, data=form.claim_data())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(claim)
    # A ModelForm writes into its instance while validating; show the stored claim's title.
    claim.refresh_from_db()
    return _form_page(request, form, claim)


@login_required
def claim_submit(request, pk):
    claim = get_visible_claim(request, pk)
    verdict = rules.may_submit(request.user, claim)
    if not verdict:
        return _refuse(request, claim, verdict)
    if request.method == "POST":
        try:
            services.claim_submit(actor=request.user, claim=claim)
        except ValidationError as exc:
            flash_error(request, exc)
            return redirect("proposals:claim-edit", pk=claim.pk)
        messages.success(request, _("Your claim was submitted to the city."))
        return redirect(claim)
    return render(
        request,
        "proposals/claim_confirm.html",
        {
            "claim": claim,
            "heading": _("Submit this claim?"),
            "question": _(
                "Once submitted, the claim is public and the city starts checking it. You can "
                "no longer change it, unless the city asks for documents."
            ),
            "button": _("Submit to the city"),
        },
    )


def _refuse(request, claim, verdict):
    if verdict.kind == rules.ROLE:
        raise PermissionDenied(verdict.message)
    messages.error(request, verdict.message)
    return redirect(claim)


@login_required
def claim_withdraw(request, pk):
    claim = get_visible_claim(request, pk)
    verdict = rules.may_withdraw(request.user, claim)
    if not verdict:
        return _refuse(request, claim, verdict)
    form = ReasonForm(
        request.POST or None,
        label=_("Why do you withdraw the claim?"),
        help_text=_("Published on the claim's page."),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_withdraw(
                actor=request.user, claim=claim, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The claim was withdrawn."))
            return redirect(claim)
    return render(
        request,
        "proposals/claim_confirm.html",
        {
            "claim": claim,
            "form": form,
            "heading": _("Withdraw this claim?"),
            "question": _("This cannot be undone. Supporters and the city will be told."),
            "button": _("Withdraw the claim"),
            "danger": True,
        },
        status=400 if form.errors else 200,
    )


@login_required
def claim_delete(request, pk):
    claim = get_visible_claim(request, pk)
    verdict = rules.may_delete_draft(request.user, claim)
    if not verdict:
        return _refuse(request, claim, verdict)
    if request.method == "POST":
        services.claim_delete_draft(actor=request.user, claim=claim)
        messages.success(request, _("The draft was deleted."))
        return redirect("proposals:claim-mine")
    return render(
        request,
        "proposals/claim_confirm.html",
        {
            "claim": claim,
            "heading": _("Delete this draft?"),
            "question": _("The draft and its attachments will be deleted. This cannot be undone."),
            "button": _("Delete the draft"),
            "danger": True,
        },
    )


@login_required
def claim_documents(request, pk):
    claim = get_visible_claim(request, pk)
    verdict = rules.may_provide_documents(request.user, claim)
    if not verdict:
        return _refuse(request, claim, verdict)
    form = DocumentsForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_provide_documents(
                actor=request.user,
                claim=claim,
                note=form.cleaned_data["note"],
                uploads=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Thank you. The city will check your claim again."))
            return redirect(claim)
    request_entry = next(
        (
            e
            for e in reversed(selectors.claim_timeline(claim, full=True))
            if e.action == "claim.request_documents"
        ),
        None,
    )
    return render(
        request,
        "proposals/claim_documents.html",
        {"claim": claim, "form": form, "request_entry": request_entry},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def attachment_upload(request, pk):
    claim = get_visible_claim(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            for upload in form.cleaned_data["attachments"]:
                services.attachment_add(actor=request.user, claim=claim, upload=upload)
        except ValidationError as exc:
            flash_error(request, exc)
        else:
            if form.cleaned_data["attachments"]:
                messages.success(request, _("The files were added."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(f"{claim.get_absolute_url()}#attachments")


@login_required
@require_POST
def attachment_delete(request, pk, attachment_pk):
    claim = get_visible_claim(request, pk)
    attachment = claim.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    try:
        services.attachment_delete(actor=request.user, attachment=attachment)
    except ValidationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("The file was removed."))
    return redirect(f"{claim.get_absolute_url()}#attachments")


@login_required
@require_POST
def coauthor_invite(request, pk):
    claim = get_visible_claim(request, pk)
    form = CoauthorForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(claim)
    try:
        services.coauthor_invite(actor=request.user, claim=claim, email=form.cleaned_data["email"])
    except ValidationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("The invitation was sent."))
    return redirect(claim)


@login_required
@require_POST
def coauthor_answer(request, pk):
    claim = get_visible_claim(request, pk)
    accept = request.POST.get("answer") == "accept"
    try:
        services.coauthor_answer(user=request.user, claim=claim, accept=accept)
    except ValidationError as exc:
        flash_error(request, exc)
    else:
        messages.success(
            request,
            _("You are now a co-author of this claim.") if accept else _("Invitation declined."),
        )
    if not accept and claim.state == Claim.State.DRAFT:
        return redirect("proposals:claim-mine")
    return redirect(claim)


@login_required
@require_POST
def claim_support(request, pk):
    claim = get_visible_claim(request, pk)
    action = request.POST.get("action", "add")
    try:
        if action == "add":
            services.support_add(user=request.user, claim=claim)
            messages.success(request, _("Thank you for your support."))
        elif action == "remove":
            services.support_remove(user=request.user, claim=claim)
            messages.success(request, _("Your support was removed."))
        elif action in ("notify_on", "notify_off"):
            services.support_set_notify(
                user=request.user, claim=claim, notify=action == "notify_on"
            )
            messages.success(
                request,
                _("You will receive updates on this claim.")
                if action == "notify_on"
                else _("You will no longer receive updates on this claim."),
            )
    except ValidationError as exc:
        flash_error(request, exc)
    return redirect(reverse("proposals:claim-detail", args=[claim.pk]) + "#consultation")
