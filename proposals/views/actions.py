"""What proposers and residents do on a claim: submit, withdraw, documents, files, co-authors,
support. Each view calls one service and turns refusals into messages or 403s."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import errors
from core.views import confirm
from proposals import selectors, services
from proposals.forms import (
    AttachmentForm,
    CoauthorForm,
    DocumentsForm,
    ReasonForm,
)
from proposals.rules import claim_policy
from proposals.views.claims import get_visible_claim


@login_required
def claim_submit(request, pk):
    claim = get_visible_claim(request, pk)
    verdict = claim_policy.allows(request.user, "submit", claim)
    if not verdict:
        return _refuse(request, claim, verdict)
    if request.method == "POST":
        try:
            services.claim_submit(actor=request.user, claim=claim)
        except ValidationError as exc:
            errors.flash(request, exc)
            return redirect("proposals:claim-edit", pk=claim.pk)
        messages.success(request, _("Your claim was submitted to the city."))
        return redirect(claim)
    return confirm(
        request,
        **_claim_page(claim),
        title=_("Submit this claim?"),
        question=_(
            "Once submitted, the claim is public and the city starts checking it. You can "
            "no longer change it, unless the city asks for documents."
        ),
        button=_("Submit to the city"),
    )


def _claim_page(claim) -> dict:
    """The parts of a confirmation page that lead back to the claim."""
    url = claim.get_absolute_url()
    return {
        "back_url": url,
        "back_label": claim.title,
        "cancel_url": url,
        "head_template": "proposals/includes/head.html",
    }


def _refuse(request, claim, verdict):
    if verdict.wrong_person:
        raise PermissionDenied(verdict.message)
    messages.error(request, verdict.message)
    return redirect(claim)


@login_required
def claim_withdraw(request, pk):
    claim = get_visible_claim(request, pk)
    verdict = claim_policy.allows(request.user, "withdraw", claim)
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
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("The claim was withdrawn."))
            return redirect(claim)
    return confirm(
        request,
        **_claim_page(claim),
        form=form,
        title=_("Withdraw this claim?"),
        question=_("This cannot be undone. Supporters and the city will be told."),
        button=_("Withdraw the claim"),
        danger=True,
    )


@login_required
def claim_delete(request, pk):
    claim = get_visible_claim(request, pk)
    verdict = claim_policy.allows(request.user, "delete", claim)
    if not verdict:
        return _refuse(request, claim, verdict)
    if request.method == "POST":
        services.claim_delete_draft(actor=request.user, claim=claim)
        messages.success(request, _("The draft was deleted."))
        return redirect("proposals:claim-mine")
    return confirm(
        request,
        **_claim_page(claim),
        title=_("Delete this draft?"),
        question=_("The draft and its attachments will be deleted. This cannot be undone."),
        button=_("Delete the draft"),
        danger=True,
    )


@login_required
def claim_documents(request, pk):
    claim = get_visible_claim(request, pk)
    verdict = claim_policy.allows(request.user, "provide_documents", claim)
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
            errors.add_to_form(form, exc)
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
            errors.flash(request, exc)
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
        errors.flash(request, exc)
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
        errors.flash(request, exc)
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
        errors.flash(request, exc)
    else:
        messages.success(
            request,
            _("You are now a co-author of this claim.") if accept else _("Invitation declined."),
        )
    if not accept and claim.is_draft:
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
        errors.flash(request, exc)
    return redirect(reverse("proposals:claim-detail", args=[claim.pk]) + "#consultation")
