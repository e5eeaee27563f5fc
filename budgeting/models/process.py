"""A participatory budgeting process: phases, budget, eligibility and the rules it votes by."""

import math
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from core.fsm import StateMachine, Transition


class Process(index.Indexed, models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IDEAS = "ideas", _("Idea collection")
        REVIEW = "review", _("Feasibility review")
        VOTING = "voting", _("Voting")
        COUNTING = "counting", _("Voting closed")
        RESULTS = "results", _("Results published")
        IMPLEMENTATION = "implementation", _("Implementation")

    # The one state machine (core.fsm). COUNTING -> RESULTS happens only by publishing
    # results (services.result_publish); every other move goes through
    # services.process_transition, which finds the transition by its target.
    machine = StateMachine(
        Transition(
            "open_ideas", _("open idea collection"), {State.DRAFT}, State.IDEAS, "process.manage"
        ),
        Transition(
            "start_review",
            _("start the feasibility review"),
            {State.DRAFT, State.IDEAS},
            State.REVIEW,
            "process.manage",
        ),
        Transition(
            "reopen_ideas",
            _("reopen idea collection"),
            {State.REVIEW},
            State.IDEAS,
            "process.manage",
        ),
        Transition(
            "open_voting",
            _("open voting"),
            {State.DRAFT, State.REVIEW},
            State.VOTING,
            "process.manage",
        ),
        Transition(
            "close_voting", _("close voting"), {State.VOTING}, State.COUNTING, "process.manage"
        ),
        Transition(
            "reopen_voting", _("reopen voting"), {State.COUNTING}, State.VOTING, "process.manage"
        ),
        Transition(
            "publish", _("publish the results"), {State.COUNTING}, State.RESULTS, "results.publish"
        ),
        Transition(
            "start_implementation",
            _("start the implementation"),
            {State.RESULTS},
            State.IMPLEMENTATION,
            "process.manage",
        ),
        audit_prefix="budgeting.process",
        tones={State.VOTING: "ok", State.RESULTS: "ok", State.DRAFT: "warn"},
    )
    PUBLIC_STATES = (
        State.IDEAS,
        State.REVIEW,
        State.VOTING,
        State.COUNTING,
        State.RESULTS,
        State.IMPLEMENTATION,
    )

    class BallotRule(models.TextChoices):
        APPROVAL = "approval", _("Approval: choose up to k projects")
        KNAPSACK = "knapsack", _("Knapsack: choose projects within the budget")

    class ResultRule(models.TextChoices):
        GREEDY = "greedy", _("Greedy: most votes first")
        MES = "mes", _("Method of Equal Shares (with Add1)")

    class Completion(models.TextChoices):
        NONE = "none", _("None: leave the rest unspent")
        GREEDY = "greedy", _("Greedy completion of the leftover money")

    class Add1Variant(models.TextChoices):
        # Names of budgeting.rules.mes.ADD1_VARIANTS; docs/decisions/002-mes-add1.md.
        OVERSPEND = (
            "overspend",
            _(
                "Raise the share until the next step would overspend (equalshares.net's published "
                "outcomes, e.g. Wieliczka 2023)"
            ),
        )
        EQUALSHARES = "equalshares", _("Stop at the first exhaustive outcome (equalshares.net)")
        PABUTOOLS = "pabutools", _("Stop at the first exhaustive outcome (pabutools)")

    class TieBreaking(models.TextChoices):
        LEXICOGRAPHIC = "lexicographic", _("Lexicographic on the project id")
        EQUALSHARES = "equalshares", _("Lower cost, then more votes, then the published lot order")

    class Residency(models.TextChoices):
        CITY = "city", _("Residents of the city")
        DISTRICT = "district", _("Residents of one district")

    class LiveResults(models.TextChoices):
        NONE = "none", _("Nothing until results are published")
        TURNOUT = "turnout", _("Turnout only")
        FULL = "full", _("Turnout and live results")

    class CrossChannel(models.TextChoices):
        REFUSE = "refuse", _("Refuse: whoever voted online cannot vote in person")
        REPLACE = "replace", _("The in-person ballot replaces the online one")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    currency = models.CharField(_("currency"), max_length=8, default="EUR")
    budget = models.PositiveBigIntegerField(
        _("total budget"), help_text=_("Whole currency units. With district envelopes, their sum.")
    )

    ideas_opens_at = models.DateTimeField(_("idea collection opens"), null=True, blank=True)
    ideas_closes_at = models.DateTimeField(_("idea collection closes"), null=True, blank=True)
    voting_opens_at = models.DateTimeField(_("voting opens"), null=True, blank=True)
    voting_closes_at = models.DateTimeField(_("voting closes"), null=True, blank=True)
    results_planned_at = models.DateTimeField(_("results expected"), null=True, blank=True)

    min_age = models.PositiveSmallIntegerField(
        _("minimum age"),
        default=16,
        help_text=_(
            "The census stores only the year of birth: a person may vote if they turn this "
            "age during the calendar year in which voting closes."
        ),
    )
    residency = models.CharField(
        _("who may vote"), max_length=10, choices=Residency.choices, default=Residency.CITY
    )
    eligible_district = models.CharField(
        _("district of residence"),
        max_length=100,
        blank=True,
        help_text=_("Only when residents of one district vote."),
    )

    ballot_rule = models.CharField(
        _("ballot rule"), max_length=10, choices=BallotRule.choices, default=BallotRule.KNAPSACK
    )
    approval_max = models.PositiveSmallIntegerField(
        _("at most k projects (approval)"), null=True, blank=True
    )
    knapsack_min_percent = models.PositiveSmallIntegerField(
        _("spend at least this % of the budget (knapsack)"), default=0
    )
    min_projects = models.PositiveSmallIntegerField(_("minimum number of projects"), default=1)
    max_projects = models.PositiveSmallIntegerField(
        _("maximum number of projects"), null=True, blank=True
    )
    shuffle_projects = models.BooleanField(
        _("show projects in a different order to each voter"), default=False
    )
    allow_ballot_change = models.BooleanField(
        _("voters may change an online ballot until voting closes"), default=True
    )

    result_rule = models.CharField(
        _("results rule"), max_length=10, choices=ResultRule.choices, default=ResultRule.GREEDY
    )
    mes_completion = models.CharField(
        _("after Add1 (equal shares)"),
        max_length=10,
        choices=Completion.choices,
        default=Completion.GREEDY,
    )
    mes_add1_variant = models.CharField(
        _("Add1 variant (equal shares)"),
        max_length=12,
        choices=Add1Variant.choices,
        default=Add1Variant.OVERSPEND,
    )
    mes_comparison = models.BooleanField(
        _("comparison step against the greedy outcome (equal shares)"), default=False
    )
    tie_breaking = models.CharField(
        _("tie-breaking"),
        max_length=15,
        choices=TieBreaking.choices,
        default=TieBreaking.LEXICOGRAPHIC,
    )
    min_votes = models.PositiveIntegerField(
        _("minimum votes to be funded"),
        default=0,
        help_text=_(
            "A project with fewer votes is never funded, whatever the rule. A project nobody "
            "voted for is never funded anyway."
        ),
    )
    min_vote_share = models.DecimalField(
        _("minimum share of participants to be funded (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "A project must be approved by at least this percentage of the participants (of its "
            "district, for district envelopes). With a minimum number of votes too, the higher "
            "of the two applies."
        ),
    )
    lots_drawn_at = models.DateTimeField(_("lot order drawn at"), null=True, blank=True)

    live_results = models.CharField(
        _("live results"), max_length=10, choices=LiveResults.choices, default=LiveResults.TURNOUT
    )
    cross_channel = models.CharField(
        _("someone who voted online comes to vote in person"),
        max_length=10,
        choices=CrossChannel.choices,
        default=CrossChannel.REFUSE,
    )

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("budgeting process")
        verbose_name_plural = _("budgeting processes")
        constraints = [
            models.CheckConstraint(condition=Q(budget__gt=0), name="pb_process_budget_positive"),
            models.CheckConstraint(
                condition=Q(knapsack_min_percent__lte=100), name="pb_process_min_percent_range"
            ),
            models.CheckConstraint(
                condition=Q(min_vote_share__gte=0) & Q(min_vote_share__lte=100),
                name="pb_process_min_vote_share_range",
            ),
            models.CheckConstraint(
                condition=Q(approval_max__isnull=True) | Q(approval_max__gte=1),
                name="pb_process_approval_max_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_projects__isnull=True) | Q(max_projects__gte=F("min_projects")),
                name="pb_process_min_le_max",
            ),
            models.CheckConstraint(
                condition=Q(ideas_closes_at__gte=F("ideas_opens_at")),
                name="pb_process_ideas_dates",
            ),
            models.CheckConstraint(
                condition=Q(voting_closes_at__gt=F("voting_opens_at")),
                name="pb_process_voting_dates",
            ),
            models.CheckConstraint(
                condition=Q(voting_opens_at__gte=F("ideas_closes_at")),
                name="pb_process_ideas_before_voting",
            ),
            models.CheckConstraint(
                condition=~Q(residency="district") | ~Q(eligible_district=""),
                name="pb_process_district_named",
            ),
        ]

    def __str__(self):
        return self.title

    search_fields = [
        index.SearchField("title", boost=2),
        index.AutocompleteField("title"),
        index.SearchField("description"),
        index.FilterField("id"),
    ]

    def get_absolute_url(self):
        return reverse("budgeting:process-detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.state in self.PUBLIC_STATES

    # Predicates for templates and views: ask the model, never compare state strings.
    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def is_collecting_ideas(self) -> bool:
        return self.state == self.State.IDEAS

    @property
    def is_voting(self) -> bool:
        return self.state == self.State.VOTING

    @property
    def is_counting(self) -> bool:
        return self.state == self.State.COUNTING

    @property
    def results_out(self) -> bool:
        """Results published (and, later, being implemented)."""
        return self.state in (self.State.RESULTS, self.State.IMPLEMENTATION)

    def can_move_to(self, state: str) -> bool:
        return self.machine.allowed(self.state, state)

    @property
    def voting_year(self) -> int:
        """The calendar year whose birthdays count for the minimum age."""
        moment = self.voting_closes_at or self.voting_opens_at or timezone.now()
        return timezone.localtime(moment).year

    def voting_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.state != self.State.VOTING:
            return False
        if self.voting_opens_at and now < self.voting_opens_at:
            return False
        return not (self.voting_closes_at and now >= self.voting_closes_at)

    def ideas_are_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.state != self.State.IDEAS:
            return False
        if self.ideas_opens_at and now < self.ideas_opens_at:
            return False
        return not (self.ideas_closes_at and now >= self.ideas_closes_at)

    def vote_threshold(self, participants: int) -> int:
        """Votes a project needs among ``participants`` counted ballots (at least 0 here; the
        rules add that a project nobody voted for is never funded)."""
        share = self.min_vote_share or 0
        from_share = math.ceil(Decimal(share) * participants / 100) if share else 0
        return max(self.min_votes, from_share)

    @property
    def is_knapsack(self) -> bool:
        return self.ballot_rule == self.BallotRule.KNAPSACK


class DistrictBudget(models.Model):
    """An envelope: part of the budget reserved for one district's projects and voters."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="envelopes")
    district = models.CharField(_("district"), max_length=100)
    budget = models.PositiveBigIntegerField(_("budget"))

    class Meta:
        ordering = ["district"]
        verbose_name = _("district envelope")
        verbose_name_plural = _("district envelopes")
        constraints = [
            models.UniqueConstraint(fields=["process", "district"], name="pb_envelope_unique"),
            models.CheckConstraint(condition=Q(budget__gt=0), name="pb_envelope_budget_positive"),
            models.CheckConstraint(condition=~Q(district=""), name="pb_envelope_district_named"),
        ]

    def __str__(self):
        return f"{self.district}: {self.budget}"
