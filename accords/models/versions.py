"""Versions of an accord's text, support items, comments, agreements and signatures.

A version's content never changes once saved: a new save is a new version. Only its status
(and, once locked, the fingerprint) moves. `accords.fingerprint` defines exactly which bytes
are hashed.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accords.models.accords import Accord, AccordParty, Side
from core.fsm import StateMachine, Transition

TEXT_LIMIT = 20_000


class ImmutableError(Exception):
    """Raised when code tries to change saved content; a new version is the way."""


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AGREED = "agreed", _("Agreed, awaiting signatures")
    SIGNED = "signed", _("Signed, in force")
    REPLACED = "replaced", _("Signed, replaced by a later version")
    WITHDRAWN = "withdrawn", _("Agreement withdrawn")


SIGNED_STATUSES = (VersionStatus.SIGNED, VersionStatus.REPLACED)


class VersionKind(models.TextChoices):
    ORIGINAL = "original", _("Original text")
    AMENDMENT = "amendment", _("Amendment")
    EXTENSION = "extension", _("Extension")
    RENEWAL = "renewal", _("Renewal")


# The text sections of an accord, in the order they are shown, compared and printed.
CONTENT_TEXT_FIELDS = [
    "title",
    "objectives",
    "actions",
    "city_commitments",
    "civic_commitments",
    "collective_use_rules",
    "monitoring_plan",
    "insurance",
    "suspension_causes",
    "termination_causes",
    "end_arrangements",
    "dispute_clause",
]
CONTENT_FIELDS = [*CONTENT_TEXT_FIELDS, "start_date", "end_date", "parties", "place"]
VERSION_MUTABLE_FIELDS = {"status", "fingerprint", "locked_at", "signed_at"}


class VersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        touched = set(kwargs) & set(CONTENT_FIELDS)
        if touched:
            raise ImmutableError(f"Saved versions cannot change: {sorted(touched)}")
        return super().update(**kwargs)


class AccordVersion(models.Model):
    Status = VersionStatus
    Kind = VersionKind

    accord = models.ForeignKey(Accord, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(
        _("kind"), max_length=20, choices=VersionKind.choices, default=VersionKind.ORIGINAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Content (part of the fingerprint).
    title = models.CharField(_("title"), max_length=200)
    objectives = models.TextField(_("objectives"), max_length=TEXT_LIMIT)
    actions = models.TextField(_("actions"), max_length=TEXT_LIMIT)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    city_commitments = models.TextField(_("the city's commitments"), max_length=TEXT_LIMIT)
    civic_commitments = models.TextField(_("the civic actors' commitments"), max_length=TEXT_LIMIT)
    collective_use_rules = models.TextField(
        _("rules for collective use"), max_length=TEXT_LIMIT, blank=True
    )
    monitoring_plan = models.TextField(_("monitoring plan"), max_length=TEXT_LIMIT)
    insurance = models.TextField(_("insurance"), max_length=TEXT_LIMIT, blank=True)
    suspension_causes = models.TextField(_("causes of suspension"), max_length=TEXT_LIMIT)
    termination_causes = models.TextField(_("causes of termination"), max_length=TEXT_LIMIT)
    end_arrangements = models.TextField(_("arrangements at the end"), max_length=TEXT_LIMIT)
    dispute_clause = models.TextField(_("dispute resolution"), max_length=TEXT_LIMIT)
    # The parties and the place as they stood when this version was written.
    parties = models.JSONField(_("parties"), default=list)
    place = models.JSONField(_("place"), default=dict)

    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_side = models.CharField(_("written by"), max_length=10, choices=Side.choices)
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, blank=True)
    locked_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    objects = VersionQuerySet.as_manager()

    machine = StateMachine(
        Transition(
            "lock", _("lock as agreed"), {VersionStatus.DRAFT}, VersionStatus.AGREED, "agree"
        ),
        Transition(
            "withdraw",
            _("withdraw the agreement"),
            {VersionStatus.AGREED},
            VersionStatus.WITHDRAWN,
            "withdraw",
        ),
        # The last signature brings it into force; a later one replaces it.
        Transition("sign", _("sign"), {VersionStatus.AGREED}, VersionStatus.SIGNED),
        Transition("replace", _("replace"), {VersionStatus.SIGNED}, VersionStatus.REPLACED),
        field="status",
        audit_prefix="accord.version",
        tones={VersionStatus.AGREED: "warn", VersionStatus.SIGNED: "ok"},
    )

    class Meta:
        ordering = ["accord", "number"]
        verbose_name = _("accord version")
        verbose_name_plural = _("accord versions")
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["accord", "number"], name="accord_version_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="accord_version_number_pos"),
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")), name="accord_version_dates_order"
            ),
            models.CheckConstraint(
                condition=Q(status__in=VersionStatus.values), name="accord_version_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(locked_at__isnull=False) & ~Q(fingerprint="")),
                name="accord_version_locked_has_fingerprint",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["signed", "replaced"]) | Q(signed_at__isnull=False),
                name="accord_version_signed_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.accord.reference} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= VERSION_MUTABLE_FIELDS:
                raise ImmutableError("A saved version cannot change; save a new version.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("accords:version-detail", args=[self.accord_id, self.number])

    def pdf_url(self):
        return reverse("accords:version-pdf", args=[self.accord_id, self.number])

    @property
    def is_locked(self) -> bool:
        return self.status != VersionStatus.DRAFT

    @property
    def is_signed(self) -> bool:
        return self.status in SIGNED_STATUSES


class SupportKind(models.TextChoices):
    """What the city may give. Cash grants are deliberately not a kind."""

    SPACE_USE = "space_use", _("Use of space")
    UTILITIES = "utilities", _("Utilities")
    MATERIALS_ON_LOAN = "materials_on_loan", _("Materials and tools on loan")
    PROTECTIVE_EQUIPMENT = "protective_equipment", _("Protective equipment")
    FEE_EXEMPTION = "fee_exemption", _("Fee or tax exemption")
    STAFF_SUPPORT = "staff_support", _("Staff support")
    TRAINING = "training", _("Training")
    COMMUNICATION = "communication", _("Communication")
    REIMBURSEMENT = "reimbursement", _("Reimbursement of documented costs (capped)")


# Support that comes back to the city at the end.
RETURNABLE_KINDS = frozenset({SupportKind.SPACE_USE, SupportKind.MATERIALS_ON_LOAN})


class SupportStatus(models.TextChoices):
    GRANTED = "granted", _("Granted")
    DELIVERED = "delivered", _("Delivered")
    RETURNED = "returned", _("Returned")


SUPPORT_CONTENT_FIELDS = {"key", "position", "kind", "description", "quantity", "unit", "value"}


class SupportItemQuerySet(models.QuerySet):
    def update(self, **kwargs):
        touched = set(kwargs) & SUPPORT_CONTENT_FIELDS
        if touched:
            raise ImmutableError(f"Saved support items cannot change: {sorted(touched)}")
        return super().update(**kwargs)


class SupportItem(models.Model):
    """One typed item of the city's support, as written in one version.

    `key` stays the same across versions, so tracking (status and dates, which are not part
    of the signed text) carries over when an amendment comes into force.
    """

    Kind = SupportKind
    Status = SupportStatus

    version = models.ForeignKey(
        AccordVersion, on_delete=models.CASCADE, related_name="support_items"
    )
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("type of support"), max_length=30, choices=SupportKind.choices)
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    value = models.DecimalField(
        _("value (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Estimated value; for reimbursements, the maximum amount."),
    )
    # Tracking after signing (not part of the signed text).
    status = models.CharField(
        _("status"), max_length=20, choices=SupportStatus.choices, default=SupportStatus.GRANTED
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    status_note = models.CharField(_("note"), max_length=300, blank=True)

    objects = SupportItemQuerySet.as_manager()

    machine = StateMachine(
        Transition(
            "deliver",
            _("mark delivered"),
            {SupportStatus.GRANTED},
            SupportStatus.DELIVERED,
            "track_support",
        ),
        Transition(
            "return",
            _("mark returned"),
            {SupportStatus.DELIVERED},
            SupportStatus.RETURNED,
            "track_support",
            guard=lambda item: (
                ""
                if item.returnable
                else _("“%(item)s” is not something that is returned.") % {"item": item.description}
            ),
        ),
        field="status",
        audit_prefix="accord.support",
        tones={SupportStatus.DELIVERED: "ok"},
    )

    class Meta:
        ordering = ["version", "position", "id"]
        verbose_name = _("support item")
        verbose_name_plural = _("support items")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="support_item_key_once"),
            models.CheckConstraint(
                condition=Q(kind__in=SupportKind.values), name="support_item_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gt=0),
                name="support_item_quantity_positive",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="support_item_value_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=False) | Q(value__isnull=False),
                name="support_item_quantity_or_value",
            ),
            models.CheckConstraint(
                condition=~Q(kind="reimbursement") | Q(value__gt=0),
                name="support_item_reimbursement_capped",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned")
                | Q(kind__in=sorted(RETURNABLE_KINDS), returned_on__isnull=False),
                name="support_item_returned_if_returnable",
            ),
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True)
                | Q(delivered_on__isnull=True)
                | Q(returned_on__gte=F("delivered_on")),
                name="support_item_return_after_delivery",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.description}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or set(fields) & SUPPORT_CONTENT_FIELDS:
                raise ImmutableError("A saved support item cannot change; save a new version.")
        super().save(*args, **kwargs)

    @property
    def returnable(self) -> bool:
        return self.kind in RETURNABLE_KINDS


class VersionComment(models.Model):
    version = models.ForeignKey(AccordVersion, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    body = models.TextField(_("comment"), max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment on a version")
        verbose_name_plural = _("comments on versions")

    def __str__(self):
        return f"{self.author}: {self.body[:40]}"


class VersionApproval(models.Model):
    """One side's agreement to a version as final. The first one is the proposal."""

    version = models.ForeignKey(AccordVersion, on_delete=models.CASCADE, related_name="approvals")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("agreement to a version")
        verbose_name_plural = _("agreements to versions")
        constraints = [
            models.UniqueConstraint(fields=["version", "side"], name="version_approval_once"),
        ]

    def __str__(self):
        return f"{self.version} {self.side}"


class Signature(models.Model):
    class Method(models.TextChoices):
        PASSWORD = "password", _("Password")
        TOTP = "totp", _("Authenticator code")

    version = models.ForeignKey(AccordVersion, on_delete=models.PROTECT, related_name="signatures")
    party = models.ForeignKey(AccordParty, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="accord_signatures"
    )
    signer_name = models.CharField(_("signed by"), max_length=200)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    fingerprint = models.CharField(_("fingerprint signed"), max_length=64)
    method = models.CharField(_("confirmed with"), max_length=20, choices=Method.choices)

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(fields=["version", "party"], name="signature_once_per_party"),
            models.CheckConstraint(condition=~Q(fingerprint=""), name="signature_has_fingerprint"),
        ]

    def __str__(self):
        return f"{self.signer_name} · {self.version}"
