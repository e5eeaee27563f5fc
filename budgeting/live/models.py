"""In-person voting sessions, their tablets and the one-time ballot tokens.

The check-in creates two rows that nothing connects: budgeting's Participation ("this person
voted in person, at this session, checked in by this facilitator") and a BallotToken ("someone
at this session may cast one ballot"). The token knows the session, the district envelope and
the tablet, never the person; the ballot it is spent on knows the session, never the token.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgeting.models import Process
from core.fsm import StateMachine, Transition


class VotingSession(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")
        RECONCILED = "reconciled", _("Reconciled")

    # The one state machine (core.fsm). A planned session that never took place may be closed.
    # Each transition names the policy action that guards it (budgeting.live.rules).
    machine = StateMachine(
        Transition("open", _("open"), {State.PLANNED}, State.OPEN, "session.open"),
        Transition("pause", _("pause"), {State.OPEN}, State.PAUSED, "session.pause"),
        Transition("resume", _("resume"), {State.PAUSED}, State.OPEN, "session.resume"),
        Transition(
            "close",
            _("close"),
            {State.PLANNED, State.OPEN, State.PAUSED},
            State.CLOSED,
            "session.close",
        ),
        Transition(
            "reconcile",
            _("sign off the reconciliation"),
            {State.CLOSED},
            State.RECONCILED,
            "session.reconcile",
        ),
        audit_prefix="pb_live.session",
        tones={State.OPEN: "ok", State.PAUSED: "warn", State.RECONCILED: "ok"},
    )
    # Tablets may cast ballots for tokens already issued (a pause lets the voter finish).
    CASTING_STATES = (State.OPEN, State.PAUSED)
    # Tablets may be paired before the session opens and during it.
    PAIRING_STATES = (State.PLANNED, State.OPEN, State.PAUSED)
    # Officers may enter paper ballots until the session is signed off.
    PAPER_STATES = (State.OPEN, State.PAUSED, State.CLOSED)

    process = models.ForeignKey(
        Process,
        verbose_name=_("process"),
        on_delete=models.PROTECT,
        related_name="voting_sessions",
    )
    place_name = models.CharField(_("place"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitators"),
        blank=True,
        related_name="pb_voting_sessions",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PLANNED, db_index=True
    )
    pairing_code_hash = models.CharField(max_length=64, blank=True, default="")
    pairing_code_expires_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    reconciled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reconciliation = models.JSONField(_("counts at sign-off"), null=True, blank=True)
    reconciliation_note = models.TextField(_("sign-off note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("voting session")
        verbose_name_plural = _("voting sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="pb_live_session_dates"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["planned", "open", "paused", "closed", "reconciled"]),
                name="pb_live_session_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state="reconciled")
                | Q(reconciled_at__isnull=False, reconciled_by__isnull=False),
                name="pb_live_session_signed_off",
            ),
            models.CheckConstraint(
                condition=Q(pairing_code_hash="") | Q(pairing_code_expires_at__isnull=False),
                name="pb_live_session_pairing_expires",
            ),
            models.UniqueConstraint(
                fields=["pairing_code_hash"],
                condition=~Q(pairing_code_hash=""),
                name="pb_live_session_pairing_unique",
            ),
        ]

    def __str__(self):
        return f"{self.place_name} ({timezone.localtime(self.starts_at):%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("pb_live:session-detail", args=[self.pk])

    def can_move_to(self, state: str) -> bool:
        return self.machine.allowed(self.state, state)

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def is_paused(self) -> bool:
        return self.state == self.State.PAUSED

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED

    @property
    def is_reconciled(self) -> bool:
        return self.state == self.State.RECONCILED

    def pairing_active(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(self.pairing_code_hash) and self.pairing_code_expires_at > now


class Tablet(models.Model):
    # ``state`` stores the connection (idle: a socket is open; offline: none); dashboards show
    # "voting" while a live token waits on the tablet (selectors.tablets_of).
    class State(models.TextChoices):
        IDLE = "idle", _("Idle")
        VOTING = "voting", _("Voting")
        OFFLINE = "offline", _("Offline")

    session = models.ForeignKey(
        VotingSession, verbose_name=_("session"), on_delete=models.PROTECT, related_name="tablets"
    )
    label = models.CharField(_("label"), max_length=60)
    credential_hash = models.CharField(max_length=64, unique=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OFFLINE)
    connections = models.PositiveSmallIntegerField(default=0)
    paired_at = models.DateTimeField(_("paired at"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        # Never order by a relation: select_for_update() would join and lock the session too.
        ordering = ["id"]
        verbose_name = _("tablet")
        verbose_name_plural = _("tablets")
        constraints = [
            models.UniqueConstraint(fields=["session", "label"], name="pb_live_tablet_label"),
            models.CheckConstraint(
                condition=Q(state__in=["idle", "voting", "offline"]),
                name="pb_live_tablet_state_valid",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class BallotToken(models.Model):
    class State(models.TextChoices):
        ISSUED = "issued", _("Issued")
        USED = "used", _("Used")
        VOIDED = "voided", _("Voided")
        EXPIRED = "expired", _("Expired")

    class VoidReason(models.TextChoices):
        FACILITATOR = "facilitator", _("Voided by the facilitator")
        INACTIVITY = "inactivity", _("The tablet reset after inactivity")
        REVOKED = "revoked", _("The tablet was revoked")
        CLOSED = "closed", _("The session closed")

    # The one state machine (core.fsm): a token is spent, voided or lapses, once. The facilitator's
    # void is fired through core.fsm.fire (audited); casts and expiries move tokens through
    # services.tokens, which checks this machine and writes no audit entry per ballot (a
    # ballot's trail would be a timing side channel on its secrecy, and casts are the hot path).
    machine = StateMachine(
        Transition("use", _("cast the ballot"), {State.ISSUED}, State.USED),
        Transition("void", _("void"), {State.ISSUED}, State.VOIDED, "token.void"),
        Transition("expire", _("expire"), {State.ISSUED}, State.EXPIRED),
        audit_prefix="pb_live.token",
        tones={State.USED: "ok", State.VOIDED: "warn", State.EXPIRED: "warn"},
    )
    BY_TARGET = {State.USED: "use", State.VOIDED: "void", State.EXPIRED: "expire"}

    session = models.ForeignKey(
        VotingSession, verbose_name=_("session"), on_delete=models.PROTECT, related_name="tokens"
    )
    nonce = models.CharField(max_length=32, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    short_code_hash = models.CharField(max_length=64, blank=True, default="")
    district = models.CharField(
        _("district envelope"),
        max_length=100,
        blank=True,
        help_text=_("The envelope the ballot is cast in; empty when the budget is city-wide."),
    )
    tablet = models.ForeignKey(
        Tablet,
        verbose_name=_("tablet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tokens",
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("reissue of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reissued_as",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=8, choices=State.choices, default=State.ISSUED, db_index=True
    )
    void_reason = models.CharField(
        _("why voided"), max_length=12, choices=VoidReason.choices, blank=True
    )
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    finished_at = models.DateTimeField(_("used, voided or expired at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ballot token")
        verbose_name_plural = _("ballot tokens")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="pb_live_token_dates"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["issued", "used", "voided", "expired"]),
                name="pb_live_token_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(state="issued", finished_at__isnull=True)
                | (~Q(state="issued") & Q(finished_at__isnull=False)),
                name="pb_live_token_finished_when_spent",
            ),
            models.CheckConstraint(
                condition=Q(state="voided") | Q(void_reason=""),
                name="pb_live_token_reason_only_when_voided",
            ),
            # A tablet holds at most one live token, so a voter can never be handed two.
            models.UniqueConstraint(
                fields=["tablet"],
                condition=Q(state="issued", tablet__isnull=False),
                name="pb_live_token_one_per_tablet",
            ),
            models.UniqueConstraint(
                fields=["session", "short_code_hash"],
                condition=Q(state="issued") & ~Q(short_code_hash=""),
                name="pb_live_token_short_code_unique",
            ),
        ]
        indexes = [models.Index(fields=["session", "state"], name="pb_live_token_session_state")]

    def __str__(self):
        return f"#{self.pk} ({self.get_state_display()})"

    def is_expired(self, now=None) -> bool:
        return self.state == self.State.ISSUED and self.expires_at <= (now or timezone.now())
