"""The standard greedy rule: most votes first, skipping projects that no longer fit.

This is what CONSUL and most cities use. It equals pabutools'
``greedy_utilitarian_welfare(..., sat_class=Cost_Sat)``: with cost satisfaction the "satisfaction
per unit of cost" of a project is exactly its number of votes. Unlike pabutools, a project nobody
voted for is never selected (pabutools selects it last if it fits), and a ``min_votes`` threshold
(a "greedy-threshold" rule, as in Łódź) excludes projects with fewer votes.
"""

from __future__ import annotations

from collections.abc import Iterable

from budgeting.rules.types import (
    BELOW_MIN_VOTES,
    GREEDY_DID_NOT_FIT,
    GREEDY_SELECTED,
    NO_VOTES,
    Election,
    Explanation,
    Money,
    RuleResult,
    TieBreaking,
    ids_of,
    vote_threshold,
)


def greedy_order(election: Election, tie_breaking: TieBreaking | str | None = None) -> list[int]:
    """Project indices by decreasing votes, ties broken by ``tie_breaking``."""
    keys = TieBreaking.coerce(tie_breaking).greedy_keys(election)
    return sorted(range(election.num_projects), key=keys.__getitem__)


def greedy_fill(
    election: Election,
    already: Iterable[int],
    *,
    tie_breaking: TieBreaking | str | None = None,
    min_votes: int = 0,
    selected_code: str = GREEDY_SELECTED,
    not_fit_code: str = GREEDY_DID_NOT_FIT,
) -> tuple[list[int], dict[int, Explanation]]:
    """Add projects to ``already`` in greedy order while money remains.

    Returns the added indices (in order) and an explanation for every project outside
    ``already``. Used both by the greedy rule (``already`` empty) and by greedy completion.
    Projects with fewer than :func:`~budgeting.rules.types.vote_threshold` votes are skipped.
    """
    needed = vote_threshold(min_votes)
    chosen = set(already)
    remaining: Money = election.budget - sum((election.costs[j] for j in chosen), 0)
    votes = election.approval_counts
    added: list[int] = []
    explanations: dict[int, Explanation] = {}
    for rank, j in enumerate(greedy_order(election, tie_breaking), start=1):
        if j in chosen:
            continue
        cost = election.costs[j]
        if votes[j] == 0:
            explanations[j] = Explanation(NO_VOTES, {"votes": 0, "cost": cost})
        elif votes[j] < needed:
            explanations[j] = Explanation(
                BELOW_MIN_VOTES, {"votes": votes[j], "min_votes": min_votes}
            )
        elif cost <= remaining:
            explanations[j] = Explanation(
                selected_code,
                {
                    "rank": rank,
                    "votes": votes[j],
                    "cost": cost,
                    "remaining_before": remaining,
                    "remaining_after": remaining - cost,
                },
            )
            remaining -= cost
            added.append(j)
        else:
            explanations[j] = Explanation(
                not_fit_code,
                {"rank": rank, "votes": votes[j], "cost": cost, "remaining": remaining},
            )
    return added, explanations


def greedy(
    election: Election,
    *,
    tie_breaking: TieBreaking | str | None = None,
    min_votes: int = 0,
) -> RuleResult:
    """Select projects by decreasing number of votes, skipping those that no longer fit.

    ``did not fit`` explanations report the money remaining when the project's turn came.
    """
    tb = TieBreaking.coerce(tie_breaking)
    added, explanations = greedy_fill(election, (), tie_breaking=tb, min_votes=min_votes)
    selected = ids_of(election, added)
    return RuleResult(
        rule="greedy",
        selected=selected,
        total_cost=sum((election.costs[j] for j in added), 0),
        explanations={election.project_ids[j]: e for j, e in explanations.items()},
        details={"tie_breaking": tb.mode, "min_votes": min_votes},
    )
