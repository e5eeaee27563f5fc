"""What the commons give back: the contribution log of an accord, and volunteer shifts.

A `Contribution` is one entry of an accord's log: volunteer hours, goods and materials given,
or the city's support delivered (linked to a support item of the accord). Members log their
own entries; the accord's civic representatives confirm the civic side's, the department's
officers the city's. Confirmed (and rejected) entries never change: a correction is a new
entry that `reverses` an old one, with the opposite amounts, so sums net it out.

Volunteer shifts: a civic party publishes an `Activity` with `Shift`s; residents sign up
(`Signup`), are checked in at the shift and, at check-out, their hours become a confirmed
entry.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fsm import StateMachine, Transition


class ImmutableEntryError(Exception):
    """A confirmed or rejected entry was about to change (corrections are new entries)."""


class Kind(models.TextChoices):
    HOURS = "hours", _("Volunteer hours")
    GOODS = "goods", _("Goods and materials")
    SUPPORT = "support", _("City support delivered")


# Entries of the civic side (confirmed by its representatives) and of the city's.
CIVIC_KINDS = frozenset({Kind.HOURS, Kind.GOODS})
CITY_KINDS = frozenset({Kind.SUPPORT})


class EntryState(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


E = EntryState
# Fields that may still change once an entry is decided (bookkeeping, not the record).
MUTABLE_AFTER_DECISION = frozenset({"reminded_at"})


class ContributionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        touched = set(kwargs) - MUTABLE_AFTER_DECISION
        if touched:
            raise ImmutableEntryError(
                f"Contribution entries change only through their services: {sorted(touched)}"
            )
        return super().update(**kwargs)

    def confirmed(self):
        return self.filter(state=E.CONFIRMED)


class Contribution(models.Model):
    Kind = Kind
    State = EntryState

    accord = models.ForeignKey(
        "accords.Accord",
        verbose_name=_("accord"),
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Whose contribution it is (hours, goods); empty for the city's support.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contributor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on = models.DateField(_("date"), db_index=True)
    description = models.CharField(_("activity or description"), max_length=300)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, null=True, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    value = models.DecimalField(
        _("estimated value (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    support_item = models.ForeignKey(
        "accords.SupportItem",
        verbose_name=_("support item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    # A correction: this entry cancels `reverses` (same kind, opposite amounts).
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    show_name_publicly = models.BooleanField(
        _("show my name publicly"),
        default=False,
        help_text=_("Otherwise the open data and the public pages never name you."),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=EntryState.choices, default=E.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for the rejection"), blank=True)
    signup = models.OneToOneField(
        "contributions.Signup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contribution",
    )
    created_at = models.DateTimeField(_("logged at"), default=timezone.now, db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = ContributionQuerySet.as_manager()

    machine = StateMachine(
        Transition("confirm", _("confirm"), {E.PENDING}, E.CONFIRMED, "confirm"),
        Transition("reject", _("reject"), {E.PENDING}, E.REJECTED, "reject"),
        audit_prefix="contribution",
        tones={E.PENDING: "warn", E.CONFIRMED: "ok", E.REJECTED: "err"},
    )

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="contrib_kind_valid"),
            models.CheckConstraint(
                condition=Q(state__in=EntryState.values), name="contrib_state_valid"
            ),
            # Hours: a person and a number of hours (negative only in a reversal).
            models.CheckConstraint(
                condition=~Q(kind="hours")
                | Q(person__isnull=False, hours__isnull=False, support_item__isnull=True),
                name="contrib_hours_shape",
            ),
            models.CheckConstraint(
                condition=~Q(kind="goods")
                | Q(person__isnull=False, hours__isnull=True, support_item__isnull=True)
                & (Q(quantity__isnull=False) | Q(value__isnull=False)),
                name="contrib_goods_shape",
            ),
            models.CheckConstraint(
                condition=~Q(kind="support")
                | Q(person__isnull=True, hours__isnull=True, support_item__isnull=False),
                name="contrib_support_shape",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=False)
                | (
                    (Q(hours__isnull=True) | Q(hours__gt=0))
                    & (Q(quantity__isnull=True) | Q(quantity__gt=0))
                    & (Q(value__isnull=True) | Q(value__gte=0))
                ),
                name="contrib_amounts_positive",
            ),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(rejection_reason=""),
                name="contrib_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(state="pending", decided_at__isnull=True)
                | (~Q(state="pending") & Q(decided_at__isnull=False)),
                name="contrib_decision_consistent",
            ),
        ]
        indexes = [models.Index(fields=["accord", "state", "on"], name="contrib_accord_state_on")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.on} · {self.description[:40]}"

    def save(self, *args, **kwargs):
        loaded = getattr(self, "_loaded_state", None)
        if not self._state.adding and loaded is not None and loaded != E.PENDING:
            fields = kwargs.get("update_fields")
            if fields is None or set(fields) - MUTABLE_AFTER_DECISION:
                raise ImmutableEntryError(
                    "A confirmed or rejected entry cannot change; log a correcting entry."
                )
        super().save(*args, **kwargs)
        self._loaded_state = self.state

    def get_absolute_url(self):
        return reverse("contributions:entry-detail", args=[self.accord_id, self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_state = getattr(instance, "state", None)
        return instance

    @property
    def is_city_side(self) -> bool:
        return self.kind in CITY_KINDS

    @property
    def is_pending(self) -> bool:
        return self.state == E.PENDING

    @property
    def is_confirmed(self) -> bool:
        return self.state == E.CONFIRMED

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class Activity(models.Model):
    """Something volunteers can come and do for an accord, with its shifts."""

    accord = models.ForeignKey(
        "accords.Accord", on_delete=models.PROTECT, related_name="volunteer_activities"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5_000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")

    def __str__(self):
        return self.title


class Shift(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="shifts")
    date = models.DateField(_("date"), db_index=True)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("to"))
    place = models.CharField(_("place"), max_length=300)
    slots = models.PositiveSmallIntegerField(_("places for volunteers"))
    bring = models.CharField(_("what to bring"), max_length=500, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "start_time", "id"]
        verbose_name = _("volunteer shift")
        verbose_name_plural = _("volunteer shifts")
        constraints = [
            models.CheckConstraint(condition=Q(slots__gte=1), name="shift_has_slots"),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="shift_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.activity.title} · {self.date} {self.start_time:%H:%M}"

    def get_absolute_url(self):
        return reverse("contributions:shift-detail", args=[self.pk])

    @property
    def accord(self):
        return self.activity.accord

    @property
    def starts_at(self):
        return timezone.make_aware(
            timezone.datetime.combine(self.date, self.start_time),
            timezone.get_current_timezone(),
        )

    @property
    def ends_at(self):
        return timezone.make_aware(
            timezone.datetime.combine(self.date, self.end_time),
            timezone.get_current_timezone(),
        )

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()


class SignupState(models.TextChoices):
    SIGNED_UP = "signed_up", _("Signed up")
    CHECKED_IN = "checked_in", _("Checked in")
    CHECKED_OUT = "checked_out", _("Checked out")
    CANCELLED = "cancelled", _("Cancelled")


SU = SignupState
# Sign-ups that take a place on the shift.
HOLDING = frozenset({SU.SIGNED_UP, SU.CHECKED_IN, SU.CHECKED_OUT})


def new_code() -> str:
    """What the volunteer shows at the shift: 8 characters, no look-alikes."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Signup(models.Model):
    State = SignupState

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shift_signups"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=SignupState.choices, default=SU.SIGNED_UP
    )
    code = models.CharField(_("check-in code"), max_length=12, unique=True, default=new_code)
    show_name_publicly = models.BooleanField(_("show my name publicly"), default=False)
    signed_up_at = models.DateTimeField(default=timezone.now)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)

    machine = StateMachine(
        Transition("cancel", _("cancel the sign-up"), {SU.SIGNED_UP}, SU.CANCELLED, "cancel"),
        Transition("check_in", _("check in"), {SU.SIGNED_UP}, SU.CHECKED_IN, "check_in"),
        Transition("check_out", _("check out"), {SU.CHECKED_IN}, SU.CHECKED_OUT, "check_out"),
        audit_prefix="contribution.signup",
        tones={SU.CHECKED_IN: "warn", SU.CHECKED_OUT: "ok", SU.CANCELLED: "err"},
    )

    class Meta:
        ordering = ["signed_up_at", "id"]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "user"],
                condition=~Q(state="cancelled"),
                name="signup_once_per_shift",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["signed_up", "cancelled"]) | Q(checked_in_at__isnull=False),
                name="signup_checked_in_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state="checked_out") | Q(checked_out_at__gte=F("checked_in_at")),
                name="signup_out_after_in",
            ),
        ]

    def __str__(self):
        return f"{self.shift} · {self.code}"

    def get_absolute_url(self):
        return reverse("contributions:signup-detail", args=[self.pk])
