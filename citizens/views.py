from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from citizens import services
from citizens.forms import (
    CivicGroupForm,
    DeleteAccountForm,
    InviteForm,
    ProfileForm,
    ResidencyForm,
)
from citizens.models import CivicGroup, GroupInvitation, Membership
from citizens.rules import Role, group_policy, has_role, roles_of
from citizens.throttle import client_ip
from core import errors
from core.views import confirm, id_param
from core.workspace import is_staff_member


def asks_residency(user) -> bool:
    """Residents are asked to verify their residency; staff (officers, facilitators, ...) only
    when they also hold the resident role."""
    if user.is_verified_resident:
        return False
    return has_role(user, Role.RESIDENT) or not is_staff_member(user)


@login_required
def profile(request):
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        response = redirect("citizens:profile")
        response.set_cookie("django_language", user.preferred_language, samesite="Lax")
        return response
    return render(
        request,
        "citizens/profile_detail.html",
        {
            "form": form,
            "residency_form": ResidencyForm(),
            "ask_residency": asks_residency(user),
            "roles": sorted(roles_of(user)),
            "memberships": user.memberships.select_related("group"),
        },
    )


@login_required
@require_POST
def residency_verify_view(request):
    form = ResidencyForm(request.POST)
    if form.is_valid():
        try:
            services.residency_verify(
                user=request.user,
                document_id=form.cleaned_data["document_id"],
                birth_date=form.cleaned_data["birth_date"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your residency is verified."))
            return redirect("citizens:profile")
    status = errors.form_status(form)
    return render(
        request,
        "citizens/profile_detail.html",
        {
            "form": ProfileForm(instance=request.user),
            "residency_form": form,
            "ask_residency": True,
            "roles": sorted(roles_of(request.user)),
            "memberships": request.user.memberships.select_related("group"),
        },
        status=status,
    )


@login_required
def account_delete_view(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.account_delete(user=request.user)
        logout(request)
        messages.success(request, _("Your account was closed."))
        return redirect("/")
    return confirm(
        request,
        form=form,
        title=_("Delete your account"),
        question=_(
            "What you wrote (claims, comments, reports) stays public, shown as written by a "
            "deleted user. Your email, name, residency link and group memberships are removed. "
            "Votes already cast stay counted, anonymously."
        ),
        button=_("Delete my account"),
        danger=True,
        cancel_url=reverse("citizens:profile"),
    )


@login_required
def notification_list(request):
    page = Paginator(request.user.notifications.all(), 25).get_page(request.GET.get("page"))
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("citizens:notification-list")
    return render(request, "citizens/notification_list.html", {"page": page})


@require_POST
def language_set(request):
    response = set_language(request)
    lang = request.POST.get("language")
    if request.user.is_authenticated and lang in dict(
        request.user._meta.get_field("preferred_language").choices
    ):
        request.user.preferred_language = lang
        request.user.save(update_fields=["preferred_language"])
    return response


@login_required
def group_list(request):
    groups = group_policy.queryset(request.user, "view").prefetch_related("memberships")
    page = Paginator(groups, 25).get_page(request.GET.get("page"))
    invitations = GroupInvitation.objects.filter(
        email__iexact=request.user.email, state=GroupInvitation.State.PENDING
    ).select_related("group")
    return render(request, "citizens/group_list.html", {"page": page, "invitations": invitations})


@login_required
def group_create_view(request):
    form = CivicGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        group = services.group_create(user=request.user, **form.cleaned_data)
        messages.success(request, _("The group was created. You are its representative."))
        return redirect("citizens:group-detail", pk=group.pk)
    return render(request, "citizens/group_form.html", {"form": form})


@login_required
def group_detail(request, pk):
    group = get_object_or_404(CivicGroup, pk=pk)
    is_member = group.memberships.filter(user=request.user).exists()
    verdict = group_policy.allows(request.user, "view", group)
    if not verdict:
        raise PermissionDenied(verdict.message)
    manage = group_policy.allows(request.user, "manage", group)
    invite_form = InviteForm(request.POST or None) if manage else None
    if request.method == "POST":
        if not manage:
            raise PermissionDenied(manage.message)
        action = request.POST.get("action")
        try:
            if action == "invite" and invite_form.is_valid():
                services.group_invite(actor=request.user, group=group, **invite_form.cleaned_data)
                messages.success(request, _("The invitation was sent."))
                return redirect("citizens:group-detail", pk=pk)
            if action in ("promote", "demote"):
                membership = get_object_or_404(
                    Membership, pk=id_param(request.POST.get("membership")), group=group
                )
                services.membership_set_representative(
                    actor=request.user, membership=membership, value=action == "promote"
                )
                messages.success(request, _("Representatives updated."))
                return redirect("citizens:group-detail", pk=pk)
        except ValidationError as exc:
            if invite_form is not None:
                errors.add_to_form(invite_form, exc)
            else:
                errors.flash(request, exc)
    return render(
        request,
        "citizens/group_detail.html",
        {
            "group": group,
            "members": group.memberships.select_related("user").order_by("joined_at"),
            "pending": group.invitations.filter(state=GroupInvitation.State.PENDING),
            "invite_form": invite_form,
            "manage": manage.allowed,
            "is_member": is_member,
        },
        status=400 if invite_form is not None and invite_form.errors else 200,
    )


@login_required
def group_leave_view(request, pk):
    group = get_object_or_404(CivicGroup, pk=pk)
    if request.method == "POST":
        try:
            services.group_leave(user=request.user, group=group)
        except ValidationError as exc:
            errors.flash(request, exc)
            return redirect("citizens:group-detail", pk=pk)
        messages.success(request, _("You left the group."))
        return redirect("citizens:group-list")
    return confirm(
        request,
        title=_("Leave %(name)s?") % {"name": group.name},
        button=_("Leave the group"),
        danger=True,
        cancel_url=reverse("citizens:group-detail", args=[group.pk]),
    )


@login_required
def invitation_detail(request, token):
    invitation = get_object_or_404(GroupInvitation.objects.select_related("group"), token=token)
    if request.method == "POST":
        try:
            services.invitation_answer(
                user=request.user,
                invitation=invitation,
                accept=request.POST.get("answer") == "accept",
            )
        except ValidationError as exc:
            errors.flash(request, exc)
            return redirect("citizens:group-list")
        invitation.refresh_from_db()
        if invitation.state == GroupInvitation.State.ACCEPTED:
            messages.success(request, _("Welcome to %(group)s.") % {"group": invitation.group})
            return redirect("citizens:group-detail", pk=invitation.group_id)
        messages.info(request, _("Invitation declined."))
        return redirect("citizens:group-list")
    if invitation.email.lower() != request.user.email.lower():
        raise PermissionDenied(_("This invitation was sent to another address."))
    return render(request, "citizens/invitation_detail.html", {"invitation": invitation})
