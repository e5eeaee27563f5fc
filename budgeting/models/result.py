"""Computed outcomes: one Result per process (or per district envelope), one line per project."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgeting.models.process import Process
from budgeting.models.project import Project


class Result(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="results")
    district = models.CharField(
        _("district envelope"), max_length=100, blank=True, help_text=_("Empty: the whole city.")
    )
    rule = models.CharField(_("rule"), max_length=10, choices=Process.ResultRule.choices)
    options = models.JSONField(_("options"), default=dict, encoder=DjangoJSONEncoder)
    budget = models.PositiveBigIntegerField(_("budget"))
    spent = models.PositiveBigIntegerField(_("spent"))
    ballots_counted = models.PositiveIntegerField(_("ballots counted"))
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["process", "district"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(
                fields=["process", "district"],
                condition=Q(published_at__isnull=False),
                name="pb_result_one_published",
            ),
            models.CheckConstraint(
                condition=Q(spent__lte=models.F("budget")), name="pb_result_within_budget"
            ),
        ]

    def __str__(self):
        return f"{self.process} {self.district}".strip()

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ResultLine(models.Model):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="lines")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="result_lines")
    votes = models.PositiveIntegerField(_("votes"))
    selected = models.BooleanField(_("selected"))
    position = models.PositiveIntegerField(_("order of selection"), null=True, blank=True)
    # Structured explanation from the rule: a code plus numbers, translated when shown.
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    reason_data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["result", "position", "-votes", "project_id"]
        verbose_name = _("result line")
        verbose_name_plural = _("result lines")
        constraints = [
            models.UniqueConstraint(fields=["result", "project"], name="pb_result_line_unique"),
        ]

    def __str__(self):
        return f"{self.project} ({self.votes})"
