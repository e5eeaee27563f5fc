"""What an assembly's meetings leave behind: minutes in versions, decisions, and the formal
opinions an assembly gives the city on claims in consultation.

Attendance is not a model of its own: it is the meeting's registrations checked in at the
door or marked as attending online (`assemblies.Registration`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.fsm import StateMachine, Transition


class MinutesVersion(models.Model):
    """One version of a meeting's minutes. Versions are only added, never changed; the newest
    is the one published (the meeting's state says whether it is)."""

    meeting = models.ForeignKey(
        "assemblies.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="minutes_versions",
    )
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text of the minutes"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        ordering = ["meeting", "-number"]
        verbose_name = _("minutes version")
        verbose_name_plural = _("minutes versions")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="minutes_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="minutes_version_positive"),
            models.CheckConstraint(condition=~Q(text=""), name="minutes_version_has_text"),
        ]

    def __str__(self):
        return f"{self.meeting} — v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Minutes versions are never changed: write a new version.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("assembly_records:minutes-version", args=[self.meeting_id, self.number])


class Outcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Rejected")
    NO_QUORUM = "no_quorum", _("No quorum")
    BLOCKED = "blocked", _("Blocked by an objection")
    NOTED = "noted", _("Noted (no vote)")


class Decision(models.Model):
    """A decision taken in a meeting, listed in its minutes. A live motion's outcome can be
    recorded here (`motion_id`, the motion's id in `assemblies.motions`)."""

    Outcome = Outcome

    meeting = models.ForeignKey(
        "assemblies.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    agenda_item = models.ForeignKey(
        "assemblies.AgendaItem",
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    text = models.TextField(_("decision"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    motion_id = models.PositiveIntegerField(_("motion"), null=True, blank=True, unique=True)
    votes_summary = models.CharField(
        _("votes"),
        max_length=500,
        blank=True,
        help_text=_("For example: 14 yes, 3 no, 2 abstentions."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["meeting", "position", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="decision_outcome_valid"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="decision_has_text"),
        ]
        indexes = [models.Index(fields=["meeting", "position"], name="decision_meeting_pos")]

    def __str__(self):
        return self.text[:80]

    @property
    def is_adopted(self) -> bool:
        return self.outcome == Outcome.ADOPTED


class OpinionState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("opinion", "Draft")
    ADOPTED = "adopted", pgettext_lazy("opinion", "Adopted")
    WITHDRAWN = "withdrawn", pgettext_lazy("opinion", "Withdrawn")


class Opinion(models.Model):
    """A formal opinion of an assembly on a claim in public consultation. A coordinator
    drafts it; the assembly adopts it by a motion voted in one of its meetings (`motion`, and
    `decision`, the motion's entry in the minutes). Once adopted it shows on the claim's page
    and the city's decision must answer it (`proposals.opinions`)."""

    State = OpinionState

    assembly = models.ForeignKey(
        "assemblies.Assembly",
        verbose_name=_("assembly"),
        on_delete=models.CASCADE,
        related_name="opinions",
    )
    claim = models.ForeignKey(
        "proposals.Claim",
        verbose_name=_("claim"),
        on_delete=models.PROTECT,
        related_name="assembly_opinions",
    )
    text = models.TextField(_("text of the opinion"))
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=OpinionState.choices,
        default=OpinionState.DRAFT,
        db_index=True,
    )
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("adopted by the decision"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinions",
    )
    # The motion whose carried vote adopted it (an opinion is adopted only by a motion).
    motion = models.ForeignKey(
        "motions.Motion",
        verbose_name=_("adopted by the motion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    machine = StateMachine(
        Transition(
            "adopt", _("adopt the opinion"), {OpinionState.DRAFT}, OpinionState.ADOPTED, "adopt"
        ),
        Transition(
            "withdraw",
            _("withdraw the opinion"),
            {OpinionState.DRAFT, OpinionState.ADOPTED},
            OpinionState.WITHDRAWN,
            "withdraw",
        ),
        audit_prefix="assembly.opinion",
        tones={OpinionState.ADOPTED: "ok", OpinionState.WITHDRAWN: "err"},
    )

    class Meta:
        ordering = ["-adopted_at", "-created_at", "-id"]
        verbose_name = _("formal opinion")
        verbose_name_plural = _("formal opinions")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=OpinionState.values), name="opinion_state_valid"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="opinion_has_text"),
            models.CheckConstraint(
                condition=~Q(state="adopted") | Q(adopted_at__isnull=False),
                name="opinion_adopted_has_date",
            ),
            models.CheckConstraint(
                condition=Q(motion__isnull=True) | Q(adopted_at__isnull=False),
                name="opinion_motion_means_adopted",
            ),
            # One opinion in force per assembly and claim (a new one after a withdrawal).
            models.UniqueConstraint(
                fields=["assembly", "claim"],
                condition=Q(state__in=["draft", "adopted"]),
                name="opinion_one_live_per_assembly",
            ),
        ]

    def __str__(self):
        return f"{self.assembly} — {self.claim}"

    def get_absolute_url(self):
        return reverse("assembly_records:opinion-detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.state == OpinionState.DRAFT

    @property
    def is_adopted(self) -> bool:
        return self.state == OpinionState.ADOPTED

    # What `proposals.opinions` shows on the claim's page.
    @property
    def body_name(self) -> str:
        return self.assembly.name

    @property
    def body_url(self) -> str:
        return self.assembly.get_absolute_url()
