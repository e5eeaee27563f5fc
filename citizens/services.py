"""Use cases of the citizens app: residency, groups, notifications, account deletion."""

import datetime as dt
import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import audit_log
from citizens.census import census_lookup
from citizens.models import CivicGroup, GroupInvitation, Membership, Notification, User
from citizens.rules import can_manage_group
from citizens.throttle import Throttle
from core.emails import email_enqueue


def residency_throttle() -> Throttle:
    return Throttle("residency", settings.RESIDENCY_ATTEMPTS, settings.RESIDENCY_WINDOW)


class VerificationError(ValidationError):
    pass


def residency_verify(*, user: User, document_id: str, birth_date: dt.date, ip: str = "") -> User:
    """Link an account to its census identity. Failures are throttled per account and IP."""
    throttle = residency_throttle()
    idents = (f"user:{user.pk}", f"ip:{ip}" if ip else "")
    if throttle.blocked(*idents):
        raise VerificationError(
            _("Too many failed attempts. Please try again in %(minutes)s minutes.")
            % {"minutes": max(1, settings.RESIDENCY_WINDOW // 60)},
            code="throttled",
        )
    if user.census_record_id:
        raise VerificationError(_("Your residency is already verified."), code="already")
    record = census_lookup(document_id=document_id, birth_date=birth_date)
    if record is None:
        throttle.hit(*idents)
        raise VerificationError(
            _("No census record matches this document number and birth date."),
            code="no_match",
        )
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            if User.objects.filter(census_record=record).exclude(pk=user.pk).exists():
                raise IntegrityError("identity in use")
            locked.census_record = record
            locked.verified_at = timezone.now()
            locked.save(update_fields=["census_record", "verified_at"])
            audit_log(
                actor=user,
                action="residency.verify",
                obj=locked,
                after={"district": record.district},
            )
    except IntegrityError:
        throttle.hit(*idents)
        raise VerificationError(
            _(
                "This identity is already linked to another account. If this is unexpected, "
                "contact the city's help desk."
            ),
            code="in_use",
        ) from None
    user.refresh_from_db(fields=["census_record", "verified_at"])
    throttle.reset(f"user:{user.pk}")
    return user


def account_delete(*, user: User) -> None:
    """Anonymise the account: what the person wrote stays, attributed to nobody."""
    with transaction.atomic():
        audit_log(actor=user, action="account.delete", obj=user)
        EmailAddress.objects.filter(user=user).delete()
        Membership.objects.filter(user=user).delete()
        Notification.objects.filter(user=user).delete()
        user.email = f"deleted-{user.pk}-{secrets.token_hex(4)}@invalid.invalid"
        user.display_name = _("Deleted user")
        user.census_record = None
        user.verified_at = None
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.is_anonymised = True
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()


# Civic groups -----------------------------------------------------------------------------


def group_create(
    *, user: User, name: str, kind: str, description: str = "", registration_number: str = ""
) -> CivicGroup:
    with transaction.atomic():
        group = CivicGroup.objects.create(
            name=name.strip(),
            kind=kind,
            description=description,
            registration_number=registration_number,
            created_by=user,
        )
        Membership.objects.create(group=group, user=user, is_representative=True)
        audit_log(actor=user, action="group.create", obj=group)
    return group


def group_invite(
    *, actor: User, group: CivicGroup, email: str, as_representative: bool = False
) -> GroupInvitation:
    if not can_manage_group(actor, group):
        raise PermissionDenied(_("Only the group's representatives can invite members."))
    email = email.strip()
    if group.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError(_("This person is already a member."), code="member")
    try:
        with transaction.atomic():
            invitation = GroupInvitation.objects.create(
                group=group,
                email=email,
                token=secrets.token_urlsafe(32),
                invited_by=actor,
                as_representative=as_representative,
            )
            audit_log(actor=actor, action="group.invite", obj=group, after={"email": email})
    except IntegrityError:
        raise ValidationError(
            _("An invitation to this address is already pending."), code="pending"
        ) from None
    # The invitee may have no account yet: the email speaks the inviter's language.
    email_enqueue(
        "group_invitation",
        {
            "inviter": str(actor),
            "group_name": group.name,
            "link": f"{settings.SITE_URL}/me/invitations/{invitation.token}/",
        },
        to=[email],
        language=translation.get_language(),
    )
    return invitation


def invitation_answer(*, user: User, invitation: GroupInvitation, accept: bool) -> None:
    if invitation.email.lower() != user.email.lower():
        raise PermissionDenied(_("This invitation was sent to another address."))
    with transaction.atomic():
        inv = GroupInvitation.objects.select_for_update().get(pk=invitation.pk)
        if inv.state != GroupInvitation.State.PENDING:
            raise ValidationError(_("This invitation has already been answered."))
        inv.state = GroupInvitation.State.ACCEPTED if accept else GroupInvitation.State.DECLINED
        inv.answered_at = timezone.now()
        inv.save(update_fields=["state", "answered_at"])
        if accept:
            Membership.objects.get_or_create(
                group=inv.group,
                user=user,
                defaults={"is_representative": inv.as_representative},
            )
        audit_log(actor=user, action="group.invitation." + inv.state, obj=inv.group)


def group_leave(*, user: User, group: CivicGroup) -> None:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(group=group, user=user).first()
        if membership is None:
            raise ValidationError(_("You are not a member of this group."))
        others = group.memberships.exclude(user=user)
        sole_representative = (
            membership.is_representative and not others.filter(is_representative=True).exists()
        )
        if sole_representative and others.exists():
            raise ValidationError(
                _("You are the only representative. Name another representative before leaving.")
            )
        membership.delete()
        audit_log(actor=user, action="group.leave", obj=group)


def membership_set_representative(*, actor: User, membership: Membership, value: bool) -> None:
    if not can_manage_group(actor, membership.group):
        raise PermissionDenied(_("Only the group's representatives can name representatives."))
    with transaction.atomic():
        if (
            not value
            and not membership.group.memberships.filter(is_representative=True)
            .exclude(pk=membership.pk)
            .exists()
        ):
            raise ValidationError(_("A group needs at least one representative."))
        membership.is_representative = value
        membership.save(update_fields=["is_representative"])
        audit_log(
            actor=actor,
            action="group.representative",
            obj=membership.group,
            after={"user": membership.user_id, "representative": value},
        )


# Notifications (sent with core.notify.notify) ----------------------------------------------


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
