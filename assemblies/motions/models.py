"""Motions put to the vote in an assembly's meeting, their votes, objections and room tablets.

One vote per member per motion is a database constraint on ``Participation`` (every vote, named
or secret, writes one). A secret motion's ``Vote`` carries no user and no time, and its key is
random (a UUID), so nothing links a vote to the participation written with it; a named
motion's vote carries the user, and the minutes list who voted what.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.fsm import StateMachine, Transition


class MotionKind(models.TextChoices):
    YES_NO_ABSTAIN = "yes_no_abstain", _("Yes / no / abstain")
    OPTIONS = "options", _("One of several options")
    CONSENT = "consent", _("Consent (objections block)")


class MotionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Voting")
    CLOSED = "closed", _("Closed")
    # A draft the chair dropped: kept for the audit trail, shown nowhere else.
    DISCARDED = "discarded", _("Discarded")


class Outcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Rejected")
    NO_QUORUM = "no_quorum", _("No quorum")
    BLOCKED = "blocked", _("Blocked by an objection")


class Choice(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    ABSTAIN = "abstain", _("Abstain")
    OPTION = "option", _("Option")
    CONSENT = "consent", _("I consent")
    STAND_ASIDE = "stand_aside", _("I stand aside")
    OBJECT = "object", _("I object")


CHOICES_BY_KIND = {
    MotionKind.YES_NO_ABSTAIN: (Choice.YES, Choice.NO, Choice.ABSTAIN),
    MotionKind.OPTIONS: (Choice.OPTION,),
    MotionKind.CONSENT: (Choice.CONSENT, Choice.STAND_ASIDE, Choice.OBJECT),
}


def _count_phrase(choice: str, n: int) -> str:
    """ "3 yes", "1 consent", "0 objections": one answer's count as a phrase."""
    phrases = {
        Choice.YES: lambda: ngettext("%(count)d yes", "%(count)d yes", n),
        Choice.NO: lambda: ngettext("%(count)d no", "%(count)d no", n),
        Choice.ABSTAIN: lambda: ngettext("%(count)d abstention", "%(count)d abstentions", n),
        Choice.CONSENT: lambda: ngettext("%(count)d consent", "%(count)d consents", n),
        Choice.STAND_ASIDE: lambda: ngettext("%(count)d stands aside", "%(count)d stand aside", n),
        Choice.OBJECT: lambda: ngettext("%(count)d objection", "%(count)d objections", n),
    }
    return phrases[choice]() % {"count": n}


def tally_line(kind: str, counts: dict, options=()) -> str:
    """The one line of a vote's counts, "2 yes · 1 no · 0 abstentions", "1 consent · 0 stand
    aside · 0 objections", "North: 3 votes · South: 0 votes" (`options`: (key, label) pairs,
    keys "option:<id>"). Every page and the minutes build the counts with it."""
    if kind == MotionKind.OPTIONS:
        parts = [
            ngettext("%(option)s: %(count)d vote", "%(option)s: %(count)d votes", n)
            % {"option": label, "count": n}
            for key, label in options
            for n in [counts.get(key, 0)]
        ]
    else:
        parts = [_count_phrase(c, counts.get(c.value, 0)) for c in CHOICES_BY_KIND[kind]]
    return " · ".join(parts)


class Channel(models.TextChoices):
    WEB = "web", _("Own phone or computer")
    TABLET = "tablet", _("Room tablet")


def _meeting_open(motion) -> str:
    if not motion.meeting.is_open:
        return str(_("The meeting is not in progress: open the meeting first."))
    return ""


class MotionQuerySet(models.QuerySet):
    def for_minutes(self, meeting):
        """The meeting's decided motions, in order, with what the minutes need: options,
        objections and, for named votes, who voted what (``named_votes``)."""
        return (
            self.filter(meeting=meeting, state=MotionState.CLOSED)
            .select_related("agenda_item", "winning_option", "opinion__claim")
            .prefetch_related(
                "options",
                models.Prefetch(
                    "objections",
                    queryset=Objection.objects.select_related("user", "decided_by").order_by("pk"),
                ),
                models.Prefetch(
                    "votes",
                    queryset=Vote.objects.filter(user__isnull=False)
                    .select_related("user", "option")
                    .order_by("user__display_name", "user__pk"),
                    to_attr="named_votes",
                ),
            )
            .order_by("closed_at", "pk")
        )


class Motion(models.Model):
    Kind = MotionKind
    State = MotionState

    meeting = models.ForeignKey(
        "assemblies.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        related_name="motions",
    )
    agenda_item = models.ForeignKey(
        "assemblies.AgendaItem",
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="motions",
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text of the motion"), blank=True)
    kind = models.CharField(
        _("kind of vote"),
        max_length=16,
        choices=MotionKind.choices,
        default=MotionKind.YES_NO_ABSTAIN,
    )
    secret = models.BooleanField(
        _("secret vote"),
        default=False,
        help_text=_("Secret: nobody can tell who voted what. Named: the minutes list it."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=MotionState.choices, default=MotionState.DRAFT
    )
    # Copied from the assembly's charter when the motion opens.
    quorum_percent = models.PositiveSmallIntegerField(_("quorum (%)"), null=True, blank=True)
    majority = models.CharField(_("majority"), max_length=12, blank=True)
    consent_rule = models.TextField(_("rule to overrule an objection"), blank=True)
    eligible = models.PositiveIntegerField(_("voting members"), null=True, blank=True)
    # Recorded when it closes.
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    tally = models.JSONField(_("tally"), null=True, blank=True)
    winning_option = models.ForeignKey(
        "MotionOption",
        verbose_name=_("winning option"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # A motion may put a draft formal opinion of the assembly to the vote: carried, it adopts
    # the opinion (assemblies.records.services.opinion_motion_closed).
    opinion = models.ForeignKey(
        "assembly_records.Opinion",
        verbose_name=_("formal opinion put to the vote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="motions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = MotionQuerySet.as_manager()

    machine = StateMachine(
        Transition(
            "open",
            _("open the vote"),
            {MotionState.DRAFT},
            MotionState.OPEN,
            action="open",
            guard=_meeting_open,
        ),
        Transition(
            "close", _("close the vote"), {MotionState.OPEN}, MotionState.CLOSED, action="close"
        ),
        Transition(
            "discard",
            _("discard the motion"),
            {MotionState.DRAFT},
            MotionState.DISCARDED,
            action="discard",
        ),
        audit_prefix="motion",
        tones={MotionState.OPEN: "warn", MotionState.CLOSED: "ok"},
    )

    class Meta:
        verbose_name = _("motion")
        verbose_name_plural = _("motions")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(state=MotionState.CLOSED) & ~Q(outcome=""))
                | (~Q(state=MotionState.CLOSED) & Q(outcome="")),
                name="motions_outcome_when_closed",
            ),
            models.CheckConstraint(
                condition=~Q(kind=MotionKind.CONSENT, secret=True),
                name="motions_consent_is_named",
            ),
            # An opinion is voted on by one motion at a time.
            models.UniqueConstraint(
                fields=["opinion"],
                condition=Q(state=MotionState.OPEN),
                name="motions_one_open_vote_per_opinion",
            ),
            # An opinion is adopted by yes / no / abstain or by consent, never between options.
            models.CheckConstraint(
                condition=Q(opinion__isnull=True) | ~Q(kind=MotionKind.OPTIONS),
                name="motions_opinion_not_options",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("motions:detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.state == MotionState.DRAFT

    @property
    def is_open(self) -> bool:
        return self.state == MotionState.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state == MotionState.CLOSED

    @property
    def is_discarded(self) -> bool:
        return self.state == MotionState.DISCARDED

    @property
    def choices(self) -> tuple:
        return CHOICES_BY_KIND[self.kind]

    @property
    def counts_line(self) -> str:
        """The closed vote's counts, "3 yes · 1 no · 0 abstentions" (answers, not options;
        nobody named; ``tally_line``): for the opinion's and the claim's pages."""
        if not self.tally or self.kind == MotionKind.OPTIONS:
            return ""
        return tally_line(self.kind, self.tally.get("counts", {}))

    @property
    def adopted_the_opinion(self) -> bool:
        """Whether this motion's outcome adopted the opinion it put to the vote (a carried
        motion does not when the claim had left its consultation meanwhile)."""
        return self.opinion_id is not None and self.opinion.motion_id == self.pk

    @property
    def opinion_not_adopted_reason(self) -> str:
        """Why this closed, carried motion did not adopt the opinion it put to the vote ("" when
        it did, or was not carried). The close checks the opinion first, then the claim's
        consultation (``assemblies.records.services.opinion_motion_closed``): an opinion that
        was adopted or withdrawn before the vote closed was no longer a draft; otherwise the
        claim had left its consultation. For the motion's and the opinion's pages."""
        if not self.is_closed or self.outcome != Outcome.ADOPTED or self.opinion_id is None:
            return ""
        opinion = self.opinion
        if opinion.motion_id == self.pk:
            return ""
        closed = self.closed_at
        gone = [at for at in (opinion.adopted_at, opinion.withdrawn_at) if at is not None]
        if closed is not None and any(at <= closed for at in gone):
            return str(
                _(
                    "Carried, but the opinion was not adopted: it was no longer a draft when "
                    "the vote closed."
                )
            )
        return str(
            _(
                "Carried, but the opinion was not adopted: the claim was no longer in public "
                "consultation when the vote closed."
            )
        )


class MotionOption(models.Model):
    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="options"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("option"), max_length=200)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "label"], name="motions_option_label"),
        ]

    def __str__(self):
        return self.label


class Participation(models.Model):
    """That a member voted on a motion (never what): one per member and motion."""

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="participations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="motion_participations",
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    created_at = models.DateTimeField(_("voted at"), default=timezone.now)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["motion", "user"], name="motions_one_vote_per_member"),
        ]

    def __str__(self):
        return f"{self.user} · {self.motion}"


class Vote(models.Model):
    """What was voted. Secret motions: no user, no time, a random key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="votes"
    )
    choice = models.CharField(_("vote"), max_length=12, choices=Choice.choices)
    option = models.ForeignKey(
        MotionOption,
        verbose_name=_("option"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="votes",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="motion_votes",
    )

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["motion", "user"],
                condition=Q(user__isnull=False),
                name="motions_one_named_vote_per_member",
            ),
            models.CheckConstraint(
                condition=Q(choice=Choice.OPTION, option__isnull=False)
                | (~Q(choice=Choice.OPTION) & Q(option__isnull=True)),
                name="motions_vote_option_iff_option",
            ),
        ]

    def __str__(self):
        return self.get_choice_display()

    @property
    def label(self) -> str:
        return self.option.label if self.option_id else self.get_choice_display()


class ObjectionState(models.TextChoices):
    STANDING = "standing", _("Standing")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    OVERRULED = "overruled", _("Overruled")


def _motion_open(objection) -> str:
    if not objection.motion.is_open:
        return str(_("The vote on this motion is closed."))
    return ""


class Objection(models.Model):
    """An objection to a motion by consent: it blocks adoption while it stands."""

    State = ObjectionState

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="objections"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="motion_objections",
    )
    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("state"), max_length=10, choices=ObjectionState.choices, default=ObjectionState.STANDING
    )
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    decided_at = models.DateTimeField(_("withdrawn or overruled at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overrule_reason = models.TextField(_("rule applied to overrule it"), blank=True)

    machine = StateMachine(
        Transition(
            "withdraw",
            _("withdraw the objection"),
            {ObjectionState.STANDING},
            ObjectionState.WITHDRAWN,
            action="withdraw",
            guard=_motion_open,
        ),
        Transition(
            "overrule",
            _("overrule the objection"),
            {ObjectionState.STANDING},
            ObjectionState.OVERRULED,
            action="overrule",
            guard=_motion_open,
        ),
        audit_prefix="objection",
        tones={ObjectionState.STANDING: "err", ObjectionState.OVERRULED: "warn"},
    )

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "user"], name="motions_one_objection"),
            models.CheckConstraint(condition=~Q(reason=""), name="motions_objection_has_reason"),
            models.CheckConstraint(
                condition=~Q(state=ObjectionState.OVERRULED) | ~Q(overrule_reason=""),
                name="motions_overrule_states_rule",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.motion}"


class RoomPairing(models.Model):
    """The meeting's current pairing code for room tablets (one at a time, single use)."""

    meeting = models.OneToOneField(
        "assemblies.Meeting", on_delete=models.CASCADE, related_name="room_pairing"
    )
    code_hash = models.CharField(max_length=64, blank=True, default="")
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return str(self.meeting)

    def active(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(self.code_hash) and self.expires_at is not None and self.expires_at > now


class RoomTablet(models.Model):
    """A tablet in the meeting room, paired like a voting-session tablet (live/credentials)."""

    meeting = models.ForeignKey(
        "assemblies.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        related_name="room_tablets",
    )
    label = models.CharField(_("label"), max_length=60)
    credential_hash = models.CharField(max_length=64, unique=True)
    paired_at = models.DateTimeField(_("paired at"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("room tablet")
        verbose_name_plural = _("room tablets")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "label"], name="motions_tablet_label"),
        ]

    def __str__(self):
        return self.label

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class TokenState(models.TextChoices):
    ISSUED = "issued", _("Waiting on the tablet")
    USED = "used", _("Used")
    VOIDED = "voided", _("Voided")


class VoteToken(models.Model):
    """A one-time token the chair hands a room tablet: one member, one motion, one vote."""

    State = TokenState

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="tokens"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    tablet = models.ForeignKey(
        RoomTablet, verbose_name=_("tablet"), on_delete=models.PROTECT, related_name="tokens"
    )
    nonce = models.CharField(max_length=32, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=8, choices=TokenState.choices, default=TokenState.ISSUED)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tablet token")
        verbose_name_plural = _("tablet tokens")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tablet"],
                condition=Q(state=TokenState.ISSUED),
                name="motions_one_token_waiting_per_tablet",
            ),
        ]

    def __str__(self):
        return f"{self.tablet} · {self.user}"
