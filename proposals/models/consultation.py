"""Public consultation: supports. (Comments and objections live in the comments app.)"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models.claims import Claim


class Support(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claim_supports"
    )
    notify = models.BooleanField(
        _("send me updates"), default=True, help_text=_("Tell me when this claim moves on.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            # One support per person and claim: the database settles races.
            models.UniqueConstraint(fields=["claim", "user"], name="support_once_per_user"),
        ]

    def __str__(self):
        return f"{self.user_id} → {self.claim_id}"
