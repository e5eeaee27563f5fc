"""Life after signing: activity reports (with photos) and disputes."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accords.models.accords import Accord, Side
from core.fsm import StateMachine, Transition
from proposals.models import private_storage


class ReportState(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the city")


class ActivityReport(models.Model):
    State = ReportState

    accord = models.ForeignKey(Accord, on_delete=models.CASCADE, related_name="reports")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    activities = models.TextField(_("activities carried out"), max_length=10_000)
    volunteer_hours = models.DecimalField(
        _("volunteer hours"), max_digits=9, decimal_places=1, default=0
    )
    # False: the hours are the sum of the period's confirmed contribution entries (kept in
    # step by the contributions app); True: a number typed in before the log existed.
    hours_typed = models.BooleanField(_("hours typed in"), default=False)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    resources_used = models.TextField(_("resources used"), max_length=5_000, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=ReportState.choices, default=ReportState.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    city_note = models.TextField(_("the city's note"), max_length=5_000, blank=True)

    machine = StateMachine(
        Transition(
            "acknowledge",
            _("acknowledge"),
            {ReportState.SUBMITTED},
            ReportState.ACKNOWLEDGED,
            "acknowledge",
        ),
        tones={ReportState.SUBMITTED: "warn", ReportState.ACKNOWLEDGED: "ok"},
    )

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="report_period_order"
            ),
            models.CheckConstraint(
                condition=Q(volunteer_hours__gte=0), name="report_hours_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(state="submitted", acknowledged_at__isnull=True)
                | Q(state="acknowledged", acknowledged_at__isnull=False),
                name="report_acknowledgement_consistent",
            ),
        ]

    def __str__(self):
        return f"{self.accord.reference}: {self.period_start} – {self.period_end}"

    def get_absolute_url(self):
        return reverse("accords:report-detail", args=[self.accord_id, self.pk])

    @property
    def is_acknowledged(self) -> bool:
        return self.state == ReportState.ACKNOWLEDGED


def photo_path(instance, filename: str) -> str:
    """A random name: nothing the uploader typed reaches the file system."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"accords/{instance.report.accord_id}/reports/{uuid.uuid4().hex}.{suffix}"


class ReportPhoto(models.Model):
    report = models.ForeignKey(ActivityReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(storage=private_storage, upload_to=photo_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("size"))
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("accords:report-photo", args=[self.report.accord_id, self.pk])


class DisputeState(models.TextChoices):
    OPEN = "open", _("Open: forming the committee")
    COMMITTEE_FORMED = "committee_formed", _("Committee formed")
    SETTLEMENT_PROPOSED = "settlement_proposed", _("Settlement proposed")
    CLOSED = "closed", _("Closed")


class DisputeOutcome(models.TextChoices):
    SETTLED = "settled", _("Settled")
    NOT_SETTLED = "not_settled", _("Not settled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Dispute(models.Model):
    """A disagreement about an accord, handled by a three-member conciliation committee:
    one member named by each side and a third agreed by both."""

    State = DisputeState
    Outcome = DisputeOutcome

    accord = models.ForeignKey(Accord, on_delete=models.CASCADE, related_name="disputes")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_side = models.CharField(_("opened by"), max_length=10, choices=Side.choices)
    description = models.TextField(_("what the dispute is about"), max_length=10_000)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    settlement_due = models.DateField(_("settlement due by"))
    state = models.CharField(
        _("state"), max_length=30, choices=DisputeState.choices, default=DisputeState.OPEN
    )
    city_member = models.CharField(_("member named by the city"), max_length=200, blank=True)
    civic_member = models.CharField(
        _("member named by the civic actors"), max_length=200, blank=True
    )
    third_member = models.CharField(_("third member (agreed)"), max_length=200, blank=True)
    third_member_proposed_by = models.CharField(max_length=10, choices=Side.choices, blank=True)
    third_member_agreed = models.BooleanField(_("third member agreed"), default=False)
    settlement = models.TextField(_("settlement proposed"), max_length=10_000, blank=True)
    settlement_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=DisputeOutcome.choices, blank=True
    )
    outcome_text = models.TextField(_("outcome"), max_length=10_000, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    machine = StateMachine(
        Transition(
            "form_committee",
            _("form the committee"),
            {DisputeState.OPEN},
            DisputeState.COMMITTEE_FORMED,
            "dispute_committee",
            guard=lambda d: "" if d.committee_complete else _("The committee is not complete."),
        ),
        Transition(
            "propose_settlement",
            _("record the proposed settlement"),
            {DisputeState.COMMITTEE_FORMED},
            DisputeState.SETTLEMENT_PROPOSED,
            "dispute_settlement",
        ),
        Transition(
            "close",
            _("close"),
            {DisputeState.OPEN, DisputeState.COMMITTEE_FORMED, DisputeState.SETTLEMENT_PROPOSED},
            DisputeState.CLOSED,
            "dispute_close",
        ),
        tones={
            DisputeState.OPEN: "warn",
            DisputeState.COMMITTEE_FORMED: "warn",
            DisputeState.SETTLEMENT_PROPOSED: "warn",
        },
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=DisputeState.values), name="dispute_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | (~Q(outcome="") & Q(closed_at__isnull=False)),
                name="dispute_closed_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(state="open")
                | Q(state="closed")
                | (
                    ~Q(city_member="")
                    & ~Q(civic_member="")
                    & ~Q(third_member="")
                    & Q(third_member_agreed=True)
                ),
                name="dispute_committee_complete",
            ),
            # One dispute at a time per accord.
            models.UniqueConstraint(
                fields=["accord"], condition=~Q(state="closed"), name="dispute_one_open"
            ),
        ]

    def __str__(self):
        return f"{self.accord.reference}: {self.description[:40]}"

    def get_absolute_url(self):
        return reverse("accords:dispute-detail", args=[self.accord_id, self.pk])

    @property
    def committee_complete(self) -> bool:
        return (
            bool(self.city_member and self.civic_member and self.third_member)
            and self.third_member_agreed
        )

    @property
    def is_closed(self) -> bool:
        return self.state == DisputeState.CLOSED

    @property
    def is_overdue(self) -> bool:
        return (
            self.state in (DisputeState.OPEN, DisputeState.COMMITTEE_FORMED)
            and timezone.localdate() > self.settlement_due
        )
