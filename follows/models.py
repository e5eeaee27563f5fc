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


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    OFF = "off", _("Off")


DIGEST_FREQUENCIES = (Frequency.DAILY, Frequency.WEEKLY)


class NotificationPreference(models.Model):
    """How a person hears about one kind of event by email; no row means immediately. The
    in-app notification list shows everything whatever the preference."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind of event"), max_length=30)
    frequency = models.CharField(
        _("email"), max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="follows_preference_unique"),
            models.CheckConstraint(
                condition=models.Q(frequency__in=Frequency.values),
                name="follows_preference_frequency_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.kind}: {self.frequency}"


class Digest(models.Model):
    """One digest email: at most one per person, frequency and period (the day, or the
    Monday of the week), so a second run in the same period sends nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="digests",
        verbose_name=_("user"),
    )
    frequency = models.CharField(
        _("frequency"),
        max_length=10,
        choices=[(f.value, f.label) for f in DIGEST_FREQUENCIES],
    )
    period = models.DateField(_("period"))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "frequency", "period"], name="follows_digest_once_per_period"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.frequency} {self.period}"


class DigestItem(models.Model):
    """A notification waiting for (or included in) its recipient's digest."""

    notification = models.OneToOneField(
        "citizens.Notification",
        on_delete=models.CASCADE,
        related_name="digest_item",
        verbose_name=_("notification"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    frequency = models.CharField(
        _("frequency"),
        max_length=10,
        choices=[(f.value, f.label) for f in DIGEST_FREQUENCIES],
    )
    digest = models.ForeignKey(
        Digest,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("digest"),
    )

    class Meta:
        ordering = ["notification_id"]
        verbose_name = _("digest item")
        verbose_name_plural = _("digest items")
        indexes = [
            models.Index(fields=["frequency", "digest", "user"], name="follows_pending_idx"),
        ]

    def __str__(self):
        return f"{self.notification_id} → {self.digest_id or 'pending'}"
