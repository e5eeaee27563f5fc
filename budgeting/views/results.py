"""Results, their explanations and chart, statistics, and open-data downloads."""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from budgeting import permissions, selectors
from budgeting.models import Process
from budgeting.results import reason_text
from budgeting.templatetags.budgeting_tags import money
from core import csv as safe_csv


def _money(process):
    return lambda amount: money(amount, process.currency)


def _decorate(process, results) -> list[dict]:
    """Lines with their explanation and the bar lengths of the chart (percent of the max)."""
    money = _money(process)
    shown = []
    for result in results:
        lines = list(result.lines.all())
        max_votes = max((ln.votes for ln in lines), default=0) or 1
        max_cost = max((ln.project.cost or 0 for ln in lines), default=0) or 1
        shown.append(
            {
                "result": result,
                "lines": [
                    {
                        "line": ln,
                        "project": ln.project,
                        "reason": reason_text(ln, money),
                        "votes_pct": round(100 * ln.votes / max_votes, 1),
                        "cost_pct": round(100 * (ln.project.cost or 0) / max_cost, 1),
                    }
                    for ln in lines
                ],
                "winners": [ln for ln in lines if ln.selected],
                "left": result.budget - result.spent,
                "spent_pct": round(100 * result.spent / result.budget) if result.budget else 0,
            }
        )
    return shown


SECTIONS_CACHE_SECONDS = 300


def _sections(process, results) -> str:
    """The results' sections as HTML; published ones are cached (their lines never change, and
    a project renamed after publication shows its new title within five minutes)."""
    key = None
    if results and all(r.is_published for r in results):
        stamp = ",".join(f"{r.pk}:{r.published_at.timestamp()}" for r in results)
        key = f"pb-results:{process.pk}:{get_language()}:{process.currency}:{stamp}"
        html = cache.get(key)
        if html is not None:
            return html
    html = render_to_string(
        "budgeting/_result_sections.html",
        {"process": process, "results": _decorate(process, results)},
    )
    if key is not None:
        cache.set(key, html, SECTIONS_CACHE_SECONDS)
    return html


def results_view(request, pk):
    process = selectors.process_get(request.user, pk)
    visible = permissions.can(request.user, permissions.Action.VIEW_RESULTS, process)
    results = selectors.results_for(request.user, process) if visible else []
    return render(
        request,
        "budgeting/result_detail.html",
        {
            "process": process,
            "visible": visible,
            "results": results,
            "sections": mark_safe(_sections(process, results)) if results else "",  # noqa: S308
            "published": bool(results) and all(r.is_published for r in results),
            "can_publish": permissions.can(request.user, permissions.Action.PUBLISH, process),
            "can_compute": permissions.can(request.user, permissions.Action.COMPUTE, process),
            "can_export": permissions.can(request.user, permissions.Action.EXPORT, process),
            "can_view_statistics": permissions.can(
                request.user, permissions.Action.VIEW_STATISTICS, process
            ),
            "State": Process.State,
        },
    )


def results_csv(request, pk):
    process = selectors.process_get(request.user, pk)
    if not permissions.can(request.user, permissions.Action.VIEW_RESULTS, process):
        raise PermissionDenied(_("The results are not published yet."))
    results = selectors.results_for(request.user, process)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pb-{process.pk}-results.csv"'
    writer = safe_csv.writer(response)
    writer.writerow(
        [
            "district",
            "project_id",
            "title",
            "cost",
            "votes",
            "selected",
            "position",
            "reason",
            "explanation",
        ]
    )
    money = _money(process)
    for result in results:
        for line in result.lines.all():
            writer.writerow(
                [
                    result.district,
                    line.project.public_id,
                    line.project.title,
                    line.project.cost,
                    line.votes,
                    int(line.selected),
                    line.position or "",
                    line.reason,
                    reason_text(line, money),
                ]
            )
    return response


def statistics_view(request, pk):
    process = selectors.process_get(request.user, pk)
    if not permissions.can(request.user, permissions.Action.VIEW_STATISTICS, process):
        raise PermissionDenied(_("Statistics are published with the results."))
    return render(
        request,
        "budgeting/statistics_detail.html",
        {"process": process, "stats": selectors.statistics(process)},
    )


def export_pb(request, pk):
    """The process as a Pabulib file: projects, and anonymous counted ballots."""
    from budgeting.pabulib_io import process_export

    process = selectors.process_get(request.user, pk)
    if not permissions.can(request.user, permissions.Action.EXPORT, process):
        raise PermissionDenied(_("The ballots are published with the results."))
    response = HttpResponse(content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pb-{process.pk}.pb"'
    response.write(process_export(process=process))
    return response
