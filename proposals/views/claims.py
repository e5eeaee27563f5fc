"""Public claim pages and the proposers' actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from citizens.rules import is_moderator, is_officer
from core import errors
from core.views import id_param
from proposals import selectors, services
from proposals.filters import ClaimFilter
from proposals.forms import (
    AttachmentForm,
    ClaimCreateForm,
    ClaimForm,
    CoauthorForm,
    ObjectionForm,
)
from proposals.models import Attachment, Claim, ClaimCoauthor, ReviewRequest, Support, UrbanResource
from proposals.opinions import formal_opinions
from proposals.rules import claim_policy, is_proposer
from proposals.views._helpers import paginate


def get_visible_claim(request, pk) -> Claim:
    """The claim, or 404 when it does not exist or is a draft the user may not see."""
    try:
        claim = selectors.claim_get(pk)
    except Claim.DoesNotExist:
        raise Http404 from None
    if not claim_policy.allows(request.user, "view", claim):
        raise Http404
    return claim


def claim_list(request):
    claim_filter = ClaimFilter(request.GET or None, queryset=selectors.claim_list(request.user))
    page, query = paginate(request, claim_filter.qs)
    return render(
        request,
        "proposals/claim_list.html",
        {
            "filter": claim_filter,
            "page": page,
            "query": query,
            "can_create": claim_policy.allows(request.user, "create").allowed,
            "can_use_office": claim_policy.allows(request.user, "handle").allowed,
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
            "can_create": claim_policy.allows(request.user, "create").allowed,
        },
    )


# What the page offers (template name -> policy action).
PAGE_ACTIONS = {
    "edit": "edit",
    "submit": "submit",
    "delete": "delete",
    "invite": "invite_coauthor",
    "documents": "provide_documents",
    "withdraw": "withdraw",
    "support": "support",
    "comment": "comment",
    "object": "object",
    "answer_invitation": "answer_invitation",
}


def _actions(user, claim: Claim) -> dict:
    return {key: claim_policy.allows(user, action, claim) for key, action in PAGE_ACTIONS.items()}


def claim_detail(request, pk):
    claim = get_visible_claim(request, pk)
    user = request.user
    objection_form = ObjectionForm(prefix="objection")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "object":
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
            errors.add_to_form(objection_form, exc)
        status = 400
    return render(
        request,
        "proposals/claim_detail.html",
        _detail_context(request, claim, objection_form),
        status=status,
    )


def _detail_context(request, claim, objection_form) -> dict:
    user = request.user
    proposer = is_proposer(user, claim)
    support = (
        Support.objects.filter(claim=claim, user=user).first() if user.is_authenticated else None
    )
    return {
        "claim": claim,
        "actions": _actions(user, claim),
        "is_proposer": proposer,
        "is_officer": is_officer(user),
        "is_moderator": is_moderator(user),
        "my_support": support,
        "reviews": [
            r for r in selectors.claim_reviews(claim) if r.state == ReviewRequest.State.ANSWERED
        ],
        "opinions": formal_opinions(claim),
        "timeline": selectors.claim_timeline(claim, full=proposer or is_officer(user)),
        "photos": [a for a in claim.attachments.all() if a.kind == Attachment.Kind.PHOTO],
        "documents": [a for a in claim.attachments.all() if a.kind == Attachment.Kind.DOCUMENT],
        "objection_form": objection_form,
        "coauthor_form": CoauthorForm(),
        "attachment_form": AttachmentForm(),
        "pending_coauthors": [
            c for c in claim.coauthors.all() if c.state == ClaimCoauthor.State.PENDING
        ],
    }


@login_required
def claim_create(request):
    verdict = claim_policy.allows(request.user, "create")
    if not verdict:
        messages.error(request, verdict.message)
        return redirect("citizens:profile")
    initial = {}
    resource_id = id_param(request.GET.get("resource"))
    if resource_id is not None:
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
            errors.add_to_form(form, exc)
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
    verdict = claim_policy.allows(request.user, "edit", claim)
    if not verdict:
        raise PermissionDenied(verdict.message)
    form = ClaimForm(request.POST or None, instance=claim, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_update(actor=request.user, claim=claim, data=form.claim_data())
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(claim)
    # A ModelForm writes into its instance while validating; show the stored claim's title.
    claim.refresh_from_db()
    return _form_page(request, form, claim)
