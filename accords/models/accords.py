"""Accords (Bologna's *patti di collaborazione*), their parties and the app's configuration."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from core.fsm import StateMachine, Transition


class AccordState(models.TextChoices):
    DRAFTING = "drafting", _("Co-design")
    AWAITING_SIGNATURES = "awaiting_signatures", _("Awaiting signatures")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")
    EXPIRED = "expired", _("Expired")
    ARCHIVED = "archived", _("Archived")
    CANCELLED = "cancelled", _("Cancelled")


A = AccordState
# States in which the accord binds the parties (its signed version is in force).
IN_FORCE_STATES = frozenset({A.ACTIVE, A.SUSPENDED})


class Side(models.TextChoices):
    """The two sides of every accord: the city and the civic actors."""

    CITY = "city", _("City")
    CIVIC = "civic", _("Civic actors")


class AccordConfig(models.Model):
    """Settings of the accords procedure an administrator may change (one row)."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    settlement_days = models.PositiveSmallIntegerField(
        _("days to propose a settlement"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Time the conciliation committee has to propose a settlement of a dispute."),
    )
    expiry_notice_days = models.PositiveSmallIntegerField(
        _("days of notice before expiry"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_("The parties are reminded this many days before an accord ends (0: never)."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("accords configuration")
        verbose_name_plural = _("accords configuration")
        constraints = [
            models.CheckConstraint(condition=Q(singleton=True), name="accord_config_singleton"),
            models.CheckConstraint(
                condition=Q(settlement_days__gte=1, settlement_days__lte=365),
                name="accord_config_settlement_days_range",
            ),
        ]

    def __str__(self):
        return str(_("Accords configuration"))

    @classmethod
    def get_solo(cls) -> "AccordConfig":
        config = cls.objects.filter(singleton=True).first()
        if config is None:
            with transaction.atomic():
                config, _created = cls.objects.get_or_create(singleton=True)
        return config


class Accord(index.Indexed, models.Model):
    State = AccordState

    reference = models.CharField(_("reference"), max_length=24, unique=True, null=True)
    title = models.CharField(_("title"), max_length=200)
    claim = models.ForeignKey(
        "proposals.Claim",
        verbose_name=_("claim"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accords",
    )
    resource = models.ForeignKey(
        "proposals.UrbanResource",
        verbose_name=_("resource"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accords",
    )
    # The claim's track decides the maximum duration (read from the procedure configuration).
    track = models.CharField(_("track"), max_length=20)
    department = models.ForeignKey(
        "citizens.Department",
        verbose_name=_("city department"),
        on_delete=models.PROTECT,
        related_name="accords",
    )
    # Copied from the resource (or the claim's new location) so the registry filters and maps
    # without joining the claims app, and keeps showing what was agreed if the resource changes.
    place_name = models.CharField(_("place"), max_length=300)
    address = models.CharField(_("address"), max_length=300, blank=True)
    district = models.CharField(_("district"), max_length=100, db_index=True)
    kind = models.CharField(_("kind of resource"), max_length=30, db_index=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    civic_label = models.CharField(_("civic parties"), max_length=500, blank=True)

    state = models.CharField(
        _("state"),
        max_length=30,
        choices=AccordState.choices,
        default=AccordState.DRAFTING,
        db_index=True,
    )
    state_changed_at = models.DateTimeField(_("state changed at"), default=timezone.now)
    # The signed version in force, and its dates (empty until the first signing).
    current_version = models.ForeignKey(
        "accords.AccordVersion",
        verbose_name=_("version in force"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    start_date = models.DateField(_("start date"), null=True, blank=True, db_index=True)
    end_date = models.DateField(_("end date"), null=True, blank=True, db_index=True)
    signed_at = models.DateTimeField(_("first signed at"), null=True, blank=True)
    suspension_reason = models.TextField(_("reason for the suspension"), blank=True)
    termination_reason = models.TextField(_("reasons for the termination"), blank=True)
    terminated_by_side = models.CharField(
        _("terminated by"), max_length=10, choices=Side.choices, blank=True
    )
    cancellation_reason = models.TextField(_("reason for the cancellation"), blank=True)
    expiry_notified_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Amendments (extensions and renewals too) do not change the accord's state: an active
    # accord stays in force under its signed version while the next one is drafted, agreed
    # and signed. Each transition names the policy action that guards it (`accords.rules`);
    # None: only the system fires it (the last signature, the end date).
    machine = StateMachine(
        Transition(
            "agree", _("agree on the final text"), {A.DRAFTING}, A.AWAITING_SIGNATURES, "agree"
        ),
        Transition(
            "reopen", _("reopen the co-design"), {A.AWAITING_SIGNATURES}, A.DRAFTING, "reopen"
        ),
        Transition("activate", _("bring into force"), {A.AWAITING_SIGNATURES}, A.ACTIVE),
        Transition("suspend", _("suspend"), {A.ACTIVE}, A.SUSPENDED, "suspend"),
        Transition("resume", _("resume"), {A.SUSPENDED}, A.ACTIVE, "resume"),
        Transition("terminate", _("terminate"), IN_FORCE_STATES, A.TERMINATED, "terminate"),
        Transition("expire", _("expire"), IN_FORCE_STATES, A.EXPIRED),
        Transition("archive", _("archive"), {A.TERMINATED, A.EXPIRED}, A.ARCHIVED, "archive"),
        Transition(
            "cancel", _("cancel"), {A.DRAFTING, A.AWAITING_SIGNATURES}, A.CANCELLED, "cancel"
        ),
        audit_prefix="accord",
        tones={
            A.DRAFTING: "warn",
            A.AWAITING_SIGNATURES: "warn",
            A.ACTIVE: "ok",
            A.SUSPENDED: "err",
            A.TERMINATED: "err",
        },
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("accord")
        verbose_name_plural = _("accords")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=AccordState.values), name="accord_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True, end_date__isnull=True)
                | Q(
                    start_date__isnull=False,
                    end_date__isnull=False,
                    end_date__gt=models.F("start_date"),
                ),
                name="accord_dates_order",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="accord_lat_lon_together",
            ),
            models.CheckConstraint(
                condition=~Q(state="terminated") | ~Q(termination_reason=""),
                name="accord_termination_has_reasons",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["drafting", "awaiting_signatures", "cancelled"])
                | Q(current_version__isnull=False, start_date__isnull=False),
                name="accord_signed_states_have_version",
            ),
            # One live accord per claim; a cancelled draft leaves room for a new one.
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(claim__isnull=False) & ~Q(state="cancelled"),
                name="accord_one_live_per_claim",
            ),
        ]

    def __str__(self):
        return f"{self.reference or '…'} {self.title}"

    # Site search: the registry's text and the signed version in force (never a draft version).
    search_fields = [
        index.SearchField("title", boost=2),
        index.AutocompleteField("title"),
        index.SearchField("place_name"),
        index.SearchField("civic_label"),
        index.SearchField("text_in_force"),
        index.FilterField("id"),
    ]

    def get_absolute_url(self):
        return reverse("accords:accord-detail", args=[self.pk])

    def text_in_force(self) -> str:
        version = self.current_version
        return f"{version.objectives}\n{version.actions}" if version else ""

    def workspace_url(self):
        return reverse("accords:accord-workspace", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.state != AccordState.CANCELLED

    @property
    def is_in_force(self) -> bool:
        return self.state in IN_FORCE_STATES

    # What the pages ask instead of comparing state strings.
    @property
    def is_drafting(self) -> bool:
        return self.state == AccordState.DRAFTING

    @property
    def is_active(self) -> bool:
        return self.state == AccordState.ACTIVE

    @property
    def is_suspended(self) -> bool:
        return self.state == AccordState.SUSPENDED

    @property
    def is_terminated(self) -> bool:
        return self.state == AccordState.TERMINATED

    @property
    def is_cancelled(self) -> bool:
        return self.state == AccordState.CANCELLED

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class AccordParty(models.Model):
    """Who the accord binds: the city (through a department) and each civic actor."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("City department")
        GROUP = "group", _("Group or association")
        RESIDENT = "resident", _("Resident")

    accord = models.ForeignKey(Accord, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    department = models.ForeignKey(
        "citizens.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        "citizens.CivicGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accord_parties",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accord_parties",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    side="city",
                    kind="department",
                    department__isnull=False,
                    group__isnull=True,
                    user__isnull=True,
                )
                | Q(
                    side="civic",
                    kind="group",
                    group__isnull=False,
                    department__isnull=True,
                    user__isnull=True,
                )
                | Q(
                    side="civic",
                    kind="resident",
                    user__isnull=False,
                    department__isnull=True,
                    group__isnull=True,
                ),
                name="accord_party_kind_matches",
            ),
            models.UniqueConstraint(
                fields=["accord"], condition=Q(side="city"), name="accord_one_city_party"
            ),
            models.UniqueConstraint(
                fields=["accord", "group"],
                condition=Q(group__isnull=False),
                name="accord_party_group_once",
            ),
            models.UniqueConstraint(
                fields=["accord", "user"],
                condition=Q(user__isnull=False),
                name="accord_party_user_once",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        if self.kind == self.Kind.DEPARTMENT:
            return str(self.department)
        if self.kind == self.Kind.GROUP:
            return str(self.group)
        # Never the email address: party names are public.
        return self.user.display_name or gettext("Resident no. %(id)s") % {"id": self.user_id}

    def signer_ids(self) -> set[int]:
        """Who may sign for this civic party: the resident, or the group's representatives.

        The city party is signed by any officer with signing authority (see `rules`)."""
        if self.kind == self.Kind.RESIDENT:
            return {self.user_id} if self.user.is_active else set()
        if self.kind == self.Kind.GROUP:
            return {
                m.user_id
                for m in self.group.memberships.all()
                if m.is_representative and m.user.is_active
            }
        return set()
