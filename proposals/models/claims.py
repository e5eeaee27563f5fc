"""Claims: a proposal by residents or a group to take care of an urban resource."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from core.fsm import StateMachine, Transition
from proposals.models.procedure import Track


class ClaimState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SCREENING = "screening", _("Admissibility check")
    AWAITING_DOCUMENTS = "awaiting_documents", _("Awaiting documents")
    CONSULTATION = "consultation", _("Public consultation")
    TECHNICAL_REVIEW = "technical_review", _("Technical review")
    EXECUTIVE_DELIBERATION = "executive_deliberation", _("Executive deliberation")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = ClaimState
# The city is handling these (the office queue, deadlines); proposers may withdraw from them.
OPEN_STATES = frozenset(
    {
        S.SUBMITTED,
        S.SCREENING,
        S.AWAITING_DOCUMENTS,
        S.CONSULTATION,
        S.TECHNICAL_REVIEW,
        S.EXECUTIVE_DELIBERATION,
    }
)
DECIDED_STATES = frozenset({S.APPROVED, S.REJECTED})
FINAL_STATES = DECIDED_STATES | {S.WITHDRAWN}
PUBLIC_STATES = frozenset(set(S) - {S.DRAFT})
EDITABLE_STATES = frozenset({S.DRAFT, S.AWAITING_DOCUMENTS})
# Departments may be asked for an opinion while residents are still being consulted.
REVIEWABLE_STATES = frozenset({S.CONSULTATION, S.TECHNICAL_REVIEW})
# A resource is "claimed" while a claim on it is open or approved (waiting for its accord).
CLAIMING_STATES = OPEN_STATES | {S.APPROVED}


def _complex_only(claim) -> str:
    if claim.track != Track.COMPLEX:
        return str(_("Only complex claims go to an executive deliberation."))
    return ""


def _ordinary_only(claim) -> str:
    if claim.track != Track.ORDINARY:
        return str(_("A complex claim is approved only after the executive deliberation."))
    return ""


class Claim(index.Indexed, models.Model):
    State = ClaimState
    Track = Track

    class Intensity(models.TextChoices):
        OCCASIONAL_CARE = "occasional_care", _("Occasional care")
        CONTINUOUS_CARE = "continuous_care", _("Continuous care")
        SHARED_MANAGEMENT = "shared_management", _("Shared management")
        REGENERATION = "regeneration", _("Regeneration")

    class Field(models.TextChoices):
        PUBLIC_SPACE = "public_space", _("Public space")
        BUILDING = "building", _("Building")
        SOCIAL_INNOVATION = "social_innovation", _("Social innovation")
        URBAN_CREATIVITY = "urban_creativity", _("Urban creativity")
        DIGITAL = "digital", _("Digital")

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=600)
    motivation = models.TextField(_("motivation"))
    objectives = models.TextField(_("objectives"))
    activities = models.TextField(_("planned activities"))
    schedule = models.TextField(_("schedule"))
    intensity = models.CharField(_("intensity"), max_length=30, choices=Intensity.choices)
    field = models.CharField(_("field"), max_length=30, choices=Field.choices)
    resources_offered = models.TextField(_("resources the proposers bring"))
    support_requested = models.TextField(_("support asked of the city"), blank=True)
    requested_duration_months = models.PositiveSmallIntegerField(
        _("requested duration (months)"),
        validators=[MinValueValidator(1), MaxValueValidator(1200)],
    )
    track = models.CharField(
        _("track"), max_length=20, choices=Track.choices, default=Track.ORDINARY
    )

    resource = models.ForeignKey(
        "proposals.UrbanResource",
        verbose_name=_("resource"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    location_address = models.CharField(
        _("address of the new location"), max_length=300, blank=True
    )
    location_latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    location_longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    # The resource's district, or the new location's; kept here so lists filter on one column.
    district = models.CharField(_("district"), max_length=100, db_index=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="claims_created",
    )
    group = models.ForeignKey(
        "citizens.CivicGroup",
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )

    state = models.CharField(
        _("state"),
        max_length=30,
        choices=ClaimState.choices,
        default=ClaimState.DRAFT,
        db_index=True,
    )
    due_at = models.DateTimeField(_("current step due"), null=True, blank=True, db_index=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("screening officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claims_handled",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, db_index=True)
    consultation_starts_at = models.DateTimeField(null=True, blank=True)
    consultation_ends_at = models.DateTimeField(
        _("consultation ends"), null=True, blank=True, db_index=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_reasons = models.TextField(_("reasons of the decision"), blank=True)
    # Required when a civic body gave a formal opinion on the claim (`proposals.opinions`).
    opinion_answer = models.TextField(_("answer to the formal opinions"), blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawing"), blank=True)
    supports_count = models.PositiveIntegerField(_("supports"), default=0)
    competing = models.ManyToManyField(
        "self", symmetrical=True, blank=True, verbose_name=_("competing claims")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The lifecycle, in one table. `core.fsm.fire(claim, name, actor=...)` is the only way a
    # claim changes state; `action` is the permission in `proposals.rules.ClaimPolicy`.
    machine = StateMachine(
        Transition("submit", _("submit"), {S.DRAFT}, S.SUBMITTED, action="submit"),
        Transition(
            "screening_start",
            _("start the admissibility check"),
            {S.SUBMITTED},
            S.SCREENING,
            action="start_screening",
        ),
        Transition(
            "request_documents",
            _("ask for documents"),
            {S.SCREENING},
            S.AWAITING_DOCUMENTS,
            action="screen",
        ),
        Transition(
            "provide_documents",
            _("provide documents"),
            {S.AWAITING_DOCUMENTS},
            S.SCREENING,
            action="provide_documents",
        ),
        Transition(
            "admit", _("declare admissible"), {S.SCREENING}, S.CONSULTATION, action="screen"
        ),
        Transition(
            "declare_inadmissible",
            _("declare inadmissible"),
            {S.SCREENING},
            S.REJECTED,
            action="screen",
        ),
        # Only the deadline runner closes a consultation, once its time is up.
        Transition(
            "close_consultation",
            _("close the consultation"),
            {S.CONSULTATION},
            S.TECHNICAL_REVIEW,
        ),
        Transition(
            "refer_to_executive",
            _("refer to the executive"),
            {S.TECHNICAL_REVIEW},
            S.EXECUTIVE_DELIBERATION,
            action="refer_to_executive",
            guard=_complex_only,
            guard_q=Q(track=Track.COMPLEX),
        ),
        Transition(
            "approve",
            _("approve"),
            {S.TECHNICAL_REVIEW},
            S.APPROVED,
            action="approve",
            guard=_ordinary_only,
            guard_q=Q(track=Track.ORDINARY),
        ),
        Transition(
            "approve_after_deliberation",
            _("approve"),
            {S.EXECUTIVE_DELIBERATION},
            S.APPROVED,
            action="approve",
        ),
        Transition(
            "reject",
            _("reject"),
            {S.TECHNICAL_REVIEW, S.EXECUTIVE_DELIBERATION},
            S.REJECTED,
            action="reject",
        ),
        Transition("withdraw", _("withdraw"), OPEN_STATES, S.WITHDRAWN, action="withdraw"),
        tones={
            S.APPROVED: "ok",
            S.REJECTED: "err",
            S.AWAITING_DOCUMENTS: "warn",
            S.CONSULTATION: "info",
        },
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        indexes = [models.Index(fields=["state", "due_at"], name="claim_state_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_duration_months__gte=1)
                & Q(requested_duration_months__lte=1200),
                name="claim_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(resource__isnull=False) | ~Q(location_address=""),
                name="claim_resource_or_location",
            ),
            models.CheckConstraint(
                condition=Q(location_latitude__isnull=True, location_longitude__isnull=True)
                | Q(location_latitude__isnull=False, location_longitude__isnull=False),
                name="claim_lat_lon_together",
            ),
            models.CheckConstraint(
                condition=Q(state__in=ClaimState.values), name="claim_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "rejected"]) | ~Q(decision_reasons=""),
                name="claim_decision_has_reasons",
            ),
        ]

    def __str__(self):
        return self.title

    # Site search (search/registry.py): the public text of a claim; who sees it is the policy's.
    search_fields = [
        index.SearchField("title", boost=2),
        index.AutocompleteField("title"),
        index.SearchField("summary"),
        index.SearchField("motivation"),
        index.SearchField("objectives"),
        index.SearchField("activities"),
        index.FilterField("id"),
    ]

    def get_absolute_url(self):
        return reverse("proposals:claim-detail", args=[self.pk])

    @property
    def reference(self) -> str:
        """A human reference for letters and phone calls, e.g. PC-2026-00042."""
        year = (self.submitted_at or self.created_at).year
        return f"PC-{year}-{self.pk:05d}"

    @property
    def place_name(self) -> str:
        return self.resource.name if self.resource_id else self.location_address

    @property
    def is_overdue(self) -> bool:
        return self.due_at is not None and self.due_at <= timezone.now()

    # What templates and services ask instead of comparing state strings.

    @property
    def is_draft(self) -> bool:
        return self.state == S.DRAFT

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES

    @property
    def is_open(self) -> bool:
        """Submitted and not yet decided or withdrawn: the city is handling it."""
        return self.state in OPEN_STATES

    @property
    def is_decided(self) -> bool:
        return self.state in DECIDED_STATES

    @property
    def is_approved(self) -> bool:
        return self.state == S.APPROVED

    @property
    def is_withdrawn(self) -> bool:
        return self.state == S.WITHDRAWN

    @property
    def is_awaiting_documents(self) -> bool:
        return self.state == S.AWAITING_DOCUMENTS

    @property
    def is_under_review(self) -> bool:
        """Departments may be asked for an opinion; the decision is near."""
        return self.state in REVIEWABLE_STATES

    @property
    def is_deciding(self) -> bool:
        """Technical review or executive deliberation: a decision may be taken."""
        return self.state in (S.TECHNICAL_REVIEW, S.EXECUTIVE_DELIBERATION)

    def approve_transition(self) -> str:
        """Which approval the machine takes from here (complex claims: after the executive)."""
        return "approve_after_deliberation" if self.state == S.EXECUTIVE_DELIBERATION else "approve"

    @property
    def consultation_is_open(self) -> bool:
        return (
            self.state == ClaimState.CONSULTATION
            and self.consultation_ends_at is not None
            and timezone.now() < self.consultation_ends_at
        )

    @cached_property
    def proposer_ids(self) -> frozenset[int]:
        """Who speaks for the claim: author, accepted co-authors, the group's representatives."""
        ids = {self.created_by_id} if self.created_by_id else set()
        ids |= set(
            self.coauthors.filter(state=ClaimCoauthor.State.ACCEPTED).values_list(
                "user_id", flat=True
            )
        )
        if self.group_id:
            ids |= set(
                self.group.memberships.filter(is_representative=True).values_list(
                    "user_id", flat=True
                )
            )
        return frozenset(ids)

    def proposers(self):
        from citizens.models import User

        return User.objects.filter(pk__in=self.proposer_ids, is_active=True)

    def proposer_label(self) -> str:
        """How the proposers appear in public: the group's name, or the authors' names."""
        if self.group_id:
            return self.group.name
        names = [u.display_name for u in self.public_authors() if u.display_name]
        return ", ".join(names) if names else str(_("A resident"))

    def public_authors(self):
        authors = [self.created_by] if self.created_by_id else []
        authors += [c.user for c in self.coauthors.all() if c.state == ClaimCoauthor.State.ACCEPTED]
        return authors


class ClaimCoauthor(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="coauthors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claim_coauthorships"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    # Fired by core.fsm.fire; the audit entries go on the claim ("claim.coauthor_accepted").
    machine = StateMachine(
        Transition(
            "accept", _("accept the invitation"), {State.PENDING}, State.ACCEPTED, action="answer"
        ),
        Transition(
            "decline", _("decline the invitation"), {State.PENDING}, State.DECLINED, action="answer"
        ),
        Transition(
            "reinvite", _("invite again"), {State.DECLINED}, State.PENDING, action="reinvite"
        ),
        tones={State.ACCEPTED: "ok", State.DECLINED: "warn"},
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("co-author")
        verbose_name_plural = _("co-authors")
        constraints = [
            models.UniqueConstraint(fields=["claim", "user"], name="coauthor_unique"),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_state_display()})"


class PrivateMediaStorage(FileSystemStorage):
    """Files that must go through a permission check: never under MEDIA_URL.

    Lives in PRIVATE_MEDIA_ROOT (default: MEDIA_ROOT + "-private"), so a web server that
    serves MEDIA_ROOT directly cannot leak a draft's attachments.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("base_url", None)
        super().__init__(**kwargs)

    @cached_property
    def base_location(self):
        return getattr(settings, "PRIVATE_MEDIA_ROOT", None) or f"{settings.MEDIA_ROOT}-private"

    def url(self, name):
        raise NotImplementedError("Private files are served by a view that checks permissions.")

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting in ("MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"):
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


private_storage = PrivateMediaStorage()


def attachment_path(instance, filename: str) -> str:
    """A random name: nothing the uploader typed reaches the file system."""
    suffix = Path(filename).suffix.lower()
    return f"claims/{instance.claim_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Document")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(_("size"))
    kind = models.CharField(max_length=20, choices=Kind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("proposals:attachment-download", args=[self.claim_id, self.pk])
