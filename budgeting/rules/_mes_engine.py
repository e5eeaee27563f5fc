"""Two engines computing one run of the Method of Equal Shares at a fixed per-voter budget.

Both compute exactly what pabutools' ``method_of_equal_shares(..., sat_class=Cost_Sat)`` computes
(approval ballots, cost utilities): at each round, among the projects whose supporters still hold
at least the project's cost, select the one with the smallest ``rho / cost`` (``rho`` being the
largest payment asked of a supporter, the others paying all they have left), ties broken by a
fixed key. See ``budgeting.rules.mes`` for the whole picture and ``docs/decisions/002-mes-add1.md``.

* :func:`run_float` works on numpy float64 arrays of *groups* of voters with identical ballots. It
  carries, next to every budget, a running bound on its rounding error; whenever a decision
  (affordable or not, which project is the cheapest, a tie) is closer than that bound allows to
  decide, it gives up and returns ``None``. Each float run also records, per round, a lower
  bound on the other projects' ratios, so that two runs can prove that every budget between
  them has their outcome (:func:`brackets`, :func:`run_bracketing`: how Add1 skips steps).
* :func:`run_exact` decides everything with ``gmpy2.mpq`` rationals. Voters with the same budget
  share a *class*, so exact work per round is proportional to the number of distinct budgets among
  the supporters, not to the number of voters.

:func:`run` tries the float engine and falls back to the exact one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial as partial_fn
from itertools import chain
from math import inf

import gmpy2
import numpy as np

from budgeting.rules import _mes_kernel
from budgeting.rules.types import Election, TieBreaking, vote_threshold

EPS = 2.0**-52
SAFETY = 64.0
"""Decisions closer than SAFETY times the first-order rounding-error bound are decided exactly."""


class Prepared:
    """An election compiled for repeated MES runs: groups of identical ballots, supporters."""

    def __init__(self, election: Election, tie_breaking: TieBreaking, min_votes: int = 0) -> None:
        m = election.num_projects
        counter = Counter(election.ballots)
        groups = list(counter)
        lengths = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
        flat = np.fromiter(chain.from_iterable(groups), dtype=np.int64, count=int(lengths.sum()))
        group_of_entry = np.repeat(np.arange(len(groups), dtype=np.int64), lengths)
        # A stable sort of small integers is a radix sort in numpy (Łódź: 1 ms instead of 4).
        order = np.argsort(flat.astype(np.int16) if m < 2**15 else flat, kind="stable")
        bounds = np.searchsorted(flat[order], np.arange(m + 1))
        entries = group_of_entry[order]
        self.election = election
        self.groups = groups
        self.flat = flat
        self.group_of_entry = group_of_entry
        self.counts = np.fromiter(counter.values(), dtype=np.int64, count=len(groups))
        self.counts_f = self.counts.astype(np.float64)
        self.supporters = [entries[bounds[j] : bounds[j + 1]] for j in range(m)]
        self.supporter_counts = [self.counts_f[s] for s in self.supporters]
        self.votes = [int(self.counts[s].sum()) for s in self.supporters]
        self.votes_f = [float(n) for n in self.votes]
        self.costs = election.costs
        self.costs_f = [float(c) for c in election.costs]
        self.costs_q = [gmpy2.mpq(c.numerator, c.denominator) for c in map(Fraction, self.costs)]
        self.n_voters = election.num_voters
        self.tie_keys = tie_breaking.mes_keys(election)
        # pabutools selects free projects that someone approves before the first round, and only
        # runs MES on projects with a positive cost and at least one supporter ("active"). A
        # vote threshold takes the projects below it out of both (their supporters keep their
        # money for the others).
        self.min_votes = min_votes
        needed = vote_threshold(min_votes)
        self.free = [j for j in range(m) if self.votes[j] >= needed and self.costs[j] == 0]
        self.active = [j for j in range(m) if self.votes[j] >= needed and self.costs[j] > 0]
        self.initial_ratio = np.full(m, inf)
        for j in self.active:
            self.initial_ratio[j] = 1.0 / self.votes[j]
        # The compiled kernel's view (_mes_kernel): supporters of project j are the groups
        # k_sup[k_indptr[j]:k_indptr[j + 1]] (int32: half the memory to stream), group g holding
        # k_cnt[g] voters; tie-break keys as ranks.
        self.use_kernel = _mes_kernel.AVAILABLE
        self.k_indptr = bounds.astype(np.int64)
        self.k_sup = entries.astype(np.int32)
        self.k_cnt = self.counts_f
        self.k_costs = np.array(self.costs_f, dtype=np.float64)
        self.k_votes = np.array(self.votes_f, dtype=np.float64)
        self.k_alive = np.zeros(m, dtype=bool)
        self.k_alive[self.active] = True
        distinct = {key: rank for rank, key in enumerate(sorted(set(self.tie_keys)))}
        self.k_tie_rank = np.array([distinct[k] for k in self.tie_keys], dtype=np.int64)

    def satisfaction(self, selected: set[int]) -> np.ndarray:
        """Number of selected projects each group approves."""
        hit = np.zeros(len(self.costs) + 1, dtype=np.int64)
        hit[list(selected)] = 1
        return np.bincount(self.group_of_entry, weights=hit[self.flat], minlength=len(self.groups))


@dataclass
class Round:
    project: int
    rho: Fraction | float  # payment asked of every supporter who could afford it
    full_payers: int  # voters paying rho
    partial_payers: int  # voters paying everything they had left (less than rho)
    tied_with: tuple[int, ...] = ()  # projects with exactly the same rho/cost, lost the tie
    ratio_max: float = inf  # a float certainly >= this round's rho / cost
    ratio: Fraction | None = None  # rho / cost exactly, when known (see exact_ratio)
    pending: tuple | None = field(default=None, repr=False, compare=False)
    """What :func:`_exact_ratio_of` needs to find ``ratio``, until it is asked for."""

    def exact_ratio(self) -> Fraction | None:
        """``rho / cost`` exactly when the float run pins it down (computed on first use)."""
        if self.pending is not None:
            self.ratio, self.pending = _exact_ratio_of(*self.pending), None
        return self.ratio


@dataclass
class Run:
    per_voter_budget: Fraction
    winners: list[int]  # free projects first, then one per round
    rounds: list[Round]
    left: dict[int, Fraction | float] | Callable[[], dict[int, Fraction | float]]
    exact: bool
    replay: _mes_kernel.Replay | None = field(default=None, repr=False, compare=False)
    """What :func:`certifies` and :func:`predict` replay (kernel runs only)."""
    lower_arrays: tuple | None = field(default=None, repr=False, compare=False)
    """The rounds as the kernel reads a lower run (see :func:`_lower_arrays`), once built."""
    rival_low: list[float] | None = field(default=None, repr=False, compare=False)
    """Per round, a float certainly at most the ratio of every other project still
    affordable (float runs only; see :func:`brackets`), except those counted in ``rival_tie_n``."""
    rival_tie_n: list[int] | None = field(default=None, repr=False, compare=False)
    """Per round, the largest ``n`` of the projects left out of ``rival_low`` because they lose
    the tie-break to the winner and ask exactly ``1 / n`` (0: none)."""

    @property
    def money_left(self) -> dict[int, Fraction | float]:
        """Money the supporters of each active project not selected hold at the end."""
        if callable(self.left):
            self.left = self.left()  # the float engine computes it when first asked
        return self.left


def run(prep: Prepared, b: Fraction, *, exact: bool = False) -> Run:
    """One MES run at per-voter budget ``b``: fast path if it can decide everything, else exact."""
    if not exact:
        result = run_float(prep, b)
        if result is not None:
            return result
    return run_exact(prep, b)


def run_bracketing(prep: Prepared, b: Fraction, lower: Run, upper: Run | None = None) -> Run:
    """The run at ``b`` (exact when floats cannot decide), made to bracket with ``lower``.

    An ordinary run: its outcome is MES at ``b`` whatever happens. While it selects ``lower``'s
    winners, each round also evaluates the projects whose bound is at or below ``lower``'s
    ratio of that round, so that its ``rival_low`` is tight where :func:`brackets` looks. With
    ``upper``, a kernel run at a higher budget: while it selects ``upper``'s winners, what
    ``upper`` found unaffordable is not looked at again, and its bounds on the ratios hold.
    """
    result = _run_kernel(prep, b, lower, upper) if prep.use_kernel else _UNHANDLED
    if result is _UNHANDLED:
        floor = [(r.project, r.ratio_max) for r in lower.rounds]
        result = run_float_numpy(prep, b, floor=floor)
    return result if result is not None else run_exact(prep, b)


def brackets(lo: Run, hi: Run) -> bool:
    """True if every per-voter budget between ``lo``'s and ``hi``'s has their outcome.

    Both runs must select the same projects in the same rounds and end there. For that fixed
    sequence, every voter's money after each round is non-decreasing in the per-voter budget
    ``b``, and so every project's ``rho`` (hence ``rho / cost``) non-increasing, and its
    supporters' money non-decreasing (induction over the rounds; see decision 002). Take ``b``
    in between, and suppose rounds ``1..t-1`` at ``b`` selected the sequence. At round ``t``,
    the winner ``w`` of ``lo`` is affordable at ``b`` (its supporters hold at least what they
    held at ``lo``) and asks at most what it asked at ``lo`` (``<= lo.ratio_max``); every
    other project is either unaffordable at ``b`` (it is at ``hi``, where its supporters held
    at least as much: this includes those ``hi`` found unaffordable in an earlier round, as
    money only shrinks over rounds) or asks at least what it asks at ``hi``, which is at least
    ``hi.rival_low[t]``. So if ``hi.rival_low[t] > lo.ratio_max`` for every round, ``w``
    strictly wins round ``t`` at ``b``, and after the last round nothing is affordable at
    ``b`` since nothing is at ``hi``. A project left out of ``rival_low`` because it asks
    exactly ``1 / n`` at ``hi`` and loses the tie-break to ``w`` (``rival_tie_n``) is fine when
    ``1 / n`` is at least ``w``'s exact ratio at ``lo``: at ``b`` it asks at least as much as
    ``w`` and loses a tie.
    """
    if hi.rival_low is None or lo.winners != hi.winners or len(lo.rounds) != len(hi.rounds):
        return False
    for low, tie_n, r in zip(hi.rival_low, hi.rival_tie_n, lo.rounds, strict=True):
        if not low > r.ratio_max:
            return False
        if tie_n:
            q = r.exact_ratio()
            if q is None or Fraction(1, tie_n) < q:
                return False
    return True


def certifies(prep: Prepared, lo: Run, hi: Run) -> bool:
    """True if every per-voter budget between ``lo``'s and ``hi``'s has their outcome, where
    :func:`brackets` may not see it: rivals that come closer than ``lo``'s winner asked are
    followed over the whole stretch (``_mes_kernel._certify``; decision 002, item 8).

    For a fixed sequence of winners, the gap between a rival's ratio and the winner's is
    bounded below by its values at both ends and bounds on how fast each ratio falls; those
    come from the supporters who certainly pay ``rho``, certainly pay all they have, or may
    switch in between, and from bounds on how fast each voter's money grows, carried through
    the rounds. Kernel runs only; ``False`` whenever it cannot tell.
    """
    if (
        lo.replay is None
        or hi.replay is None
        or hi.replay.e_round is None
        or lo.winners != hi.winners
        or len(lo.rounds) != len(hi.rounds)
        or prep.k_sup.size > _mes_kernel.MAX_CERTIFIED_ENTRIES
    ):
        return False
    return _mes_kernel.certify(prep, lo.replay, hi.replay)


def predict(prep: Prepared, lo: Run, hi: Run) -> float | None:
    """A guess of the per-voter budget between two runs where their first differing round
    changes hands (linear interpolation), or ``None``; only to choose the next run."""
    if lo.replay is None or hi.replay is None:
        return None
    guess = _mes_kernel.predict(prep, lo.replay, hi.replay)
    return guess if lo.replay.b < guess < hi.replay.b else None


def extrapolate(lo: Run, hi: Run) -> float | None:
    """A guess of the per-voter budget above ``hi`` where the outcome of two runs with the same
    winners first changes: where a rival evaluated in the same round by both comes level with
    the winner, extrapolating the gap linearly; ``None`` without such a rival closing in."""
    a, z = lo.replay, hi.replay
    if a is None or z is None or z.e_round is None or a.e_round is None:
        return None
    at_lo = {
        (t, j): x - a.upper[t]
        for t, j, x in zip(a.e_round.tolist(), a.e_proj.tolist(), a.e_low.tolist(), strict=True)
        if x != inf and j != a.proj[t]
    }
    best = None
    for t, j, x in zip(z.e_round.tolist(), z.e_proj.tolist(), z.e_low.tolist(), strict=True):
        before = at_lo.get((t, j))
        if before is None or x == inf or j == z.proj[t]:
            continue
        now = x - z.upper[t]
        if now < before:
            guess = z.b + now * (z.b - a.b) / (before - now)
            best = guess if best is None else min(best, guess)
    return best


def _rho_float(vs: np.ndarray, ns: np.ndarray, c: float, votes: float):
    """Solve sum(n * min(v, rho)) = c; returns (rho, poor mask, paying voters).

    Starting from ``c / votes``, refine the set of supporters who cannot pay rho (it only
    grows) until it stays the same; each pass is one comparison and one matrix-vector product
    giving both the money and the number of those supporters.
    """
    rho = c / votes
    poor = vs < rho
    if not poor.any():
        return rho, poor, votes
    both = np.empty((2, vs.size))
    np.multiply(vs, ns, out=both[0])
    both[1] = ns
    paid, n_poor = (both @ poor).tolist()
    for _ in range(8):
        n_rich = votes - n_poor
        if n_rich <= 0:
            return None
        rho = (c - paid) / n_rich
        poor = vs < rho
        paid, count = (both @ poor).tolist()
        if count == n_poor:
            return rho, poor, n_rich
        n_poor = count
    # Unusually many rounds of refinement: sort once instead.
    o = np.argsort(vs)
    vso, nso = vs[o], ns[o]
    pay = np.concatenate(([0.0], np.cumsum((vso * nso)[:-1])))
    den = votes - np.concatenate(([0.0], np.cumsum(nso[:-1])))
    with np.errstate(divide="ignore", invalid="ignore"):
        rho_all = (c - pay) / den
    k = int(np.argmax(rho_all <= vso))
    if not rho_all[k] <= vso[k]:
        return None
    rho = float(rho_all[k])
    return rho, vs < rho, float(den[k])


def run_float(prep: Prepared, b: Fraction) -> Run | None:
    """MES at ``b`` in floats with error bounds; ``None`` when a decision is too close to call.

    The compiled kernel (``_mes_kernel``) does the run when numba is there; the numpy engine
    (:func:`run_float_numpy`, same decisions) when it is not, or for the rare cases the kernel
    leaves to it.
    """
    if prep.use_kernel:
        result = _run_kernel(prep, b, None)
        if result is not _UNHANDLED:
            return result
    return run_float_numpy(prep, b)


_UNHANDLED = object()


def _lower_arrays(lower: Run) -> tuple:
    """Per round of ``lower``: winner and ``ratio_max``, as the kernel reads them."""
    if lower.lower_arrays is None:
        lower.lower_arrays = (
            np.array([r.project for r in lower.rounds], dtype=np.int64),
            np.array([r.ratio_max for r in lower.rounds], dtype=np.float64),
        )
    return lower.lower_arrays


_NO_LOWER = (np.empty(0, dtype=np.int64), np.empty(0))


def _run_kernel(prep: Prepared, b: Fraction, lower: Run | None, upper: Run | None = None):
    """run_float by the compiled kernel; ``_UNHANDLED`` for the cases it leaves to numpy.

    With ``lower``, the run to bracket with, and ``upper`` (:func:`run_bracketing`).
    """
    arrays = _NO_LOWER if lower is None else _lower_arrays(lower)
    replay = None if upper is None else upper.replay
    status, n_rounds, out = _mes_kernel.run_kernel(
        prep, float(b), *arrays, lower is not None, replay
    )
    if status == _mes_kernel.UNHANDLED:
        return _UNHANDLED
    if status == _mes_kernel.GIVE_UP:
        return None
    costs = prep.costs
    proj = out["proj"][:n_rounds].tolist()
    rho = out["rho"].tolist()
    nrich = out["nrich"].tolist()
    partial = out["partial"].tolist()
    upper = out["upper"].tolist()
    exact = out["exact"].tolist()
    tie = out["tie"].tolist()
    tied_end = out["tied_end"].tolist()
    tied = out["tied"].tolist()
    rounds = []
    start = 0
    for t, w in enumerate(proj):
        ratio = Fraction(1, exact[t]) if exact[t] else None
        lost = tuple(tied[start : tied_end[t]])
        start = tied_end[t]
        r_rho = ratio * costs[w] if tie[t] else rho[t]
        rounds.append(
            Round(w, r_rho, int(round(nrich[t])), int(round(partial[t])), lost, upper[t], ratio)
        )
    winners = list(prep.free) + proj
    v = out["v"]
    result = Run(b, winners, rounds, partial_fn(_money_left, prep, v, winners), exact=False)
    result.rival_low = out["low"][:n_rounds].tolist()
    result.rival_tie_n = out["tie_n"][:n_rounds].tolist()
    result.replay = _mes_kernel.replay_of(float(b), n_rounds, out)
    return result


def run_float_numpy(  # noqa: C901 - the numeric kernel, kept in one loop for speed
    prep: Prepared,
    b: Fraction,
    *,
    floor: list[tuple[int, float]] | None = None,
) -> Run | None:
    """run_float with numpy calls (the engine before the compiled kernel, and its fallback).

    With ``floor`` (see :func:`run_bracketing`), ``(project, ratio_max)`` per round of a lower
    run: an ordinary run that evaluates more projects while its winners are those of ``floor``.
    """
    bf = float(b)
    n_groups = len(prep.groups)
    v = np.full(n_groups, bf)
    err = np.full(n_groups, EPS * bf)
    err_max = EPS * bf  # at least every entry of err
    costs_f, votes = prep.costs_f, prep.votes_f
    m = len(prep.costs)
    stale = prep.initial_ratio.copy()
    stale_err = EPS * np.where(np.isfinite(stale), stale, 0.0)
    alive = np.zeros(m, dtype=bool)
    alive[prep.active] = True
    winners = list(prep.free)
    rounds: list[Round] = []
    rival_low: list[float] = []
    rival_tie_n: list[int] = []
    matching = floor is not None

    while True:
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        floor_ratio = floor[len(rounds)][1] if matching and len(rounds) < len(floor) else -inf
        best = inf
        best_err = 0.0
        cands: list[tuple] = []
        for j in idx[np.argsort(stale[idx])].tolist():
            bar = max(best + SAFETY * best_err, floor_ratio)
            if stale[j] - SAFETY * stale_err[j] > bar:
                break
            s, ns = prep.supporters[j], prep.supporter_counts[j]
            vs = v[s]
            c = costs_f[j]
            votes_j = votes[j]
            money_j = float(vs @ ns)
            # Every budget's error is at most err_max: using it instead of each budget's own
            # bound spares gathering and summing them for the many projects found unaffordable
            # here (the bound is looser, by the ratio of the largest error to the average).
            in_err = err_max * votes_j
            arith = (s.size + 4) * EPS * (money_j + c)
            if money_j + SAFETY * (in_err + arith) < c:
                alive[j] = False
                continue
            solved = (
                None if money_j - SAFETY * (in_err + arith) < c else _rho_float(vs, ns, c, votes_j)
            )
            if solved is None:
                return None  # affordability too close to call
            rho, poor, n_rich = solved
            # Bound on rho's error. sum(n * min(v, rho)) moves by at most the errors of the
            # budgets that may lie below rho ("low": the poor, and the rich too close to rho to
            # be sure); the root moves by that over the number of voters surely above rho.
            # (Here each budget's own bound counts: with err_max the bounds would compound.)
            es = err[s]
            low = vs - SAFETY * es < rho
            n_sure = votes_j - float(ns @ low)
            if n_sure <= 0:
                return None
            rho_err = (float((es * ns) @ low) + arith) / n_sure + 2 * EPS * rho
            ratio = rho / c
            ratio_err = rho_err / c + 2 * EPS * ratio
            stale[j], stale_err[j] = ratio, ratio_err
            cands.append((ratio, ratio_err, j, rho, rho_err, n_rich, poor))
            if ratio < best:
                best, best_err = ratio, ratio_err
        if not cands:
            break
        win = min(cands, key=lambda t: t[0])
        close = [t for t in cands if t[0] - SAFETY * t[1] <= win[0] + SAFETY * win[1]]
        tied: list[tuple] = []
        exact_ratio = None
        if len(close) > 1:
            # A tie or a near tie: decide exactly when every ratio involved is known exactly,
            # otherwise let the exact engine redo the run.
            known = [(_exact_ratio(prep, v, err, t), t) for t in close]
            if any(q is None for q, _ in known):
                return None
            exact_ratio = min(q for q, _ in known)
            tied = sorted(
                (t for q, t in known if q == exact_ratio), key=lambda t: prep.tie_keys[t[2]]
            )
            win = tied[0]
        ratio_w, ratio_err_w, w, rho, rho_err, n_rich, poor_w = win
        if matching and (len(rounds) >= len(floor) or floor[len(rounds)][0] != w):
            matching = False
        others = alive.copy()
        others[w] = False
        tie_n = 0
        if matching:
            for t in cands:
                j = t[2]
                if j == w or t[0] - SAFETY * t[1] > floor[len(rounds)][1]:
                    continue
                if prep.tie_keys[j] <= prep.tie_keys[w]:
                    continue
                q = _exact_ratio(prep, v, err, t)
                if q is not None:
                    others[j] = False
                    tie_n = max(tie_n, q.denominator)
        rival_tie_n.append(tie_n)
        rival_low.append(float((stale - SAFETY * stale_err)[others].min()) if others.any() else inf)
        if exact_ratio is not None:
            ratio_w, ratio_err_w = 1.0 / n_rich, EPS / n_rich
        s, ns = prep.supporters[w], prep.supporter_counts[w]
        alive[w] = False
        vs, es = v[s], err[s]
        gap = vs - rho
        rich = gap >= 0
        new_v = np.where(rich, gap, 0.0)
        v[s] = new_v
        maybe_rich = -gap <= SAFETY * (es + rho_err)
        new_err = np.where(rich | maybe_rich, es + rho_err + EPS * np.abs(gap), 0.0)
        err[s] = new_err
        err_max = max(err_max, float(new_err.max()))
        partial = float(ns[(~rich) & (vs > 0)].sum())
        winners.append(w)
        exact_rho = exact_ratio * prep.costs[w] if exact_ratio is not None else rho
        lost = tuple(t[2] for t in tied[1:])
        upper = ratio_w + SAFETY * ratio_err_w
        rnd = Round(w, exact_rho, int(round(n_rich)), int(round(partial)), lost, upper)
        if exact_ratio is not None:
            rnd.ratio = exact_ratio
        else:
            rnd.pending = (vs, es, rho, rho_err, n_rich, poor_w)
        rounds.append(rnd)

    result = Run(b, winners, rounds, partial_fn(_money_left, prep, v, winners), exact=False)
    result.rival_low = rival_low
    result.rival_tie_n = rival_tie_n
    return result


def _money_left(prep: Prepared, v: np.ndarray, winners: list[int]) -> dict[int, float]:
    chosen = set(winners)
    return {
        j: float(v[prep.supporters[j]] @ prep.supporter_counts[j])
        for j in prep.active
        if j not in chosen
    }


def _exact_ratio(prep: Prepared, v: np.ndarray, err: np.ndarray, cand: tuple) -> Fraction | None:
    """rho / cost exactly, when the float evaluation pins it down; else ``None``.

    If the supporters who cannot pay rho have exactly nothing left and all the others certainly
    can, rho = cost / payers, so rho / cost is exactly 1 / payers. Such exact ties (same number of
    paying supporters) are common in real data and are decided here without an exact rerun.
    """
    _, _, j, rho, rho_err, n_rich, poor = cand
    s = prep.supporters[j]
    return _exact_ratio_of(v[s], err[s], rho, rho_err, n_rich, poor)


def _exact_ratio_of(
    vs: np.ndarray, es: np.ndarray, rho: float, rho_err: float, n_rich: float, poor: np.ndarray
) -> Fraction | None:
    """:func:`_exact_ratio` given the supporters' budgets and error bounds."""
    if vs[poor].any() or es[poor].any():
        return None
    rich_v = vs[~poor]
    if rich_v.min() - SAFETY * (float(es.max()) + rho_err) <= rho:
        return None
    return Fraction(1, int(n_rich))


def run_exact(prep: Prepared, b: Fraction) -> Run:  # noqa: C901 - the exact kernel, kept in one loop for speed
    bq = gmpy2.mpq(b.numerator, b.denominator)
    zero = gmpy2.mpq(0)
    # Class 0 is "no money left"; class 1 starts with everybody.
    vals = [zero, bq]
    cls = np.ones(len(prep.groups), dtype=np.int64)
    ns_all = prep.counts_f
    stale: dict[int, object] = {j: gmpy2.mpq(1, prep.votes[j]) for j in prep.active}
    remaining = set(prep.active)
    winners = list(prep.free)
    rounds: list[Round] = []

    def classes_of(j: int) -> tuple[list[tuple[object, int, int]], int]:
        s = prep.supporters[j]
        weights = np.bincount(cls[s], weights=ns_all[s], minlength=len(vals))
        present = np.flatnonzero(weights)
        pairs = [(vals[c], int(weights[c]), int(c)) for c in present if c != 0]
        return pairs, int(weights[0])

    while True:
        best = None
        cands: list[tuple] = []
        for j in sorted(remaining, key=lambda p: stale[p]):
            if best is not None and stale[j] > best:
                break
            pairs, broke = classes_of(j)
            cost = prep.costs_q[j]
            if sum(val * cnt for val, cnt, _ in pairs) < cost:
                remaining.discard(j)
                continue
            pairs.sort(key=lambda t: t[0])
            paid, den = zero, prep.votes[j] - broke
            for val, cnt, _ in pairs:
                rho = (cost - paid) / den
                if rho <= val:
                    break
                paid += val * cnt
                den -= cnt
            ratio = rho / cost
            stale[j] = ratio
            cands.append((ratio, j, rho, pairs, den))
            if best is None or ratio < best:
                best = ratio
        if not cands:
            break
        tied = [t for t in cands if t[0] == best]
        tied.sort(key=lambda t: prep.tie_keys[t[1]])
        _, w, rho, pairs, n_rich = tied[0]
        remap = np.arange(len(vals), dtype=np.int64)
        partial = 0
        for val, cnt, c in pairs:
            if val > rho:
                remap[c] = len(vals)
                vals.append(val - rho)
            else:
                remap[c] = 0
                if val < rho:
                    partial += cnt
        s = prep.supporters[w]
        cls[s] = remap[cls[s]]
        remaining.discard(w)
        winners.append(w)
        ratio = Fraction(int(rho.numerator), int(rho.denominator)) / prep.costs[w]
        rounds.append(
            Round(
                w,
                Fraction(int(rho.numerator), int(rho.denominator)),
                int(n_rich),
                partial,
                tuple(t[1] for t in tied[1:]),
                float(ratio) * (1 + 4 * EPS),
                ratio,
            )
        )

    money_left = {}
    chosen = set(winners)
    for j in prep.active:
        if j not in chosen:
            pairs, _ = classes_of(j)
            total = sum((val * cnt for val, cnt, _ in pairs), zero)
            money_left[j] = Fraction(int(total.numerator), int(total.denominator))
    return Run(b, winners, rounds, money_left, exact=True)
