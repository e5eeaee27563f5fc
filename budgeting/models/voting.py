"""Who took part (Participation) and what was voted (Ballot), kept apart on purpose.

A Participation says "this census identity has voted in this process" and is unique per
(process, identity) in the database. A Ballot says "these projects were chosen"; it carries
the channel, the district envelope and (for in-person voting) the session, but never the
person. Only an online participation points at its current ballot, so the voter can see and
change it; in-person and paper ballots have no path back to whoever cast them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgeting.models.process import Process
from budgeting.models.project import Project


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
    PAPER = "paper", _("Paper")
    IMPORTED = "imported", _("Imported")


def session_field(related_name: str):
    """The in-person voting session (live voting, ``budgeting.live``), if any.

    The column was a plain ``session_id`` until the live-voting app existed; it is now a
    foreign key. PROTECT: a session that has ballots or check-ins is never deleted.
    """
    return models.ForeignKey(
        "pb_live.VotingSession",
        verbose_name=_("voting session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
    )


class Ballot(models.Model):
    class State(models.TextChoices):
        COUNTED = "counted", _("Counted")
        REPLACED = "replaced", _("Replaced")
        VOIDED = "voided", _("Voided")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="ballots")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    district = models.CharField(
        _("district envelope"),
        max_length=100,
        blank=True,
        help_text=_("The envelope the ballot was cast in; empty when the budget is city-wide."),
    )
    session = session_field("ballots")
    idempotency_key = models.CharField(
        _("submission key"),
        max_length=100,
        unique=True,
        help_text=_("Chosen by the client; sending the same key again returns the same ballot."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.COUNTED, db_index=True
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
    )
    projects = models.ManyToManyField(Project, through="BallotSelection", related_name="+")
    created_at = models.DateTimeField(_("cast at"), default=timezone.now)
    state_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="pb_ballot_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["counted", "replaced", "voided"]),
                name="pb_ballot_state_valid",
            ),
        ]
        indexes = [models.Index(fields=["process", "state"], name="pb_ballot_process_state")]

    def __str__(self):
        return f"#{self.pk} ({self.get_channel_display()})"


class BallotSelection(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="selections")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="selections")

    class Meta:
        verbose_name = _("ballot selection")
        verbose_name_plural = _("ballot selections")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "project"], name="pb_selection_unique"),
        ]

    def __str__(self):
        return f"{self.ballot_id} → {self.project_id}"


class Participation(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="participations")
    census_record = models.ForeignKey(
        "citizens.CensusRecord",
        verbose_name=_("census identity"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # Snapshots for statistics (district and age band as they were when the person voted).
    district = models.CharField(_("district"), max_length=100, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pb_participations",
    )
    ballot = models.OneToOneField(
        Ballot,
        verbose_name=_("current online ballot"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participation",
    )
    session = session_field("participations")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The facilitator or officer who checked the voter in."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["process", "census_record"], name="pb_one_participation_per_identity"
            ),
            models.CheckConstraint(
                condition=Q(channel="online") | Q(ballot__isnull=True),
                name="pb_participation_only_online_links_ballot",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="pb_participation_channel_valid"
            ),
        ]

    def __str__(self):
        return f"{self.process_id}/{self.census_record_id} ({self.channel})"
