"""The parties' workspace: start from a claim, co-design versions, comment, agree, sign."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accords import selectors, services
from accords.forms import (
    ADD_ROW,
    CommentForm,
    ReasonForm,
    SignForm,
    StartForm,
    SupportItemFormSet,
    VersionForm,
    draft_from,
    support_initial,
    support_row_added,
)
from accords.models import AccordVersion, Side
from accords.rules import ACCORDS, Action, claims_to_start, may_start, side_of
from accords.services import _common as common
from accords.services.signing import signable_parties, uses_totp
from accords.views._helpers import accord_or_404, require, run
from citizens.throttle import client_ip
from core import errors
from core.policy import THROTTLED, allows
from core.views import confirm_then_act


@login_required
def accord_mine(request):
    """My accords, what waits on me, and (officers) approved claims to start from."""
    user = request.user
    page = Paginator(selectors.workspace_list(user), 20).get_page(request.GET.get("page"))
    ready = claims_to_start(user).order_by("-decided_at", "-id")[:50]
    to_sign = selectors.awaiting_city_signature(user)
    return render(
        request,
        "accords/accord_mine.html",
        {"page": page, "ready": ready, "to_sign": to_sign},
    )


@login_required
def accord_start(request, claim_pk: int):
    from proposals.handoff import accord_seed
    from proposals.models import Claim

    claim = get_object_or_404(Claim, pk=claim_pk)
    allowed = may_start(request.user, claim)
    if not allowed:
        if allowed.wrong_person:
            raise PermissionDenied(allowed.message)
        messages.error(request, allowed.message)
        return redirect("accords:accord-mine")
    seed = accord_seed(claim)
    form = StartForm(
        request.POST or None,
        initial={"department": request.user.department, "start_date": common.today()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            accord = services.accord_start(
                actor=request.user,
                claim=claim,
                department=form.cleaned_data["department"],
                start_date=form.cleaned_data["start_date"],
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(
                request,
                _("Accord %(ref)s started. Co-design it with the proposers.")
                % {"ref": accord.reference},
            )
            return redirect(accord.workspace_url())
    return render(
        request,
        "accords/accord_start.html",
        {"claim": claim, "seed": seed, "form": form, "civic_preview": civic_preview(seed)},
        status=400 if form.errors else 200,
    )


def civic_preview(seed) -> list[str]:
    """The civic parties the accord will have, as the start page lists them."""
    lines = []
    if seed.group is not None:
        names = ", ".join(common.public_name(u) for u in seed.representatives)
        lines.append(
            _("%(group)s (representatives: %(names)s)")
            % {"group": seed.group.name, "names": names or "—"}
        )
        people = seed.coauthors
    else:
        people = [*seed.representatives, *seed.coauthors]
    seen = set()
    for user in people:
        if user.pk not in seen:
            seen.add(user.pk)
            lines.append(common.public_name(user))
    return lines


@login_required
def accord_workspace(request, pk: int):
    accord = accord_or_404(pk)
    require(request.user, Action.VIEW_WORKSPACE, accord)
    return _workspace_page(request, accord)


def _workspace_page(request, accord, *, comment_form=None, comment_for=None, status=200):
    """The workspace; `comment_form` (bound, with errors) is shown on version `comment_for`."""
    versions = list(selectors.workspace_versions(accord))
    for version in versions:
        version.sides = {a.side: a for a in version.approvals.all()}
    agreed = next((v for v in versions if v.status == AccordVersion.Status.AGREED), None)
    signatures = {s.party_id: s for s in agreed.signatures.all()} if agreed else {}
    parties = list(
        accord.parties.select_related("department", "group", "user").prefetch_related(
            "group__memberships__user"
        )
    )
    current = accord.current_version
    return render(
        request,
        "accords/accord_workspace.html",
        {
            "accord": accord,
            "versions": versions,
            "latest": versions[0] if versions else None,
            "agreed": agreed,
            "parties": [(p, signatures.get(p.pk)) for p in parties],
            "my_side": side_of(request.user, accord),
            "actions": ACCORDS.actions(request.user, accord),
            "can_sign": bool(signable_parties(request.user, accord)),
            "comment_form": comment_form,
            "comment_for": comment_for,
            "support": list(current.support_items.all()) if current else [],
            "reports": accord.reports.select_related("submitted_by").prefetch_related("photos"),
            "disputes": accord.disputes.all(),
            "today": common.today(),
            "max_end": common.end_limit(accord, current.start_date) if current else None,
            "renew_max_end": common.end_limit(accord, current.end_date + dt.timedelta(days=1))
            if current
            else None,
        },
        status=status,
    )


@login_required
def version_create(request, pk: int):
    accord = accord_or_404(pk)
    require(request.user, Action.EDIT, accord)
    latest = common.latest_version(accord)
    base = (
        latest
        if latest and not (latest.is_signed and accord.current_version)
        else (accord.current_version or latest)
    )
    adding_row = request.method == "POST" and ADD_ROW in request.POST
    if adding_row:
        # Without JavaScript, "Add another row" comes back here: the same text, one more row,
        # and no version saved.
        form, formset = support_row_added(request.POST)
    elif request.method == "POST":
        form = VersionForm(request.POST)
        formset = SupportItemFormSet(request.POST, prefix="support")
        if form.is_valid() and formset.is_valid():
            try:
                version = services.version_create(
                    actor=request.user,
                    accord=accord,
                    draft=draft_from(form, formset),
                    change_note=form.cleaned_data.get("change_note", ""),
                )
            except ValidationError as exc:
                errors.add_to_form(form, exc)
            else:
                messages.success(request, _("Version %(n)s saved.") % {"n": version.number})
                return redirect(accord.workspace_url() + f"#v{version.number}")
    else:
        form = VersionForm(initial=VersionForm.initial_from(base))
        formset = SupportItemFormSet(initial=support_initial(base), prefix="support")
    limit = common.end_limit(accord, base.start_date)
    return render(
        request,
        "accords/version_form.html",
        {
            "accord": accord,
            "base": base,
            "form": form,
            "formset": formset,
            "limit": limit,
            "track": common.track_rules(accord),
            "amending": accord.current_version_id is not None,
            "add_row": ADD_ROW,
        },
        status=400 if request.method == "POST" and not adding_row else 200,
    )


def _version_or_404(accord, number) -> AccordVersion:
    try:
        return accord.versions.get(number=number)
    except AccordVersion.DoesNotExist:
        raise Http404 from None


@login_required
@require_POST
def version_comment(request, pk: int, number: int):
    accord = accord_or_404(pk)
    require(request.user, Action.COMMENT, accord)
    version = _version_or_404(accord, number)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.version_comment(
                actor=request.user, version=version, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc, "body")
        else:
            messages.success(request, _("Comment added."))
            return redirect(accord.workspace_url() + f"#v{number}")
    # Refused: the page again, the error next to the box and the text kept in it.
    return _workspace_page(
        request, accord, comment_form=form, comment_for=version.number, status=400
    )


@login_required
@require_POST
def version_propose(request, pk: int, number: int):
    accord = accord_or_404(pk)
    require(request.user, Action.PROPOSE, accord)
    version = _version_or_404(accord, number)
    return run(
        request,
        lambda: services.version_propose_final(actor=request.user, version=version),
        success=_("Version %(n)s proposed as final. The other side has been asked to agree.")
        % {"n": number},
        next_url=accord.workspace_url() + f"#v{number}",
    )


@login_required
@require_POST
def version_agree(request, pk: int, number: int):
    accord = accord_or_404(pk)
    require(request.user, Action.AGREE, accord)
    version = _version_or_404(accord, number)
    return run(
        request,
        lambda: services.version_agree(actor=request.user, version=version),
        success=_("Both sides agree: version %(n)s is locked and ready to sign.") % {"n": number},
        next_url=accord.workspace_url() + "#signing",
    )


@login_required
def accord_sign(request, pk: int):
    accord = accord_or_404(pk)
    version = common.agreed_version(accord)
    options = signable_parties(request.user, accord)
    if version is None or not options:
        action = (
            Action.SIGN_CIVIC if side_of(request.user, accord) == Side.CIVIC else (Action.SIGN_CITY)
        )
        result = allows(request.user, action, accord)
        if not result and result.wrong_person:
            raise PermissionDenied(result.message)
        messages.error(request, result.message or _("There is nothing for you to sign."))
        return redirect(accord.workspace_url())
    totp = uses_totp(request.user)
    form = SignForm(request.POST or None, totp=totp)
    if request.method == "POST" and form.is_valid():
        party_pk = request.POST.get("party")
        party = next((p for p in options if str(p.pk) == party_pk), options[0])
        try:
            services.accord_sign(
                actor=request.user,
                accord=accord,
                party=party,
                version=version,
                credential=form.cleaned_data["credential"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            errors.add_to_form(
                form, exc, "credential" if exc.code in ("reauth", THROTTLED) else None
            )
        else:
            messages.success(
                request,
                _("You signed version %(n)s for %(party)s.")
                % {"n": version.number, "party": party.name},
            )
            return redirect(accord.workspace_url() + "#signing")
    status = errors.form_status(form)
    return render(
        request,
        "accords/accord_sign.html",
        {
            "accord": accord,
            "version": version,
            "options": options,
            "form": form,
            "totp": totp,
        },
        status=status,
    )


def _confirm(
    request,
    pk,
    *,
    action,
    service,
    template_title,
    success,
    button,
    danger=True,
    form_class=ReasonForm,
    to_detail=False,
):
    """A confirmation page with reasons, for actions that cannot be undone lightly."""
    accord = accord_or_404(pk)
    require(request.user, action, accord)
    allowed = allows(request.user, action, accord)
    return confirm_then_act(
        request,
        act=lambda data: service(accord, data),
        success=success,
        next_url=accord.get_absolute_url() if to_detail else accord.workspace_url(),
        form=form_class(request.POST or None),
        title=template_title,
        summary=f"{accord.reference} · {accord.title} · {accord.get_state_display()}",
        button=button,
        danger=danger,
        refusal="" if allowed else allowed.message,
        back_url=accord.workspace_url(),
        back_label=accord.reference,
        cancel_url=accord.workspace_url(),
        cancel_label=_("Go back without changes"),
        head_template="accords/includes/head.html",
    )


@login_required
def accord_reopen(request, pk: int):
    return _confirm(
        request,
        pk,
        action=Action.REOPEN,
        service=lambda a, d: services.accord_reopen(
            actor=request.user, accord=a, reason=d["reason"]
        ),
        template_title=_("Reopen the co-design"),
        success=_("The co-design is open again; the agreed version is withdrawn."),
        button=_("Reopen the co-design"),
    )


@login_required
def accord_cancel(request, pk: int):
    return _confirm(
        request,
        pk,
        action=Action.CANCEL,
        service=lambda a, d: services.accord_cancel(
            actor=request.user, accord=a, reason=d["reason"]
        ),
        template_title=_("Cancel this draft accord"),
        success=_("The draft accord was cancelled."),
        button=_("Cancel the accord"),
    )
