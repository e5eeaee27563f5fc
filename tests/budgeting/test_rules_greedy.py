"""The greedy rule: hand-made cases, and pabutools / recorded outcomes on real Pabulib files."""

from __future__ import annotations

import pytest

from budgeting.pabulib import parse_pabulib
from budgeting.rules import Election, TieBreaking, greedy
from budgeting.rules.types import BELOW_MIN_VOTES, GREEDY_DID_NOT_FIT, GREEDY_SELECTED, NO_VOTES
from tests.budgeting.conftest import file_params, our_election, pabutools_election


def election(costs, budget, ballots, ids=None):
    ids = ids or [f"p{i}" for i in range(len(costs))]
    return Election(tuple(ids), tuple(costs), budget, tuple(ballots))


def test_greedy_takes_most_voted_first_and_skips_projects_that_no_longer_fit():
    e = election([60, 50, 30, 10], 100, [(0, 1), (0, 1), (0, 2), (1, 2, 3), (0,)])
    result = greedy(e)
    # votes: p0=4, p1=3, p2=2, p3=1; p0 (60) fits, p1 (50) does not, p2 (30) and p3 (10) do.
    assert result.selected == ("p0", "p2", "p3")
    assert result.total_cost == 100


def test_greedy_explains_every_project_with_the_money_remaining_at_its_turn():
    e = election([60, 50, 30, 10], 100, [(0, 1), (0, 1), (0, 2), (1, 2, 3), (0,)])
    ex = greedy(e).explanations
    assert ex["p0"].code == GREEDY_SELECTED
    assert ex["p0"].data["remaining_before"] == 100
    assert ex["p0"].data["remaining_after"] == 40
    assert ex["p1"].code == GREEDY_DID_NOT_FIT
    assert ex["p1"].data == {"rank": 2, "votes": 3, "cost": 50, "remaining": 40}


def test_lexicographic_ties_go_to_the_smallest_id_in_string_order_as_in_pabutools():
    # "10" < "9" as strings: pabutools' lexico_tie_breaking compares project names.
    e = election([5, 5], 5, [(0,), (1,)], ids=["9", "10"])
    assert greedy(e).selected == ("10",)


def test_equalshares_ties_go_to_lower_cost_then_to_the_published_lot_order():
    e = election([5, 4, 4], 8, [(0,), (1,), (2,)], ids=["a", "b", "c"])
    assert greedy(e, tie_breaking="equalshares").selected == ("b", "c")
    lot = TieBreaking("equalshares", lot_order=("c", "b", "a"))
    assert greedy(e, tie_breaking=lot).selected == ("c", "b")
    assert greedy(e).selected == ("a",)  # lexicographic: a, then b (4) does not fit in 3


def test_a_vote_threshold_excludes_projects_with_too_few_votes():
    e = election([10, 10], 100, [(0,), (0,), (1,)])
    result = greedy(e, min_votes=2)
    assert result.selected == ("p0",)
    assert result.explanations["p1"].code == BELOW_MIN_VOTES


def test_a_project_one_vote_under_the_threshold_is_not_selected_and_one_at_it_is():
    e = election([10, 10], 100, [(0, 1), (0, 1), (0,)])  # p0: 3 votes, p1: 2
    assert greedy(e, min_votes=3).selected == ("p0",)
    assert greedy(e, min_votes=3).explanations["p1"].data == {"votes": 2, "min_votes": 3}
    assert greedy(e, min_votes=2).selected == ("p0", "p1")


def test_projects_nobody_voted_for_are_never_selected_unlike_pabutools():
    e = election([10, 5], 20, [(0,)])
    result = greedy(e)
    assert result.selected == ("p0",)
    assert result.explanations["p1"].code == NO_VOTES


def test_greedy_never_spends_more_than_the_budget_with_fractional_budgets():
    e = election([3, 4], "6.5", [(0,), (1,), (1,)])
    result = greedy(e)
    assert result.selected == ("p1",)
    assert result.total_cost <= e.budget


@pytest.mark.parametrize("name", file_params())
def test_greedy_selects_the_same_projects_as_pabutools(name, pabulib_folder):
    from pabutools.election import Cost_Sat
    from pabutools.rules import greedy_utilitarian_welfare

    path = str(pabulib_folder / name)
    instance, profile = pabutools_election(path)
    expected = [p.name for p in greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)]
    e = our_election(path)
    ours = greedy(e)
    # pabutools selects projects nobody voted for last, when they fit; we never do. They come
    # after every voted project, so nothing else changes.
    expected = [p for p in expected if e.approval_counts[e.index[p]] > 0]
    assert set(ours.selected) == set(expected)
    # pabutools puts free projects last (their "votes per cost" is 0 under Cost_Sat); they never
    # change what else fits, so only the order of the paid projects must agree.
    paid = [p for p in expected if e.costs[e.index[p]] > 0]
    assert [p for p in ours.selected if e.costs[e.index[p]] > 0] == paid


@pytest.mark.parametrize(
    "name",
    file_params(
        [
            "Poland_Lodz_2022.pb",
            "Poland_Warszawa_2021_Bemowo.pb",
            "Poland_Warszawa_2021_Mokotow.pb",
            "Poland_Krakow_2024_Stare_Miasto.pb",
        ],
        slow=set(),
    ),
)
def test_greedy_reproduces_the_outcome_recorded_in_files_decided_by_greedy(name, pabulib_folder):
    data = parse_pabulib(pabulib_folder / name)
    assert data.meta["rule"] in ("greedy", "greedy-threshold")
    recorded = {p.project_id for p in data.projects if p.fields["selected"] == "1"}
    threshold = int(data.meta.get("min_project_score_threshold", 0))
    assert set(greedy(our_election(str(pabulib_folder / name)), min_votes=threshold).selected) == (
        recorded
    )


def test_string_ids_that_look_like_indices_are_mapped_as_ids():
    from budgeting.rules import compute_election
    from budgeting.rules.types import Election

    election = Election(
        project_ids=("2", "0", "1"),
        costs=(10, 10, 10),
        budget=20,
        ballots=(("0",), ("0", "1"), ("0",)),
    )
    assert election.approval_counts == (0, 3, 1)
    assert list(compute_election(election, rule="greedy").selected) == ["0", "1"]
