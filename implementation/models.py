"""Implementation tracking: what became of a funded PB project or of an accord.

One `Implementation` per subject (a budgeting Project that won in the published results, or an
accords Accord, whose monitoring plan it follows), with its status (a `core.fsm` machine),
progress, responsible department, budgeted cost and the money spent (`Expense` entries),
`Milestone`s with photos. `ImplementationSubscription` holds the voters who, when casting their
online ballot, asked to hear how the projects they voted for progress: it is written at voting
time from what they chose, so notifications never read a ballot.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fsm import StateMachine, Transition


class ImplementationState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


S = ImplementationState


class Implementation(models.Model):
    State = ImplementationState

    machine = StateMachine(
        Transition("start", _("start the works"), {S.PLANNED}, S.IN_PROGRESS, "start"),
        Transition("complete", _("mark as done"), {S.IN_PROGRESS}, S.DONE, "complete"),
        Transition("reopen", _("reopen the works"), {S.DONE}, S.IN_PROGRESS, "reopen"),
        Transition("cancel", _("cancel"), {S.PLANNED, S.IN_PROGRESS}, S.CANCELLED, "cancel"),
        audit_prefix="implementation",
        tones={S.IN_PROGRESS: "warn", S.DONE: "ok", S.CANCELLED: "err"},
    )

    project = models.OneToOneField(
        "budgeting.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="implementation",
    )
    accord = models.OneToOneField(
        "accords.Accord",
        verbose_name=_("accord"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="implementation",
    )
    state = models.CharField(
        _("status"), max_length=20, choices=S.choices, default=S.PLANNED, db_index=True
    )
    state_reason = models.TextField(_("reasons"), blank=True)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    department = models.ForeignKey(
        "citizens.Department",
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="implementations",
    )
    budgeted_cost = models.DecimalField(
        _("budgeted cost"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # The sum of the expenses, kept by the service that records them (under the row lock).
    spent = models.DecimalField(_("money spent"), max_digits=14, decimal_places=2, default=0)
    notes = models.TextField(_("notes"), blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("implementation")
        verbose_name_plural = _("implementations")
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False, accord__isnull=True)
                | Q(project__isnull=True, accord__isnull=False),
                name="implementation_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100),
                name="implementation_progress_range",
            ),
            models.CheckConstraint(
                condition=~Q(state=S.DONE) | Q(progress=100), name="implementation_done_is_100"
            ),
            models.CheckConstraint(
                condition=~Q(state=S.CANCELLED) | ~Q(state_reason=""),
                name="implementation_cancelled_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(state__in=S.values), name="implementation_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(spent__gte=0), name="implementation_spent_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(budgeted_cost__isnull=True) | Q(budgeted_cost__gte=0),
                name="implementation_budget_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="implementation_lat_lon",
            ),
        ]

    def __str__(self):
        return str(self.subject)

    def get_absolute_url(self) -> str:
        return self.subject.get_absolute_url() + "#implementation"

    @property
    def subject(self):
        return self.project if self.project_id else self.accord

    @property
    def currency(self) -> str:
        return self.project.process.currency if self.project_id else "EUR"

    @property
    def is_cancelled(self) -> bool:
        return self.state == S.CANCELLED

    @property
    def is_done(self) -> bool:
        return self.state == S.DONE

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budgeted_cost is None else self.budgeted_cost - self.spent

    @property
    def over_budget(self) -> bool:
        return self.budgeted_cost is not None and self.spent > self.budgeted_cost


class Milestone(models.Model):
    implementation = models.ForeignKey(
        Implementation, on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("reached at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Set when run_deadlines flagged it overdue and reminded the department (once).
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self):
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, today=None) -> bool:
        return not self.is_done and self.due_date < (today or timezone.localdate())


class MilestonePhoto(models.Model):
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="implementation/photos/")
    alt_text = models.CharField(
        _("description of the photo"),
        max_length=300,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("milestone photo")
        verbose_name_plural = _("milestone photos")
        constraints = [
            models.CheckConstraint(condition=~Q(alt_text=""), name="implementation_photo_alt"),
        ]

    def __str__(self):
        return self.alt_text

    def get_absolute_url(self):
        return reverse("implementation:photo", args=[self.pk])


class Expense(models.Model):
    implementation = models.ForeignKey(
        Implementation, on_delete=models.CASCADE, related_name="expenses"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    spent_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["spent_on", "id"]
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="implementation_expense_pos"),
        ]

    def __str__(self):
        return f"{self.amount} ({self.spent_on})"


class ImplementationSubscription(models.Model):
    """A voter's opt-in, given with their online ballot: "tell me how the projects I voted for
    progress". Written from the choices submitted with the ballot, never read from a ballot."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="implementation_subs"
    )
    project = models.ForeignKey(
        "budgeting.Project", on_delete=models.CASCADE, related_name="implementation_subscribers"
    )
    created_at = models.DateTimeField(_("subscribed at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress subscription")
        verbose_name_plural = _("progress subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["user", "project"], name="implementation_sub_unique"),
        ]

    def __str__(self):
        return f"{self.user_id} → {self.project_id}"
