"""Projects: ideas submitted by residents, reviewed for feasibility by officers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from budgeting.models.process import Process
from core.fsm import StateMachine, Transition


class Project(index.Indexed, models.Model):
    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        FEASIBLE = "feasible", _("Feasible")
        NOT_FEASIBLE = "not_feasible", _("Not feasible")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Reviews can be revised until voting opens (the policy's "project.review" checks the phase).
    machine = StateMachine(
        Transition(
            "mark_feasible",
            _("mark feasible"),
            {State.SUBMITTED, State.NOT_FEASIBLE},
            State.FEASIBLE,
            "project.review",
        ),
        Transition(
            "mark_not_feasible",
            _("mark not feasible"),
            {State.SUBMITTED, State.FEASIBLE},
            State.NOT_FEASIBLE,
            "project.review",
        ),
        Transition(
            "withdraw",
            _("withdraw"),
            {State.SUBMITTED, State.FEASIBLE},
            State.WITHDRAWN,
            "project.withdraw",
        ),
        audit_prefix="budgeting.project",
        tones={State.FEASIBLE: "ok", State.NOT_FEASIBLE: "err", State.WITHDRAWN: "warn"},
    )

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="projects")
    code = models.CharField(
        _("project id"),
        max_length=64,
        blank=True,
        help_text=_("The id in published data (Pabulib). Empty: the database id is used."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    district = models.CharField(
        _("district"), max_length=100, blank=True, help_text=_("Empty: the whole city.")
    )
    image = models.ImageField(_("image"), upload_to="budgeting/projects/", blank=True)
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    estimated_cost = models.PositiveBigIntegerField(
        _("estimated cost"), null=True, blank=True, help_text=_("The proposer's estimate.")
    )
    cost = models.PositiveBigIntegerField(
        _("final cost"), null=True, blank=True, help_text=_("Set by the city's review.")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    feasibility_reason = models.TextField(_("review notes"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pb_projects",
    )
    # Optional link to the commons side of the platform: the resource the project concerns,
    # or the claim it grew from. Only public (non-draft) claims may be linked.
    resource = models.ForeignKey(
        "proposals.UrbanResource",
        verbose_name=_("urban resource"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pb_projects",
    )
    claim = models.ForeignKey(
        "proposals.Claim",
        verbose_name=_("claim"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pb_projects",
    )
    lot_position = models.PositiveIntegerField(
        _("position in the lot order"),
        null=True,
        blank=True,
        help_text=_("Drawn in advance and published; breaks remaining ties (equal shares)."),
    )
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        ordering = ["process", "id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gt=0), name="pb_project_cost_positive"
            ),
            models.CheckConstraint(
                condition=~Q(state="feasible") | Q(cost__isnull=False),
                name="pb_project_feasible_has_cost",
            ),
            models.CheckConstraint(
                condition=~Q(state="not_feasible") | ~Q(feasibility_reason=""),
                name="pb_project_infeasible_has_reason",
            ),
            models.UniqueConstraint(
                fields=["process", "code"],
                condition=~Q(code=""),
                name="pb_project_code_unique",
            ),
            models.UniqueConstraint(
                fields=["process", "lot_position"],
                condition=Q(lot_position__isnull=False),
                name="pb_project_lot_unique",
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
        return reverse("budgeting:project-detail", args=[self.process_id, self.pk])

    @property
    def public_id(self) -> str:
        """The id used in Pabulib files and by the result rules."""
        return self.code or str(self.pk)

    @property
    def on_ballot(self) -> bool:
        return self.state == self.State.FEASIBLE

    @property
    def is_withdrawn(self) -> bool:
        return self.state == self.State.WITHDRAWN

    @property
    def is_not_feasible(self) -> bool:
        return self.state == self.State.NOT_FEASIBLE

    def can_move_to(self, state: str) -> bool:
        return self.machine.allowed(self.state, state)
