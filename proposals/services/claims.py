"""Proposers' use cases: write, submit, co-author, attach, withdraw."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_log
from citizens.models import CivicGroup, Membership, User
from citizens.rules import is_verified_resident
from core.fsm import fire
from core.notify import notify
from proposals import notifications
from proposals.attachments import check_upload, max_attachments_per_claim
from proposals.models import Attachment, Claim, ClaimCoauthor, ProcedureConfig, ReviewRequest
from proposals.models.claims import CLAIMING_STATES
from proposals.rules import claim_policy
from proposals.services._common import (
    StoredFiles,
    days_from,
    delete_files,
    format_date,
    lock_claim,
    next_step,
    office_url,
    store_attachment,
    track_rules,
)

TEXT_FIELDS = [
    "title",
    "summary",
    "motivation",
    "objectives",
    "activities",
    "schedule",
    "resources_offered",
    "support_requested",
]
REQUIRED_FIELDS = [
    "title",
    "summary",
    "motivation",
    "objectives",
    "activities",
    "schedule",
    "intensity",
    "field",
    "resources_offered",
    "requested_duration_months",
    "track",
]
EDITABLE_FIELDS = [
    *TEXT_FIELDS,
    "intensity",
    "field",
    "requested_duration_months",
    "track",
    "resource",
    "location_address",
    "location_latitude",
    "location_longitude",
    "district",
]
MAX_LENGTH = {"title": 200, "summary": 600, "location_address": 300, "district": 100}
CHOICES = {"intensity": Claim.Intensity, "field": Claim.Field, "track": Claim.Track}
MAX_LONG_TEXT = 10_000


def clean_claim_data(data: dict) -> dict:  # noqa: C901 - one check per field of a claim
    """Normalise and check a claim's content; the form does the same for a friendlier page."""
    data = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    errors: dict[str, str] = {}
    for name in [*TEXT_FIELDS, "location_address", "district"]:
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
            limit = MAX_LENGTH.get(name, MAX_LONG_TEXT)
            if len(data[name]) > limit:
                errors[name] = _("At most %(limit)s characters.") % {"limit": limit}
    for name in REQUIRED_FIELDS:
        if data.get(name) in (None, ""):
            errors[name] = _("This field is required.")
    for name, choices in CHOICES.items():
        if data.get(name) not in (None, "") and data[name] not in choices.values:
            errors[name] = _("Choose one of the options.")
    resource = data.get("resource")
    if resource is not None:
        data["district"] = resource.district
        data["location_address"] = ""
        data["location_latitude"] = data["location_longitude"] = None
    else:
        if not data.get("location_address"):
            errors["resource"] = _(
                "Choose a resource from the registry, or describe a new location below."
            )
        if not data.get("district"):
            errors["district"] = _("Tell us the district of the new location.")
        if (data.get("location_latitude") is None) != (data.get("location_longitude") is None):
            errors["location_latitude"] = _("Give both latitude and longitude, or neither.")
    months = data.get("requested_duration_months")
    track = data.get("track")
    if months and track in Claim.Track.values:
        limit = ProcedureConfig.get_solo().track(track).max_accord_months
        if months > limit:
            errors["requested_duration_months"] = _(
                "The %(track)s track allows at most %(months)s months."
            ) % {"track": Claim.Track(track).label, "months": limit}
    if errors:
        raise ValidationError(errors)
    return data


def _check_group(author: User, group: CivicGroup | None) -> None:
    if group is None:
        return
    if not Membership.objects.filter(group=group, user=author, is_representative=True).exists():
        raise PermissionDenied(
            _("Only a representative can propose on behalf of %(group)s.") % {"group": group.name}
        )


def claim_create(*, author: User, data: dict, group: CivicGroup | None = None, uploads=()) -> Claim:
    """Create a draft claim (with its first attachments) for its author or their group."""
    claim_policy.allows(author, "create").enforce()
    _check_group(author, group)
    data = clean_claim_data(data)
    checked = [(upload, check_upload(upload)) for upload in uploads]
    if len(checked) > max_attachments_per_claim():
        raise ValidationError(
            _("At most %(n)s attachments per claim.") % {"n": max_attachments_per_claim()}
        )
    with StoredFiles() as stored, transaction.atomic(durable=True):
        claim = Claim.objects.create(created_by=author, group=group, **data)
        audit_log(
            actor=author,
            action="claim.create",
            obj=claim,
            after={"group": group.pk if group else None},
        )
        for upload, info in checked:
            store_attachment(claim, upload, info, author, stored)
    return claim


def claim_update(*, actor: User, claim: Claim, data: dict) -> Claim:
    """Change a draft, or a claim the city asked documents for (every change is audited)."""
    data = clean_claim_data(data)
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(actor, "edit", claim).enforce()
        before, after = {}, {}
        for name, value in data.items():
            old = getattr(claim, name)
            if old != value:
                before[name] = old.pk if hasattr(old, "pk") else old
                after[name] = value.pk if hasattr(value, "pk") else value
                setattr(claim, name, value)
        if after:
            claim.save()
            audit_log(actor=actor, action="claim.update", obj=claim, before=before, after=after)
    return claim


def claim_delete_draft(*, actor: User, claim: Claim) -> None:
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(actor, "delete", claim).enforce()
        files = [a.file.name for a in claim.attachments.all()]
        audit_log(actor=actor, action="claim.delete", obj=claim)
        claim.delete()
        transaction.on_commit(lambda: delete_files(files))


def claim_submit(*, actor: User, claim: Claim) -> Claim:
    """Draft → submitted: the admissibility clock starts and the city is told."""
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(actor, "submit", claim).enforce()
        clean_claim_data({name: getattr(claim, name) for name in EDITABLE_FIELDS})
        now = timezone.now()
        due_at = days_from(now, track_rules(claim).screening_days)
        fire(
            claim,
            "submit",
            actor=actor,
            submitted_at=now,
            **next_step(due_at),
            audit_after={"due_at": due_at},
        )
        competitors = _link_competitors(claim)
        url = claim.get_absolute_url()
        notify(
            notifications.proposers_of(claim),
            verb="claim.submitted",
            url=url,
            message=lambda: (
                _("Your claim “%(title)s” was submitted. The city will check it by %(date)s.")
                % {"title": claim.title, "date": format_date(claim.due_at)}
            ),
        )
        notify(
            notifications.city_of(claim),
            verb="claim.submitted",
            url=office_url(claim),
            message=lambda: _("New claim to screen: “%(title)s”.") % {"title": claim.title},
        )
        for other in competitors:
            notify(
                notifications.proposers_of(other),
                verb="claim.competitor",
                url=other.get_absolute_url(),
                message=lambda other=other: (
                    _("Another claim was submitted on the same resource as “%(title)s”.")
                    % {"title": other.title}
                ),
            )
    return claim


def _link_competitors(claim: Claim) -> list[Claim]:
    if not claim.resource_id:
        return []
    others = list(
        Claim.objects.filter(
            resource_id=claim.resource_id, state__in=sorted(CLAIMING_STATES)
        ).exclude(pk=claim.pk)
    )
    if others:
        claim.competing.add(*others)
    return others


def claim_withdraw(*, actor: User, claim: Claim, reason: str) -> Claim:
    """Any open state → withdrawn, by the proposers. Pending reviews are cancelled."""
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(actor, "withdraw", claim).enforce()
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(
                _("Tell the city and the supporters why you withdraw the claim."), code="required"
            )
        pending = list(
            claim.reviews.filter(state=ReviewRequest.State.PENDING).select_related("department")
        )
        claim.reviews.filter(state=ReviewRequest.State.PENDING).update(
            state=ReviewRequest.State.CANCELLED, cancelled_reason=reason
        )
        fire(
            claim,
            "withdraw",
            actor=actor,
            reason=reason,
            withdrawal_reason=reason,
            **next_step(None),
            audit_after={"due_at": None},
        )
        url = claim.get_absolute_url()

        def message():
            return _("The claim “%(title)s” was withdrawn by its proposers.") % {
                "title": claim.title
            }

        notify(notifications.supporters_of(claim), verb="claim.withdrawn", url=url, message=message)
        if claim.handler_id:
            notify([claim.handler], verb="claim.withdrawn", url=url, message=message)
        for review in pending:
            notify(
                notifications.department_officers(review),
                verb="claim.withdrawn",
                url=url,
                message=message,
            )
    return claim


# Co-authors --------------------------------------------------------------------------------


def coauthor_invite(*, actor: User, claim: Claim, email: str) -> ClaimCoauthor:
    email = (email or "").strip()
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(actor, "invite_coauthor", claim).enforce()
        invitee = User.objects.filter(email__iexact=email, is_active=True).first()
        if invitee is None or not is_verified_resident(invitee):
            raise ValidationError(
                _(
                    "No verified resident uses this address. Co-authors need an account with a "
                    "verified residency."
                ),
                code="unknown",
            )
        if invitee.pk in claim.proposer_ids:
            raise ValidationError(_("This person is already a proposer."), code="proposer")
        coauthor, created = ClaimCoauthor.objects.get_or_create(
            claim=claim, user=invitee, defaults={"invited_by": actor}
        )
        if created:
            audit_log(
                actor=actor, action="claim.coauthor_invite", obj=claim, after={"user": invitee.pk}
            )
        else:  # declined before: invited again
            coauthor.claim = claim
            if not ClaimCoauthor.machine.can(coauthor, "reinvite"):
                raise ValidationError(_("This person has already been invited."), code="pending")
            fire(
                coauthor,
                "reinvite",
                actor=actor,
                invited_by=actor,
                answered_at=None,
                audit_action="claim.coauthor_invite",
                audit_object=claim,
                audit_after={"user": invitee.pk},
            )
        notify(
            [invitee],
            verb="claim.coauthor_invite",
            url=claim.get_absolute_url(),
            message=lambda: (
                _("%(who)s invites you to co-author the claim “%(title)s”.")
                % {"who": actor.get_full_name(), "title": claim.title}
            ),
        )
    return coauthor


def coauthor_answer(*, user: User, claim: Claim, accept: bool) -> ClaimCoauthor:
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(user, "answer_invitation", claim).enforce()
        coauthor = ClaimCoauthor.objects.get(claim=claim, user=user)
        coauthor.claim = claim
        answer = "accept" if accept else "decline"
        target = ClaimCoauthor.machine[answer].target
        fire(
            coauthor,
            answer,
            actor=user,
            answered_at=timezone.now(),
            audit_action=f"claim.coauthor_{target}",  # claim.coauthor_accepted / _declined
            audit_object=claim,
        )
        if claim.created_by_id:
            notify(
                [claim.created_by],
                verb="claim.coauthor_answer",
                url=claim.get_absolute_url(),
                message=lambda: (
                    (
                        _("%(who)s accepted to co-author “%(title)s”.")
                        if accept
                        else _("%(who)s declined to co-author “%(title)s”.")
                    )
                    % {"who": user.get_full_name(), "title": claim.title}
                ),
            )
    return coauthor


# Attachments -------------------------------------------------------------------------------


def attachment_add(*, actor: User, claim: Claim, upload) -> Attachment:
    info = check_upload(upload)
    with StoredFiles() as stored, transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(actor, "edit", claim).enforce()
        if claim.attachments.count() >= max_attachments_per_claim():
            raise ValidationError(
                _("At most %(n)s attachments per claim.") % {"n": max_attachments_per_claim()}
            )
        return store_attachment(claim, upload, info, actor, stored)


def attachment_delete(*, actor: User, attachment: Attachment) -> None:
    with transaction.atomic(durable=True):
        claim = lock_claim(attachment.claim)
        if not claim.is_draft:
            raise ValidationError(
                _("Attachments of a submitted claim are part of its record and cannot be removed.")
            )
        claim_policy.allows(actor, "edit", claim).enforce()
        name = attachment.file.name
        audit_log(
            actor=actor,
            action="claim.attachment_delete",
            obj=claim,
            before={"attachment": attachment.pk, "name": attachment.original_name},
        )
        attachment.delete()
        transaction.on_commit(lambda: delete_files([name]))
