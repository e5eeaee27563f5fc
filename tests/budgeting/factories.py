import datetime as dt
import itertools
import uuid

from django.utils import timezone

from budgeting.models import DistrictBudget, Process, Project

_seq = itertools.count(1)


def process_create(*, state=Process.State.VOTING, envelopes=None, **fields) -> Process:
    """A process; by default in voting, open since yesterday and for ten more days."""
    now = timezone.now()
    defaults = {
        "title": f"Process {next(_seq)}",
        "budget": sum(envelopes.values()) if envelopes else 100_000,
        "voting_opens_at": now - dt.timedelta(days=1),
        "voting_closes_at": now + dt.timedelta(days=10),
        "ballot_rule": Process.BallotRule.KNAPSACK,
        "min_age": 16,
    }
    process = Process.objects.create(**(defaults | fields | {"state": state}))
    for district, budget in (envelopes or {}).items():
        DistrictBudget.objects.create(process=process, district=district, budget=budget)
    return process


def project_create(
    process, *, cost=10_000, district="", state=Project.State.FEASIBLE, **fields
) -> Project:
    n = next(_seq)
    reason = "Not possible here." if state == Project.State.NOT_FEASIBLE else ""
    return Project.objects.create(
        process=process,
        title=fields.pop("title", f"Project {n}"),
        description=fields.pop("description", f"Description of project {n}."),
        cost=cost,
        district=district,
        state=state,
        feasibility_reason=fields.pop("feasibility_reason", reason),
        **fields,
    )


def key() -> str:
    return uuid.uuid4().hex


def process_form_data(**fields) -> dict:
    """What the process form posts for a knapsack process with greedy results, no districts;
    ``fields`` override or add (an ``envelopes-`` formset needs its management fields)."""
    return {
        "title": "Bilancio 2027",
        "budget": "100000",
        "currency": "EUR",
        "min_age": "16",
        "residency": "city",
        "ballot_rule": "knapsack",
        "knapsack_min_percent": "0",
        "min_projects": "1",
        "result_rule": "greedy",
        "mes_add1_variant": "overspend",
        "mes_completion": "greedy",
        "tie_breaking": "lexicographic",
        "live_results": "turnout",
        "cross_channel": "refuse",
    } | fields
