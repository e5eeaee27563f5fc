"""Pure participatory budgeting rules: no Django, no database.

* :func:`greedy` - most votes first, skipping what no longer fits.
* :func:`method_of_equal_shares` - MES with optional Add1, greedy completion and comparison step.
* :func:`compute_file` - read a Pabulib file and apply a rule (used by ``manage.py pb_compute``).
"""

from __future__ import annotations

import os

from budgeting.rules.greedy import greedy
from budgeting.rules.mes import ADD1_VARIANTS, method_of_equal_shares
from budgeting.rules.types import Election, Explanation, RuleResult, TieBreaking

RULES = ("greedy", "mes")

__all__ = [
    "ADD1_VARIANTS",
    "RULES",
    "Election",
    "Explanation",
    "RuleResult",
    "TieBreaking",
    "compute_election",
    "compute_file",
    "greedy",
    "method_of_equal_shares",
]


def compute_election(
    election: Election,
    rule: str,
    *,
    comparison: bool = False,
    tie_breaking: TieBreaking | str = "lexicographic",
    add1_variant: str = "pabutools",
    min_votes: int = 0,
) -> RuleResult:
    """``greedy``, or ``mes`` = MES + Add1 + greedy completion (+ the comparison step).

    ``min_votes`` is the vote threshold (projects nobody voted for are never selected anyway).
    """
    if rule == "greedy":
        if comparison:
            raise ValueError("the comparison step only applies to the 'mes' rule")
        return greedy(election, tie_breaking=tie_breaking, min_votes=min_votes)
    if rule == "mes":
        return method_of_equal_shares(
            election,
            add1=True,
            add1_variant=add1_variant,
            completion="greedy",
            comparison=comparison,
            tie_breaking=tie_breaking,
            min_votes=min_votes,
        )
    raise ValueError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")


def compute_file(
    path: str | os.PathLike,
    rule: str,
    *,
    comparison: bool = False,
    tie_breaking: TieBreaking | str = "lexicographic",
    add1_variant: str = "pabutools",
    min_votes: int | None = None,
) -> RuleResult:
    """Parse a Pabulib file and compute ``rule`` on it (see :func:`compute_election`).

    ``min_votes=None`` takes the threshold from the file's META ``min_project_score_threshold``
    (none if absent). Raises :class:`budgeting.pabulib.PabulibError` on a malformed file.
    """
    # the rules themselves do not need the parser
    from budgeting.pabulib import election_from_pabulib, file_threshold, parse_pabulib

    data = parse_pabulib(path)
    return compute_election(
        election_from_pabulib(data),
        rule,
        comparison=comparison,
        tie_breaking=tie_breaking,
        add1_variant=add1_variant,
        min_votes=file_threshold(data) if min_votes is None else min_votes,
    )
