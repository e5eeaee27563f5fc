"""Reads for pages and the API, shaped so the number of queries does not grow with the rows."""

import random
from collections import Counter

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404

from budgeting.models import Ballot, Channel, Participation, Process, Project, Result, ResultLine
from budgeting.permissions import (
    PROCESS,
    PROJECT,
    RESULT,
    Action,
    ProjectAction,
    ResultAction,
)
from citizens.models import CensusRecord

# Age bands for statistics: (lowest age, highest age or None).
AGE_BANDS = [(0, 17), (18, 24), (25, 34), (35, 49), (50, 64), (65, None)]


def process_list(user, *, state: str | None = None) -> QuerySet:
    qs = PROCESS.queryset(user, Action.VIEW)
    if state:
        qs = qs.filter(state=state)
    return qs.annotate(
        ballot_projects=Count("projects", filter=Q(projects__state=Project.State.FEASIBLE))
    ).order_by("-created_at", "-id")


def process_counts_by_state(user) -> dict[str, int]:
    """How many of the processes `user` sees are in each phase (one query)."""
    rows = (
        PROCESS.queryset(user, Action.VIEW).order_by().values_list("state").annotate(n=Count("pk"))
    )
    return dict(rows)


def process_get(user, pk) -> Process:
    process = (
        PROCESS.queryset(user, Action.VIEW).filter(pk=pk).prefetch_related("envelopes").first()
    )
    if process is None:
        raise Http404
    return process


def project_list(
    user, process: Process, *, district: str | None = None, state: str | None = None
) -> QuerySet:
    qs = PROJECT.queryset(user, ProjectAction.VIEW, process.projects.all()).select_related(
        "proposer"
    )
    if district is not None:
        qs = qs.filter(district=district)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("title", "pk")


def project_get(user, process: Process, pk) -> Project:
    project = (
        PROJECT.queryset(user, ProjectAction.VIEW, process.projects.all())
        .filter(pk=pk)
        .select_related("proposer", "resource", "claim")
        .first()
    )
    if project is None:
        raise Http404
    return project


def ballot_projects(process: Process, district: str = "", *, shuffle_seed=None) -> list[Project]:
    """The projects a voter sees: feasible ones, of their envelope; shuffled per voter if set."""
    qs = process.projects.filter(state=Project.State.FEASIBLE).order_by("title", "pk")
    if district:
        qs = qs.filter(district=district)
    projects = list(qs)
    if process.shuffle_projects and shuffle_seed is not None:
        random.Random(f"{process.pk}:{shuffle_seed}").shuffle(projects)  # noqa: S311
    return projects


def results_for(user, process: Process) -> list[Result]:
    """The results a user may see: published ones, or the officers' preview of a computation."""
    lines = ResultLine.objects.select_related("project").order_by(
        F("position").asc(nulls_last=True), "-votes", "project__title", "project_id"
    )
    return list(
        RESULT.queryset(user, ResultAction.VIEW)
        .filter(process=process)
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("district")
    )


def districts() -> list[str]:
    """Districts known to the census (the names processes, envelopes and projects use)."""
    return list(
        CensusRecord.objects.order_by("district").values_list("district", flat=True).distinct()
    )


def _band(age: int) -> tuple[int, int | None]:
    for low, high in AGE_BANDS:
        if high is None or age <= high:
            return (low, high)
    return AGE_BANDS[-1]


def statistics(process: Process) -> dict:
    """Turnout by channel, district and age band, against the eligible census population.

    Ballots are counted by channel; people (participations) by district and age band, from
    the snapshot taken when they voted. Imported ballots have no participation: their
    districts come from the ballots themselves.
    """
    ballots = process.ballots.filter(state=Ballot.State.COUNTED)
    by_channel = dict(ballots.values_list("channel").annotate(n=Count("id")).order_by())
    people = Participation.objects.filter(process=process)
    people_by_district = dict(people.values_list("district").annotate(n=Count("id")).order_by())
    if not people_by_district:
        people_by_district = dict(
            ballots.values_list("district").annotate(n=Count("id")).order_by()
        )
    year = process.voting_year
    eligible = CensusRecord.objects.filter(birth_year__lte=year - process.min_age)
    envelopes = [e.district for e in process.envelopes.all()]
    if process.residency == Process.Residency.DISTRICT:
        eligible = eligible.filter(district=process.eligible_district)
    elif envelopes:
        eligible = eligible.filter(district__in=envelopes)
    eligible_by_district = dict(eligible.values_list("district").annotate(n=Count("id")).order_by())
    age_people, age_eligible = Counter(), Counter()
    for birth_year, n in people.values_list("birth_year").annotate(n=Count("id")).order_by():
        age_people[_band(year - birth_year)] += n
    for birth_year, n in eligible.values_list("birth_year").annotate(n=Count("id")).order_by():
        age_eligible[_band(year - birth_year)] += n

    def rate(voted, total):
        return round(100 * voted / total, 1) if total else None

    district_names = sorted(set(people_by_district) | set(eligible_by_district))
    bands = [b for b in AGE_BANDS if b[1] is None or b[1] >= process.min_age]
    total_people = sum(people_by_district.values())
    total_eligible = sum(eligible_by_district.values())
    return {
        "ballots": sum(by_channel.values()),
        "by_channel": [
            {"channel": value, "label": label, "ballots": by_channel.get(value, 0)}
            for value, label in Channel.choices
        ],
        "participants": total_people,
        "eligible": total_eligible,
        "turnout": rate(total_people, total_eligible),
        "by_district": [
            {
                "district": d,
                "participants": people_by_district.get(d, 0),
                "eligible": eligible_by_district.get(d, 0),
                "turnout": rate(people_by_district.get(d, 0), eligible_by_district.get(d, 0)),
            }
            for d in district_names
        ],
        "by_age": [
            {
                "low": max(low, process.min_age),
                "high": high,
                "participants": age_people.get((low, high), 0),
                "eligible": age_eligible.get((low, high), 0),
                "turnout": rate(age_people.get((low, high), 0), age_eligible.get((low, high), 0)),
            }
            for low, high in bands
        ],
    }
