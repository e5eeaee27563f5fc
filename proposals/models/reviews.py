"""Technical reviews: a department's opinion on a claim."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fsm import StateMachine, Transition
from proposals.models.claims import Claim


class ReviewRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the opinion")
        ANSWERED = "answered", _("Answered")
        CANCELLED = "cancelled", _("Cancelled")

    class Opinion(models.TextChoices):
        FAVOURABLE = "favourable", _("Favourable")
        CONDITIONS = "conditions", _("Favourable with conditions")
        UNFAVOURABLE = "unfavourable", _("Unfavourable")

    class Check(models.TextChoices):
        OK = "ok", _("No issue")
        ISSUE = "issue", _("Issue")
        NOT_APPLICABLE = "na", _("Not applicable")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="reviews")
    department = models.ForeignKey(
        "citizens.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="claim_reviews",
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    message = models.TextField(_("what the city asks"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(_("due"), db_index=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    opinion = models.CharField(_("opinion"), max_length=20, choices=Opinion.choices, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Snapshot of the checklist as answered: [{"key", "label", "value", "note"}].
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)

    # Fired by core.fsm.fire; the audit entries go on the claim ("claim.review_answer"). A
    # withdrawn claim's pending reviews are cancelled in bulk with it (claim_withdraw).
    machine = StateMachine(
        Transition("answer", _("answer"), {State.PENDING}, State.ANSWERED, action="answer"),
        Transition("cancel", _("cancel"), {State.PENDING}, State.CANCELLED, action="cancel"),
        tones={State.ANSWERED: "ok", State.CANCELLED: "warn"},
    )

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("technical review")
        verbose_name_plural = _("technical reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "department"],
                condition=Q(state="pending"),
                name="review_one_pending_per_department",
            ),
            models.CheckConstraint(
                condition=~Q(state="answered") | ~Q(opinion=""),
                name="review_answered_has_opinion",
            ),
            models.CheckConstraint(
                condition=~Q(opinion="conditions") | ~Q(conditions=""),
                name="review_conditions_written",
            ),
        ]

    def __str__(self):
        return f"{self.department} – {self.claim}"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING

    @property
    def is_answered(self) -> bool:
        return self.state == self.State.ANSWERED

    @property
    def is_cancelled(self) -> bool:
        return self.state == self.State.CANCELLED

    @property
    def is_overdue(self) -> bool:
        return self.state == self.State.PENDING and self.due_at <= timezone.now()
