"""The city's procedure configuration: deadlines and limits per track, review checklist.

Every deadline the claim workflow uses comes from here; the values below are only the
defaults a new installation starts with (Bologna's regulation), editable in the admin.
"""

import calendar
import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _


class Track(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary")
    COMPLEX = "complex", _("Complex")


TRACK_DEFAULTS = {
    Track.ORDINARY: {
        "screening_days": 10,
        "documents_days": 30,
        "consultation_days": 15,
        "review_days": 15,
        "decision_days": 30,
        "executive_days": None,
        "max_accord_months": 36,
    },
    Track.COMPLEX: {
        "screening_days": 15,
        "documents_days": 30,
        "consultation_days": 30,
        "review_days": 30,
        "decision_days": 60,
        "executive_days": 30,
        "max_accord_months": 108,
    },
}

# The default review checklist. A default label is shown translated; a label an administrator
# wrote is shown as written.
CHECKLIST_DEFAULTS = {
    "permits": gettext_noop("Permits"),
    "utilities": gettext_noop("Utilities"),
    "safety": gettext_noop("Safety"),
    "mobility": gettext_noop("Mobility"),
    "heritage": gettext_noop("Heritage"),
    "environment": gettext_noop("Environment"),
}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class ProcedureConfig(models.Model):
    """One row per installation (one city). Use `ProcedureConfig.get_solo()`."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    city_name = models.CharField(_("city"), max_length=120, default="Bologna")
    screening_department = models.ForeignKey(
        "citizens.Department",
        verbose_name=_("screening department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Its officers are told about new claims. Leave empty to tell every officer."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("procedure configuration")
        verbose_name_plural = _("procedure configuration")
        constraints = [
            models.CheckConstraint(condition=Q(singleton=True), name="procedure_singleton"),
        ]

    def __str__(self):
        return str(_("Procedure configuration of %(city)s") % {"city": self.city_name})

    @classmethod
    def get_solo(cls) -> "ProcedureConfig":
        """The configuration, created with the default tracks and checklist when missing."""
        config = cls.objects.filter(singleton=True).prefetch_related("tracks").first()
        if config is not None and len(config.tracks.all()) == len(Track):
            return config
        with transaction.atomic():
            config, _created = cls.objects.get_or_create(singleton=True)
            for track, values in TRACK_DEFAULTS.items():
                TrackProcedure.objects.get_or_create(config=config, track=track, defaults=values)
            if not config.checklist.exists():
                ChecklistItem.objects.bulk_create(
                    ChecklistItem(config=config, key=key, label=label, position=i)
                    for i, (key, label) in enumerate(CHECKLIST_DEFAULTS.items())
                )
        return cls.objects.prefetch_related("tracks").get(pk=config.pk)

    def track(self, track: str) -> "TrackProcedure":
        """The deadlines and limits of one track ("ordinary" or "complex")."""
        for rules in self.tracks.all():
            if rules.track == track:
                return rules
        raise KeyError(track)

    def active_checklist(self) -> list["ChecklistItem"]:
        return list(self.checklist.filter(is_active=True))


class TrackProcedure(models.Model):
    config = models.ForeignKey(ProcedureConfig, on_delete=models.CASCADE, related_name="tracks")
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    screening_days = models.PositiveSmallIntegerField(
        _("days to screen"),
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("From submission to the admissibility decision."),
    )
    documents_days = models.PositiveSmallIntegerField(
        _("days to provide documents"),
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Time the proposers have to send documents the city asks for."),
    )
    consultation_days = models.PositiveSmallIntegerField(
        _("consultation length (days)"),
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    review_days = models.PositiveSmallIntegerField(
        _("days for technical reviews"),
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Default time a department has to give its opinion."),
    )
    decision_days = models.PositiveSmallIntegerField(
        _("days to decide"),
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "From the end of the consultation to the decision (complex track: to the "
            "referral to the executive)."
        ),
    )
    executive_days = models.PositiveSmallIntegerField(
        _("days for the executive deliberation"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Complex track only."),
    )
    max_accord_months = models.PositiveSmallIntegerField(
        _("maximum accord duration (months)"),
        validators=[MinValueValidator(1), MaxValueValidator(1200)],
    )

    class Meta:
        ordering = ["track"]
        verbose_name = _("track deadlines")
        verbose_name_plural = _("track deadlines")
        constraints = [
            models.UniqueConstraint(fields=["config", "track"], name="track_procedure_unique"),
            models.CheckConstraint(
                condition=Q(
                    screening_days__gte=1,
                    documents_days__gte=1,
                    consultation_days__gte=1,
                    review_days__gte=1,
                    decision_days__gte=1,
                    max_accord_months__gte=1,
                ),
                name="track_procedure_positive",
            ),
            models.CheckConstraint(
                condition=Q(track=Track.ORDINARY, executive_days__isnull=True)
                | Q(track=Track.COMPLEX, executive_days__gte=1),
                name="track_procedure_executive_complex_only",
            ),
        ]

    def __str__(self):
        return str(Track(self.track).label)

    def clean(self):
        if self.track == Track.COMPLEX and not self.executive_days:
            raise ValidationError(
                {
                    "executive_days": _(
                        "The complex track needs days for the executive deliberation."
                    )
                }
            )
        if self.track == Track.ORDINARY and self.executive_days:
            raise ValidationError(
                {"executive_days": _("The ordinary track has no executive deliberation.")}
            )

    @property
    def needs_executive_deliberation(self) -> bool:
        return self.track == Track.COMPLEX

    def accord_end_limit(self, start: dt.date) -> dt.date:
        """The latest end date of an accord starting on `start` (inclusive)."""
        return add_months(start, self.max_accord_months) - dt.timedelta(days=1)


class ChecklistItem(models.Model):
    config = models.ForeignKey(ProcedureConfig, on_delete=models.CASCADE, related_name="checklist")
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("review checklist item")
        verbose_name_plural = _("review checklist")
        constraints = [
            models.UniqueConstraint(fields=["config", "key"], name="checklist_key_unique"),
        ]

    def __str__(self):
        return self.display_label

    @property
    def display_label(self) -> str:
        if CHECKLIST_DEFAULTS.get(self.key) == self.label:
            return gettext(self.label)
        return self.label
