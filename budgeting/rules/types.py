"""Plain data types shared by the participatory budgeting rules.

Nothing here knows about Django or the database: an :class:`Election` is built from a Pabulib
file, from the ballots stored by the Django layer, or by hand in a test, and every rule returns a
:class:`RuleResult`. Explanations are structured records (a code plus numbers) that the Django
layer turns into translated sentences; they are never prose.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from itertools import chain
from typing import Any, Literal

import numpy as np

Money = int | Fraction
"""Costs and budgets: integers (currency units), or exact fractions when a file has decimals."""


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects.

    Parsing 90,000 ballots creates hundreds of thousands of tuples and strings, none of them in
    reference cycles; the collector would otherwise rescan them over and over (3x slower).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def as_money(value: Any) -> Money:
    """Normalise a cost or budget to an ``int`` when integral, otherwise an exact ``Fraction``.

    Accepts ints, Fractions, Decimals and strings such as ``"1000000.0"`` or ``"1546168.66"``.
    Floats are refused: they would silently bring rounding into exact rules.
    """
    if isinstance(value, (bool, float)):
        raise TypeError(f"money must be an int, Fraction, Decimal or str, not {value!r}")
    if isinstance(value, int):
        return value
    number = (
        Fraction(value.strip().replace(",", ".")) if isinstance(value, str) else Fraction(value)
    )
    num, den = int(number.numerator), int(number.denominator)  # plain ints, even from gmpy2
    return num if den == 1 else Fraction(num, den)


@dataclass(frozen=True)
class Election:
    """An approval election: projects with costs, a budget, and one ballot per voter.

    ``ballots`` may be given as sequences of project indices (ints) or of project ids (strs); they
    are stored as sorted tuples of unique indices. Empty ballots are kept: they count as voters
    (they receive a share of the budget under the Method of Equal Shares).
    """

    project_ids: tuple[str, ...]
    costs: tuple[Money, ...]
    budget: Money
    ballots: tuple[tuple[int, ...], ...]
    names: tuple[str, ...] | None = None
    declared_votes: tuple[int, ...] | None = None
    """Vote counts as printed in a source file, if any; rules always count ``ballots`` instead."""

    def __post_init__(self) -> None:
        ids = tuple(str(p) for p in self.project_ids)
        if len(set(ids)) != len(ids):
            raise ValueError("project ids must be unique")
        costs = tuple(as_money(c) for c in self.costs)
        if len(costs) != len(ids):
            raise ValueError("there must be exactly one cost per project")
        if any(c < 0 for c in costs):
            raise ValueError("costs must not be negative")
        budget = as_money(self.budget)
        if budget < 0:
            raise ValueError("the budget must not be negative")
        index = {p: i for i, p in enumerate(ids)}
        ballots = _checked_index_ballots(self.ballots, len(ids))
        if ballots is None:
            with gc_paused():
                ballots = tuple(_normalise_ballot(b, index, len(ids)) for b in self.ballots)
        for name, values in (("names", self.names), ("declared_votes", self.declared_votes)):
            if values is not None and len(values) != len(ids):
                raise ValueError(f"{name} must have one entry per project")
        object.__setattr__(self, "project_ids", ids)
        object.__setattr__(self, "costs", costs)
        object.__setattr__(self, "budget", budget)
        object.__setattr__(self, "ballots", ballots)
        if self.names is not None:
            object.__setattr__(self, "names", tuple(self.names))
        if self.declared_votes is not None:
            object.__setattr__(self, "declared_votes", tuple(int(v) for v in self.declared_votes))

    @property
    def num_projects(self) -> int:
        return len(self.project_ids)

    @property
    def num_voters(self) -> int:
        return len(self.ballots)

    @cached_property
    def index(self) -> dict[str, int]:
        """Project id -> position in ``project_ids``."""
        return {p: i for i, p in enumerate(self.project_ids)}

    @cached_property
    def approval_counts(self) -> tuple[int, ...]:
        """Number of ballots approving each project."""
        counts = [0] * self.num_projects
        for ballot in self.ballots:
            for j in ballot:
                counts[j] += 1
        return tuple(counts)

    def cost_of(self, project_ids: Iterable[str]) -> Money:
        return sum((self.costs[self.index[p]] for p in project_ids), 0)


def _checked_index_ballots(ballots: Iterable, m: int) -> tuple | None:
    """Fast path: if every ballot is already a sorted tuple of unique valid indices, keep them.

    Checked in bulk with numpy (Łódź: 90,494 ballots in milliseconds); ``None`` means "normalise
    one by one".
    """
    ballots = tuple(ballots)
    if not all(type(b) is tuple for b in ballots):
        return None
    lengths = np.fromiter(map(len, ballots), dtype=np.int64, count=len(ballots))
    # np.asarray keeps strings as strings (np.fromiter with an int dtype would turn the id "0"
    # into index 0); anything but integers takes the slow path, which maps ids to indices.
    flat = np.asarray(list(chain.from_iterable(ballots)))
    if flat.size and flat.dtype.kind not in "iu":
        return None
    flat = flat.astype(np.int64, copy=False)
    if flat.size and (flat.min() < 0 or flat.max() >= m):
        return None
    if flat.size > 1:
        increasing = np.diff(flat) > 0
        starts = np.cumsum(lengths)[:-1]
        starts = starts[(starts > 0) & (starts < flat.size)]
        increasing[starts - 1] = True  # a new ballot may start lower
        if not increasing.all():
            return None
    return ballots


def _normalise_ballot(ballot: Iterable[int | str], index: Mapping[str, int], m: int) -> tuple:
    if (
        type(ballot) is tuple
        and all(type(j) is int and 0 <= j < m for j in ballot)
        and all(a < b for a, b in zip(ballot, ballot[1:], strict=False))
    ):
        return ballot  # already sorted unique indices (the common, fast case)
    out = set()
    for item in ballot:
        if isinstance(item, str):
            if item not in index:
                raise ValueError(f"ballot names an unknown project {item!r}")
            out.add(index[item])
        else:
            j = int(item)
            if not 0 <= j < m:
                raise ValueError(f"ballot names an unknown project index {j}")
            out.add(j)
    return tuple(sorted(out))


TieBreakingMode = Literal["lexicographic", "equalshares"]


@dataclass(frozen=True)
class TieBreaking:
    """How ties between projects are broken.

    * ``lexicographic``: the smallest project id (Python string order) wins, as pabutools'
      ``lexico_tie_breaking`` does (note that ``"10" < "9"``).
    * ``equalshares``: equalshares.net's recommendation: lower cost first, then more votes, then
      the position in ``lot_order`` (a published order drawn by lot before counting); projects
      missing from ``lot_order`` come after the listed ones, by id.
    """

    mode: TieBreakingMode = "lexicographic"
    lot_order: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.mode not in ("lexicographic", "equalshares"):
            raise ValueError(f"unknown tie-breaking mode {self.mode!r}")
        object.__setattr__(self, "lot_order", tuple(self.lot_order))

    @classmethod
    def coerce(cls, value: TieBreaking | str | None) -> TieBreaking:
        if value is None:
            return cls()
        if isinstance(value, TieBreaking):
            return value
        return cls(mode=value)  # type: ignore[arg-type]

    def _lot_positions(self, election: Election) -> list[tuple[int, str]]:
        lot = {p: i for i, p in enumerate(self.lot_order)}
        big = len(lot)
        return [(lot.get(p, big), p) for p in election.project_ids]

    def mes_keys(self, election: Election) -> list[tuple]:
        """Sort key per project index; among projects tied in MES the smallest key wins."""
        if self.mode == "lexicographic":
            return [(p,) for p in election.project_ids]
        votes = election.approval_counts
        lots = self._lot_positions(election)
        return [(election.costs[j], -votes[j], *lots[j]) for j in range(election.num_projects)]

    def greedy_keys(self, election: Election) -> list[tuple]:
        """Sort key per project index for greedy: more votes first, then the tie-breaking."""
        votes = election.approval_counts
        if self.mode == "lexicographic":
            return [(-votes[j], p) for j, p in enumerate(election.project_ids)]
        lots = self._lot_positions(election)
        return [(-votes[j], election.costs[j], *lots[j]) for j in range(election.num_projects)]


# Explanation codes. The Django layer maps each code to a translated sentence; ``data`` holds the
# numbers it needs (money as ``Fraction``/``int``, counts as ``int``).
GREEDY_SELECTED = "greedy_selected"  # data: rank, votes, remaining_before, remaining_after
GREEDY_DID_NOT_FIT = "greedy_did_not_fit"  # data: rank, votes, cost, remaining
BELOW_MIN_VOTES = "below_min_votes"  # data: votes, min_votes
NO_VOTES = "no_votes"  # nobody voted for it: never funded, whatever the rule
MES_SELECTED = "mes_selected"  # data: round, rho, effective_votes, per_voter_budget, payers...
MES_SELECTED_ADD1 = "mes_selected_add1"  # as MES_SELECTED, only reached thanks to Add1
MES_ZERO_COST = "mes_zero_cost"  # a free project with supporters, selected first
MES_NOT_AFFORDABLE = "mes_not_affordable"  # data: cost, money_left, short_by, per_voter_budget
MES_NO_SUPPORTERS = "mes_no_supporters"  # nobody approved it
COMPLETION_SELECTED = "completion_selected"  # added by greedy completion: remaining_before...
COMPLETION_DID_NOT_FIT = "completion_did_not_fit"  # data: cost, remaining
COMPARISON_GREEDY_WON = "comparison_greedy_won"  # the greedy outcome replaced MES (see steps)


@dataclass(frozen=True)
class Explanation:
    """Why one project was selected or not: a ``code`` and the numbers behind it.

    ``steps`` keeps what earlier stages said (for instance MES said "not affordable" before greedy
    completion said "did not fit the remaining money").
    """

    code: str
    data: Mapping[str, Any] = field(default_factory=dict)
    steps: tuple[Explanation, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form: fractions become strings such as ``"1234/7"``."""
        return {
            "code": self.code,
            "data": {k: _jsonable(v) for k, v in self.data.items()},
            "steps": [s.as_dict() for s in self.steps],
        }


def _jsonable(value: Any) -> Any:
    """Fractions with a finite decimal form become decimal strings ("12.5"), others "p/q"."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return value.numerator
        places = 0
        while (value * 10**places).denominator != 1 and places < 30:
            places += 1
        scaled = value * 10**places
        if scaled.denominator != 1:
            return str(value)
        return str(Decimal(scaled.numerator).scaleb(-places))
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class RuleResult:
    """The outcome of a rule: ``selected`` ids in selection order and one explanation per project.

    ``details`` holds rule-level numbers (for MES: the final per-voter budget, the number of Add1
    steps, the comparison counts...).
    """

    rule: str
    selected: tuple[str, ...]
    total_cost: Money
    explanations: Mapping[str, Explanation]
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def selected_set(self) -> frozenset[str]:
        return frozenset(self.selected)


def vote_threshold(min_votes: int) -> int:
    """The votes a project needs to be funded: ``min_votes``, and never fewer than one.

    No rule, completion or comparison step funds a project nobody voted for (pabutools' greedy
    and equalshares.net's completion would, when it fits); a city's threshold only raises this.
    """
    if min_votes < 0:
        raise ValueError("the vote threshold must not be negative")
    return max(1, int(min_votes))


def ids_of(election: Election, indices: Sequence[int]) -> tuple[str, ...]:
    return tuple(election.project_ids[j] for j in indices)
