"""Residents' part in the consultation: supports and formal objections (comments and their
moderation are the comments app's)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from citizens.models import User
from comments.models import Comment
from comments.services import comment_create
from core.notify import notify
from proposals import notifications
from proposals.models import Claim, Support
from proposals.rules import OBJECTION, claim_policy
from proposals.services._common import lock_claim

MAX_COMMENT = 5000


def _text(value: str, *, empty_message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(empty_message, code="required")
    if len(value) > MAX_COMMENT:
        raise ValidationError(
            _("At most %(limit)s characters.") % {"limit": MAX_COMMENT}, code="too_long"
        )
    return value


def support_add(*, user: User, claim: Claim) -> Support:
    """One support per verified resident, during the consultation.

    The claim row is locked so two clicks cannot both pass the check; the unique constraint
    is the last word if they still do.
    """
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(user, "support", claim).enforce()
        try:
            with transaction.atomic():
                support = Support.objects.create(claim=claim, user=user)
        except IntegrityError:
            raise ValidationError(_("You already support this claim."), code="twice") from None
        Claim.objects.filter(pk=claim.pk).update(supports_count=F("supports_count") + 1)
    return support


def support_remove(*, user: User, claim: Claim) -> None:
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(user, "unsupport", claim).enforce()
        deleted, _n = Support.objects.filter(claim=claim, user=user).delete()
        if not deleted:
            raise ValidationError(_("You do not support this claim."), code="not_supporting")
        Claim.objects.filter(pk=claim.pk).update(supports_count=F("supports_count") - 1)


def support_set_notify(*, user: User, claim: Claim, notify: bool) -> None:
    """A supporter turns this claim's updates on or off."""
    updated = Support.objects.filter(claim=claim, user=user).update(notify=notify)
    if not updated:
        raise ValidationError(_("You do not support this claim."), code="not_supporting")


def objection_add(*, author: User, claim: Claim, reason: str) -> Comment:
    """A formal objection: a verified resident's reasoned opposition, once per claim. It is a
    comment of the claim's "objection" kind (the comments app keeps it once per person), so
    it is read, replied to, reported and moderated in the claim's discussion."""
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(author, "object", claim).enforce()
        reason = _text(reason, empty_message=_("An objection needs a reason."))
        try:
            comment = comment_create(
                author=author, target=claim, body=reason, kind=OBJECTION, announce=False
            )
        except ValidationError as exc:
            if exc.code == "twice":
                raise ValidationError(
                    _("You have already objected to this claim."), code="twice"
                ) from None
            raise
        url = f"{claim.get_absolute_url()}#comment-{comment.pk}"

        def message():
            return _("New objection to “%(title)s”.") % {"title": claim.title}

        notify(notifications.proposers_of(claim), verb="claim.objection", url=url, message=message)
        if claim.handler_id:
            notify([claim.handler], verb="claim.objection", url=url, message=message, email=False)
    return comment
