"""Contributions in the staff workspace: the city's support entries awaiting an officer's
confirmation, and this year's figures of the officer's accords, with the charts one click away
on "Commons in numbers"."""

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from citizens.rules import is_administrator, is_officer
from contributions import figures, selectors
from contributions.templatetags.contributions_tags import euros, hours
from core.workspace import Count, Item, Panel, register_panel


def contributions_panel(user) -> Panel | None:
    if not is_officer(user):
        return None
    year = timezone.localdate().year
    qs = figures.filtered(year=year)
    if not is_administrator(user) and user.department_id:
        qs = qs.filter(accord__department_id=user.department_id)
    totals = figures.totals(qs)
    numbers = reverse("contributions:numbers")
    return Panel(
        key="contributions",
        title=_("What the commons give back"),
        counts=[
            Count(
                "contributions-to-confirm",
                _("City support entries awaiting your confirmation"),
                selectors.to_confirm(user).count(),
                reverse("contributions:to-confirm"),
                urgent=True,
            )
        ],
        items=[
            Item(
                _("Volunteer hours in %(year)s") % {"year": year},
                f"{numbers}?year={year}",
                _("%(hours)s hours by %(people)s people; about %(value)s EUR (estimate)")
                % {
                    "hours": hours(totals.hours),
                    "people": totals.people,
                    "value": euros(totals.equivalent_value),
                },
            ),
            Item(
                _("City support delivered in %(year)s") % {"year": year},
                f"{numbers}?year={year}",
                _("%(value)s EUR in %(n)s deliveries")
                % {"value": euros(totals.support_value), "n": totals.support_entries},
            ),
        ],
        links=[(_("Commons in numbers: charts and open data"), numbers)],
        template="contributions/includes/workspace_chart.html",
        context=_by_month(qs, year),
    )


def _by_month(qs, year: int) -> dict:
    """This year's hours per month: the chart and, for everyone, the same numbers as a table."""
    rows = figures.breakdown(qs, "month")
    for row in rows:
        row.label = str(MONTHS[int(row.label)]) if row.label else ""
    return {"rows": rows, "chart": figures.chart_data(rows), "year": year}


register_panel("contributions", contributions_panel, order=25)
