"""Comments attached to any registered host (a claim, a PB project, an accord, ...).

One table for every host: a generic key (`content_type`, `object_id`) names the host, an index
on it serves the one query a thread page makes. Replies point to their parent (at most
`MAX_DEPTH` levels). A comment is published, hidden by a moderator (with a reason) or deleted by
its author; hidden and deleted comments stay in the thread as placeholders so the replies under
them keep their place. "Agree" is one row per person and comment (a unique constraint).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fsm import StateMachine, Transition

# Levels of a thread: a comment (level 1), a reply (2), a reply to a reply (3). A reply to a
# comment at the last level joins that comment's own parent, so it shows at the last level.
MAX_DEPTH = 3


class Comment(models.Model):
    class State(models.TextChoices):
        PUBLISHED = "published", _("published")
        HIDDEN = "hidden", _("hidden by moderation")
        DELETED = "deleted", _("deleted")

    S = State
    machine = StateMachine(
        Transition("hide", _("hide the comment"), {S.PUBLISHED}, S.HIDDEN, action="hide"),
        Transition("unhide", _("show the comment again"), {S.HIDDEN}, S.PUBLISHED, "unhide"),
        Transition("delete", _("delete the comment"), {S.PUBLISHED}, S.DELETED, "delete"),
        audit_prefix="comment",
        tones={S.HIDDEN: "warn", S.DELETED: "err"},
    )

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    host = GenericForeignKey("content_type", "object_id")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A host's own kind of comment (e.g. a claim's formal "objection"); "" for a comment.
    # Each non-empty kind comes once per person and host (a constraint).
    kind = models.CharField(_("kind"), max_length=20, blank=True, default="")
    body = models.TextField(_("text"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PUBLISHED
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("mentions")
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["content_type", "object_id", "created_at"], name="comment_host"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "author", "kind"],
                condition=~Q(kind=""),
                name="comment_kind_once_per_author",
            ),
            models.CheckConstraint(
                condition=~Q(state="hidden") | ~Q(hidden_reason=""),
                name="comment_hidden_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(state="deleted") | ~Q(body=""), name="comment_body_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(depth__gte=1, depth__lte=MAX_DEPTH), name="comment_depth_range"
            ),
        ]

    def __str__(self):
        return self.body[:60]

    @property
    def is_hidden(self) -> bool:
        return self.state == self.State.HIDDEN

    @property
    def is_deleted(self) -> bool:
        return self.state == self.State.DELETED

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"


class Agreement(models.Model):
    """One person agrees with one comment (a toggle)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="agreements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="agree_once_per_user"),
        ]

    def __str__(self):
        return f"{self.user_id} ✓ {self.comment_id}"


class Report(models.Model):
    """A reader tells the moderators that a comment breaks the rules."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"], name="comment_report_once_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.comment_id}: {self.reason[:40]}"
