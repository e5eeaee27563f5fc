"""Residents' part in the consultation, and moderation of what they write."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_log
from citizens.models import User
from core.notify import notify
from proposals import notifications
from proposals.models import Claim, Comment, CommentReport, Support
from proposals.rules import claim_policy, comment_policy
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


def comment_add(*, author: User, claim: Claim, body: str) -> Comment:
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(author, "comment", claim).enforce()
        body = _text(body, empty_message=_("Write a comment first."))
        comment = Comment.objects.create(claim=claim, author=author, body=body)
        notify(
            notifications.proposers_of(claim),
            verb="claim.comment",
            exclude=author,
            email=False,
            url=f"{claim.get_absolute_url()}#comment-{comment.pk}",
            message=lambda: _("New comment on “%(title)s”.") % {"title": claim.title},
        )
    return comment


def objection_add(*, author: User, claim: Claim, reason: str) -> Comment:
    """A formal objection: a verified resident's reasoned opposition, once per claim."""
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(author, "object", claim).enforce()
        reason = _text(reason, empty_message=_("An objection needs a reason."))
        try:
            with transaction.atomic():
                comment = Comment.objects.create(
                    claim=claim, author=author, body=reason, kind=Comment.Kind.OBJECTION
                )
        except IntegrityError:
            raise ValidationError(
                _("You have already objected to this claim."), code="twice"
            ) from None
        url = f"{claim.get_absolute_url()}#comment-{comment.pk}"

        def message():
            return _("New objection to “%(title)s”.") % {"title": claim.title}

        notify(notifications.proposers_of(claim), verb="claim.objection", url=url, message=message)
        if claim.handler_id:
            notify([claim.handler], verb="claim.objection", url=url, message=message, email=False)
    return comment


def comment_report(*, reporter: User, comment: Comment, reason: str) -> CommentReport:
    with transaction.atomic(durable=True):
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        comment_policy.allows(reporter, "report", comment).enforce()
        reason = _text(reason, empty_message=_("Tell the moderators what is wrong."))
        try:
            with transaction.atomic():
                report = CommentReport.objects.create(
                    comment=comment, reporter=reporter, reason=reason
                )
        except IntegrityError:
            raise ValidationError(
                _("You have already reported this comment."), code="twice"
            ) from None
        audit_log(actor=reporter, action="comment.report", obj=comment, reason=reason)
        notify(
            notifications.moderators(),
            verb="comment.reported",
            email=False,
            url=reverse("proposals:moderation-queue"),
            message=lambda: (
                _("A comment on “%(title)s” was reported.") % {"title": comment.claim.title}
            ),
        )
    return report


def comment_hide(*, actor: User, comment: Comment, reason: str) -> Comment:
    """Moderators hide a comment with a reason; open reports on it are resolved."""
    with transaction.atomic(durable=True):
        comment = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("claim")
            .get(pk=comment.pk)
        )
        comment_policy.allows(actor, "hide", comment).enforce()
        reason = _text(reason, empty_message=_("Give the reason for hiding the comment."))
        now = timezone.now()
        comment.hidden_at, comment.hidden_by, comment.hidden_reason = now, actor, reason
        comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        comment.reports.filter(resolved_at__isnull=True).update(resolved_at=now, resolved_by=actor)
        audit_log(
            actor=actor,
            action="comment.hide",
            obj=comment,
            before={"body": comment.body, "claim": comment.claim_id},
            reason=reason,
        )
        if comment.author_id:
            notify(
                [comment.author],
                verb="comment.hidden",
                url=comment.claim.get_absolute_url(),
                message=lambda: (
                    _("A moderator hid your comment on “%(title)s”: %(reason)s")
                    % {"title": comment.claim.title, "reason": reason[:200]}
                ),
            )
    return comment


def report_dismiss(*, actor: User, report: CommentReport) -> CommentReport:
    with transaction.atomic(durable=True):
        report = CommentReport.objects.select_for_update().get(pk=report.pk)
        comment_policy.allows(actor, "moderate").enforce()
        if report.resolved_at is not None:
            raise ValidationError(_("This report has already been handled."))
        report.resolved_at, report.resolved_by = timezone.now(), actor
        report.save(update_fields=["resolved_at", "resolved_by"])
        audit_log(
            actor=actor,
            action="comment.report_dismiss",
            obj=report.comment,
            after={"report": report.pk},
        )
    return report
