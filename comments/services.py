"""Writing comments: post, reply, agree, edit, delete, report, hide, show again, dismiss.

Each entry point is one durable transaction that asks the policy (the host's for writing on
it, `comments.rules` for the rest), validates the text, writes, audits moderation, and tells
people after the commit (`core.notify`): a new comment reaches the host's authors, the
followers of the host and, for a reply, the author of the parent; a mention reaches the
mentioned; a hidden comment's author hears why.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import audit_log
from citizens.models import User
from citizens.rules import PERM_MODERATE, users_with_permission
from citizens.throttle import Throttle
from comments import mentions, registry
from comments.followers import follow_automatically, followers_of
from comments.models import MAX_DEPTH, Agreement, Comment, Report
from comments.rules import comment_policy
from core.fsm import fire
from core.notify import notify

DEFAULT_MAX_LENGTH = 5000


def max_length() -> int:
    return getattr(settings, "COMMENTS_MAX_LENGTH", DEFAULT_MAX_LENGTH)


def post_throttle() -> Throttle:
    """New comments and replies per person: `COMMENTS_RATE` = (count, seconds)."""
    limit, window = getattr(settings, "COMMENTS_RATE", (10, 600))
    return Throttle("comments.post", limit, window)


def report_throttle() -> Throttle:
    limit, window = getattr(settings, "COMMENTS_REPORT_RATE", (20, 3600))
    return Throttle("comments.report", limit, window)


def text_error(value: str, *, empty_message: str) -> ValidationError | None:
    """Why `value` (stripped) cannot be a comment's text: NUL, empty or too long; else None."""
    if "\x00" in value:
        return ValidationError(_("The text contains a NUL character."), code="null")
    if not value:
        return ValidationError(empty_message, code="required")
    limit = max_length()
    if len(value) > limit:
        return ValidationError(
            ngettext(
                "At most %(limit)d character (it has %(count)d).",
                "At most %(limit)d characters (it has %(count)d).",
                limit,
            )
            % {"limit": limit, "count": len(value)},
            code="too_long",
        )
    return None


def clean_text(value: str, *, empty_message: str, field: str = "body") -> str:
    """Stripped text, or a ValidationError naming `field`: empty, too long, or with NUL."""
    value = (value or "").strip()
    error = text_error(value, empty_message=empty_message)
    if error is not None:
        raise ValidationError({field: error})
    return value


def _throttled(throttle: Throttle, user: User) -> None:
    ident = f"user:{user.pk}"
    if throttle.blocked(ident):
        raise ValidationError(
            _("You are writing too fast. Wait a few minutes and try again."), code="throttled"
        )
    throttle.hit(ident)


def comment_url(comment: Comment, host_obj=None) -> str:
    """The comment on its host's page, on the page of the thread it belongs to."""
    from comments.selectors import page_link, per_page

    host = registry.host_for(comment.content_type.model_class())
    root = comment
    while root.parent_id is not None:
        root = root.parent
    earlier = (
        Comment.objects.filter(
            content_type_id=root.content_type_id, object_id=root.object_id, parent__isnull=True
        )
        .filter(Q(created_at__lt=root.created_at) | Q(created_at=root.created_at, pk__lt=root.pk))
        .count()
    )
    return host.url_of(host_obj or comment.host) + page_link(
        earlier // per_page() + 1, comment.anchor
    )


def participants(content_type: ContentType, object_id: int, host, obj) -> list[User]:
    """Whom a comment on this host may mention: its authors and whoever commented on it."""
    ids = (
        Comment.objects.filter(content_type=content_type, object_id=object_id)
        .exclude(author__isnull=True)
        .values("author_id")
    )
    people = list(User.objects.filter(pk__in=ids, is_active=True))
    return people + [u for u in host.authors_of(obj) if u.is_active]


def _lock_host(obj):
    """The host, read afresh under a lock: its policy decides on its current state, and
    writes on one host are serialised (the kind-once check, the rate limit)."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def comment_create(
    *,
    author: User,
    target,
    body: str,
    parent: Comment | None = None,
    kind: str = "",
    announce: bool = True,
) -> Comment:
    """The one place a comment is written (inside the caller's transaction).

    The caller has asked the right policy: the host's "comment" rule for a new comment, the
    host's own rule for a kind (a claim's objection), `reply` for a reply.
    `announce=False`: the caller tells the host's authors and followers itself (the mentioned
    and the parent's author are told in any case).
    """
    host = registry.host_for(target)
    content_type = ContentType.objects.get_for_model(type(target))
    depth = 1
    if parent is not None:
        # A reply to a comment at the last level joins that comment's parent.
        if parent.depth >= MAX_DEPTH:
            parent = parent.parent
        depth = parent.depth + 1
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                content_type=content_type,
                object_id=target.pk,
                parent=parent,
                depth=depth,
                author=author,
                body=body,
                kind=kind,
            )
    except IntegrityError:
        raise ValidationError(
            _("You have already written this on this page."), code="twice"
        ) from None
    mentioned = []
    if mentions.handles_in(body):
        people = participants(content_type, target.pk, host, target)
        mentioned = [u for u in mentions.resolve(body, people) if u.pk != author.pk]
    comment.mentions.set(mentioned)
    _tell(comment, host, target, author, parent, mentioned, announce)
    follow_automatically(author, target)
    return comment


def _tell(comment, host, target, author, parent, mentioned, announce) -> None:
    url = comment_url(comment, target)
    title = host.title(target)
    notify(
        mentioned,
        verb="comment.mention",
        url=url,
        message=lambda: _("You were mentioned in a comment on “%(title)s”.") % {"title": title},
    )
    told = {u.pk for u in mentioned}
    if parent is not None and parent.author_id and parent.author_id not in told:
        notify(
            [parent.author],
            verb="comment.reply",
            exclude=author,
            url=url,
            message=lambda: (
                _("Somebody replied to your comment on “%(title)s”.") % {"title": title}
            ),
        )
        told.add(parent.author_id)
    if not announce:
        return
    audience = [u for u in host.authors_of(target) if u.pk not in told]
    audience += [u for u in followers_of(target) if u.pk not in told]
    # Emailed at once or in a digest, as each person prefers for comments (core.notify).
    notify(
        audience,
        verb="comment.new",
        exclude=author,
        url=url,
        message=lambda: _("New comment on “%(title)s”.") % {"title": title},
    )


def comment_post(*, author: User, target, body: str) -> Comment:
    """A new comment on `target`, if its host's policy lets `author` comment now."""
    host = registry.host_for(target)
    with transaction.atomic(durable=True):
        target = _lock_host(target)
        host.comment(author, target).enforce()
        body = clean_text(body, empty_message=_("Write a comment first."))
        _throttled(post_throttle(), author)
        return comment_create(author=author, target=target, body=body)


def comment_reply(*, author: User, parent: Comment, body: str) -> Comment:
    with transaction.atomic(durable=True):
        parent = Comment.objects.select_related("parent").get(pk=parent.pk)
        target = _lock_host(parent.host)
        comment_policy.allows(author, "reply", parent).enforce()
        body = clean_text(body, empty_message=_("Write a reply first."))
        _throttled(post_throttle(), author)
        return comment_create(author=author, target=target, body=body, parent=parent)


def comment_agree(*, user: User, comment: Comment) -> bool:
    """Toggle `user`'s agreement with `comment`; returns whether they now agree."""
    with transaction.atomic(durable=True):
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        existing = Agreement.objects.filter(comment=comment, user=user)
        if existing.exists():
            existing.delete()  # taking it back is always possible
            return False
        comment_policy.allows(user, "agree", comment).enforce()
        try:
            with transaction.atomic():
                Agreement.objects.create(comment=comment, user=user)
        except IntegrityError:
            return True
        return True


def comment_edit(*, author: User, comment: Comment, body: str) -> Comment:
    with transaction.atomic(durable=True):
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        comment_policy.allows(author, "edit", comment).enforce()
        body = clean_text(body, empty_message=_("A comment cannot be empty; delete it instead."))
        if body == comment.body:
            return comment
        comment.body, comment.edited_at = body, timezone.now()
        comment.save(update_fields=["body", "edited_at"])
        target = comment.host
        host = registry.host_for(target)
        already = set(comment.mentions.values_list("pk", flat=True))
        mentioned = []
        if mentions.handles_in(body):
            people = participants(comment.content_type, comment.object_id, host, target)
            mentioned = [u for u in mentions.resolve(body, people) if u.pk != author.pk]
        comment.mentions.set(mentioned)
        fresh = [u for u in mentioned if u.pk not in already]
        if fresh:
            title, url = host.title(target), comment_url(comment, target)
            notify(
                fresh,
                verb="comment.mention",
                url=url,
                message=lambda: (
                    _("You were mentioned in a comment on “%(title)s”.") % {"title": title}
                ),
            )
    return comment


def comment_delete(*, actor: User, comment: Comment) -> Comment:
    """The author deletes a comment: its text goes, its place (and replies) stay."""
    with transaction.atomic(durable=True):
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        comment_policy.allows(actor, "delete", comment).enforce()
        fire(comment, "delete", actor=actor, body="")
        Agreement.objects.filter(comment=comment).delete()
        comment.mentions.clear()
    return comment


def comment_report(*, reporter: User, comment: Comment, reason: str) -> Report:
    with transaction.atomic(durable=True):
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        comment_policy.allows(reporter, "report", comment).enforce()
        reason = clean_text(
            reason, empty_message=_("Tell the moderators what is wrong."), field="reason"
        )
        _throttled(report_throttle(), reporter)
        try:
            with transaction.atomic():
                report = Report.objects.create(comment=comment, reporter=reporter, reason=reason)
        except IntegrityError:
            raise ValidationError(
                _("You have already reported this comment."), code="twice"
            ) from None
        audit_log(actor=reporter, action="comment.report", obj=comment, reason=reason)
        host = registry.host_for(comment.content_type.model_class())
        title = host.title(comment.host)
        notify(
            users_with_permission(PERM_MODERATE),
            verb="comment.reported",
            email=False,
            url=reverse("comments:moderation-queue"),
            message=lambda: _("A comment on “%(title)s” was reported.") % {"title": title},
        )
    return report


def comment_hide(*, actor: User, comment: Comment, reason: str) -> Comment:
    """A moderator hides a comment with a reason; the open reports on it are resolved."""
    with transaction.atomic(durable=True):
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        comment_policy.allows(actor, "hide", comment).enforce()
        reason = clean_text(
            reason, empty_message=_("Give the reason for hiding the comment."), field="reason"
        )
        now = timezone.now()
        fire(
            comment,
            "hide",
            actor=actor,
            reason=reason,
            hidden_at=now,
            hidden_by=actor,
            hidden_reason=reason,
        )
        comment.reports.filter(resolved_at__isnull=True).update(resolved_at=now, resolved_by=actor)
        if comment.author_id:
            target = comment.host
            title = registry.host_for(target).title(target)
            notify(
                [comment.author],
                verb="comment.hidden",
                url=comment_url(comment, target),
                message=lambda: (
                    _("A moderator hid your comment on “%(title)s”: %(reason)s")
                    % {"title": title, "reason": reason[:200]}
                ),
            )
    return comment


def comment_unhide(*, actor: User, comment: Comment) -> Comment:
    with transaction.atomic(durable=True):
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        comment_policy.allows(actor, "unhide", comment).enforce()
        fire(comment, "unhide", actor=actor, hidden_at=None, hidden_by=None, hidden_reason="")
    return comment


def report_dismiss(*, actor: User, report: Report) -> Report:
    with transaction.atomic(durable=True):
        report = Report.objects.select_for_update().get(pk=report.pk)
        comment_policy.allows(actor, "moderate").enforce()
        if report.resolved_at is not None:
            raise ValidationError(_("This report has already been handled."), code="state")
        report.resolved_at, report.resolved_by = timezone.now(), actor
        report.save(update_fields=["resolved_at", "resolved_by"])
        audit_log(
            actor=actor,
            action="comment.report_dismiss",
            obj=report.comment,
            after={"report": report.pk},
        )
    return report
