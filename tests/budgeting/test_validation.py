"""The one ballot validator, rule by rule."""

import pytest

from budgeting.models import Process, Project
from budgeting.validation import BallotInvalid, ballot_limits, ballot_validate
from tests.budgeting.factories import process_create, project_create

pytestmark = pytest.mark.django_db


def codes(exc: BallotInvalid) -> set[str]:
    return {e.code for e in exc.error_list}


def invalid(process, ids, district="") -> BallotInvalid:
    with pytest.raises(BallotInvalid) as info:
        ballot_validate(process=process, project_ids=ids, district=district)
    return info.value


def test_knapsack_ballot_within_the_budget_is_valid():
    process = process_create(budget=50_000)
    a, b = project_create(process, cost=20_000), project_create(process, cost=30_000)
    valid = ballot_validate(process=process, project_ids=[a.pk, b.pk, a.pk])
    assert valid.total == 50_000 and valid.project_ids == sorted([a.pk, b.pk])


def test_knapsack_ballot_over_the_budget_says_by_how_much():
    process = process_create(budget=50_000)
    a, b = project_create(process, cost=30_000), project_create(process, cost=30_000)
    exc = invalid(process, [a.pk, b.pk])
    assert codes(exc) == {"over_budget"}
    assert "€10,000.00 over the budget of €50,000.00" in exc.messages[0]


def test_knapsack_ballot_under_the_minimum_share_of_the_budget():
    process = process_create(budget=100_000, knapsack_min_percent=50)
    small = project_create(process, cost=20_000)
    assert ballot_limits(process).min_total == 50_000
    exc = invalid(process, [small.pk])
    assert codes(exc) == {"under_minimum"}
    assert "at least €50,000.00 (50% of the budget)" in exc.messages[0]


def test_empty_ballot_is_under_the_minimum_number_of_projects():
    process = process_create()
    project_create(process)
    assert codes(invalid(process, [])) == {"too_few"}


def test_minimum_number_of_projects():
    process = process_create(min_projects=2)
    a = project_create(process)
    exc = invalid(process, [a.pk])
    assert codes(exc) == {"too_few"} and exc.messages == ["Choose at least 2 projects."]


def test_maximum_number_of_projects():
    process = process_create(max_projects=2)
    ids = [project_create(process, cost=1000).pk for _ in range(3)]
    exc = invalid(process, ids)
    assert codes(exc) == {"too_many"}
    assert exc.messages == ["Choose at most 2 projects (you chose 3)."]


def test_approval_of_at_most_k_projects_ignores_costs():
    process = process_create(ballot_rule=Process.BallotRule.APPROVAL, approval_max=2, budget=10)
    ids = [project_create(process, cost=50_000).pk for _ in range(3)]
    ballot_validate(process=process, project_ids=ids[:2])  # costs above the budget are fine
    assert codes(invalid(process, ids)) == {"too_many"}


def test_an_infeasible_project_is_not_on_the_ballot():
    process = process_create()
    bad = project_create(process, state=Project.State.NOT_FEASIBLE, title="Moon base")
    exc = invalid(process, [bad.pk])
    assert codes(exc) == {"not_feasible"}
    assert "“Moon base” is not on the ballot" in exc.messages[0]


def test_a_project_awaiting_review_is_not_on_the_ballot():
    process = process_create()
    waiting = project_create(process, state=Project.State.SUBMITTED, cost=None)
    assert codes(invalid(process, [waiting.pk])) == {"not_feasible"}


def test_a_project_of_another_district_is_refused():
    process = process_create(envelopes={"Centro": 50_000, "Navile": 50_000})
    mine = project_create(process, district="Centro")
    theirs = project_create(process, district="Navile", title="Navile park")
    ballot_validate(process=process, project_ids=[mine.pk], district="Centro")
    exc = invalid(process, [mine.pk, theirs.pk], district="Centro")
    assert codes(exc) == {"other_district"}
    assert "“Navile park” belongs to Navile" in exc.messages[0]


def test_the_district_envelope_is_the_budget():
    process = process_create(envelopes={"Centro": 30_000, "Navile": 70_000})
    a = project_create(process, district="Centro", cost=20_000)
    b = project_create(process, district="Centro", cost=20_000)
    assert ballot_limits(process, "Centro").budget == 30_000
    assert codes(invalid(process, [a.pk, b.pk], district="Centro")) == {"over_budget"}


def test_a_project_of_another_process_or_garbage_is_unknown():
    process = process_create()
    other = project_create(process_create())
    assert codes(invalid(process, [other.pk])) == {"unknown", "too_few"}
    assert codes(invalid(process, ["x"])) == {"unknown"}


def test_every_problem_is_reported_at_once():
    process = process_create(budget=10_000, max_projects=1)
    a, b = project_create(process, cost=8_000), project_create(process, cost=8_000)
    assert codes(invalid(process, [a.pk, b.pk])) == {"too_many", "over_budget"}
