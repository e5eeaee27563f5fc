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
) -> RuleResult:
    """``greedy``, or ``mes`` = MES + Add1 + greedy completion (+ the comparison step)."""
    if rule == "greedy":
        if comparison:
            raise ValueError("the comparison step only applies to the 'mes' rule")
        return greedy(election, tie_breaking=tie_breaking)
    if rule == "mes":
        return method_of_equal_shares(
            election,
            add1=True,
            add1_variant=add1_variant,
            completion="greedy",
            comparison=comparison,
            tie_breaking=tie_breaking,
        )
    raise ValueError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")


def compute_file(
    path: str | os.PathLike,
    rule: str,
    *,
    comparison: bool = False,
    tie_breaking: TieBreaking | str = "lexicographic",
    add1_variant: str = "pabutools",
) -> RuleResult:
    """Parse a Pabulib file and compute ``rule`` on it (see :func:`compute_election`).

    Raises :class:`budgeting.pabulib.PabulibError` on a malformed file.
    """
    from budgeting.pabulib import read_election  # the rules themselves do not need the parser

    return compute_election(
        read_election(path),
        rule,
        comparison=comparison,
        tie_breaking=tie_breaking,
        add1_variant=add1_variant,
    )
