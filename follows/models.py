"""Follows: a person asks to hear about a claim, accord, process, project (any registered
model, see `follows.registry`)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("user"),
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("content type")
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    auto = models.BooleanField(
        _("automatic"),
        default=False,
        help_text=_("Followed because the person authored, supported, signed or took part."),
    )
    created_at = models.DateTimeField(_("followed on"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="follows_follow_unique"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="follows_target_idx")]

    def __str__(self):
        return f"{self.user} → {self.content_type.model} #{self.object_id}"
