"""The Method of Equal Shares (MES) for approval ballots with cost utilities, plus completions.

What is computed
----------------
* **MES** exactly as pabutools 1.2.3 ``method_of_equal_shares(..., sat_class=Cost_Sat)`` and
  equalshares.net: every voter gets ``budget / voters``; at each round the project minimising
  ``rho / cost`` among those its supporters can still pay for is selected (``rho`` is the largest
  payment asked of a supporter; supporters with less pay all they have); ties are broken by
  :class:`~budgeting.rules.types.TieBreaking`. Free projects somebody approves are selected first,
  as in pabutools.
* **Add1** raises the per-voter budget one currency unit at a time and reruns MES. Three variants
  (see :data:`ADD1_VARIANTS` and ``docs/decisions/002-mes-add1.md``):
  ``pabutools`` (``voter_budget_increment=1``: budgets ``B/n, B/n+1, ...``; stop at the first
  exhaustive outcome, or keep the previous outcome when the next one overspends),
  ``equalshares`` (equalshares.net's code: budgets ``floor(B/n), floor(B/n)+1, ...``,
  exhaustiveness judged on all projects) and ``overspend`` (the same budgets, but no stop on
  exhaustiveness: raise until the next step would overspend; this is what reproduces the
  published Wieliczka 2023 outcome, and what Pabulib's checker does for ``equalshares/add1``).
* optional **greedy completion** of the money left, and the optional **comparison step**
  (equalshares.net / Pabulib ``-comparison`` rules): the final MES outcome is replaced by the
  plain greedy outcome when more voters approve more greedy winners than MES winners.

How it is fast
--------------
Voters with identical ballots are grouped (Łódź 2022: 90,494 voters, 23,571 distinct ballots).
Each MES run uses numpy float64 with a running rounding-error bound per budget and lazy
re-evaluation (a project is re-evaluated only if its last ``rho / cost``, a lower bound, could
still beat the best of the round). Any decision closer than the error bound allows is re-decided
by rerunning exactly with ``gmpy2.mpq`` (``_mes_engine.run_exact``), so outcomes are exact. Per
evaluation the engine makes few numpy calls (affordability against the largest error bound,
``rho`` refined by one comparison and one matrix-vector product per pass), and what only a later
question may need (a round's exact ratio, the money left) is computed when asked. When numba is
installed (a dependency), the same run with the same decisions is one compiled loop
(``_mes_kernel``): about 0.5 ms per run on Łódź instead of 2.6 ms.

For Add1, stretches of steps with the same outcome are skipped, exactly. For a fixed sequence of
winners, every voter's remaining money is non-decreasing in the per-voter budget ``b`` and every
project's ``rho`` non-increasing. So two runs at ``lo < hi`` that select the same projects in the
same rounds prove that every budget in between has that outcome when, in every round, every
other project still affordable at ``hi`` asks more per unit of cost there than the winner asked at
``lo`` (or exactly as much and loses the tie-break): the winner's ratio can only be lower in
between, a rival's only higher (``_mes_engine.brackets``; the proof is in decision 002). The Add1
loop keeps every run it makes, gallops (2, 4, 8... steps ahead) and goes back towards the
lowest run above when it does not bracket with the last step settled, so the outcome is that of
the unit-step loop (``add1_jump=False``), which stays available as the reference. Where a rival
comes closer than that, the gap between it and the winner is followed over the whole stretch
with bounds on how fast each ratio falls (``_mes_engine.certifies``); the next run goes just
below where the runs either side predict the outcome changes (``predict``), so a change costs
about two runs; and long searches are shared by two threads (:func:`_add1_split`). Budapest
2024 by 1-forint steps: 22,001 steps in about 530 runs, 0.7 s on two cores. Binary search
over ``b`` would not be exact: exhaustiveness is not monotone in ``b`` (Wieliczka: exhaustive at
302 zł, not at 306), and outcomes can come back after changing. Where the order of winners changes
at nearly every step (Łódź: 50 of 58 steps), nothing can be skipped and the speed comes from the
cheap runs.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from math import floor
from typing import Literal

from budgeting.rules._mes_engine import (
    Prepared,
    Run,
    brackets,
    certifies,
    extrapolate,
    predict,
    run,
    run_bracketing,
)
from budgeting.rules.greedy import greedy, greedy_fill
from budgeting.rules.types import (
    BELOW_MIN_VOTES,
    COMPARISON_GREEDY_WON,
    COMPLETION_DID_NOT_FIT,
    COMPLETION_SELECTED,
    MES_NO_SUPPORTERS,
    MES_NOT_AFFORDABLE,
    MES_SELECTED,
    MES_SELECTED_ADD1,
    MES_ZERO_COST,
    Election,
    Explanation,
    RuleResult,
    TieBreaking,
    ids_of,
)


@dataclass(frozen=True)
class Add1Variant:
    start: Literal["exact", "integral"]
    """``exact``: budgets B/n + k. ``integral``: floor(B/n) + k, from k = 0 (the tool's code)."""
    stop_when_exhaustive: bool
    exhaustive_over: Literal["supported", "all"]
    """Which unselected projects must not fit for an outcome to count as exhaustive."""


ADD1_VARIANTS: dict[str, Add1Variant] = {
    "pabutools": Add1Variant("exact", True, "supported"),
    "equalshares": Add1Variant("integral", True, "all"),
    "overspend": Add1Variant("integral", False, "all"),
}

Completion = Literal["none", "greedy"]


def method_of_equal_shares(
    election: Election,
    *,
    add1: bool = False,
    add1_variant: str = "pabutools",
    add1_increment: int | Fraction = 1,
    completion: Completion = "none",
    comparison: bool = False,
    tie_breaking: TieBreaking | str | None = None,
    min_votes: int = 0,
    exact: bool = False,
    add1_jump: bool = True,
) -> RuleResult:
    """Compute MES, optionally with Add1, greedy completion and the comparison step.

    ``add1_increment`` is the per-voter raise of one Add1 step (one currency unit by default, as
    equalshares.net and pabutools' ``voter_budget_increment=1``; a city counting in forints may
    prefer 100). ``exact=True`` skips the float fast path (slower; used to cross-check it).
    ``min_votes`` is the process's vote threshold: projects with fewer votes (and, whatever it
    is, projects with none) are selected by no step: not MES, Add1, completion or comparison.
    """
    if completion not in ("none", "greedy"):
        raise ValueError(f"unknown completion {completion!r}")
    if add1_variant not in ADD1_VARIANTS:
        raise ValueError(f"unknown Add1 variant {add1_variant!r}")
    increment = Fraction(add1_increment)
    if increment <= 0:
        raise ValueError("the Add1 increment must be positive")
    tb = TieBreaking.coerce(tie_breaking)
    details: dict = {
        "tie_breaking": tb.mode,
        "add1": add1,
        "add1_variant": add1_variant if add1 else None,
        "add1_increment": increment if add1 else None,
        "completion": completion,
        "comparison": None,
        "min_votes": min_votes,
    }
    prep = Prepared(election, tb, min_votes)
    if election.num_voters == 0:  # nobody to share the budget with: MES selects nothing
        b0 = Fraction(0)
        first = Run(b0, [], [], {}, exact=True)
    else:
        b0 = Fraction(election.budget) / election.num_voters
        if add1 and ADD1_VARIANTS[add1_variant].start == "integral":
            b0 = Fraction(floor(b0))  # equalshares.net starts Add1 at a whole share
        first = run(prep, b0, exact=exact)
    final, stats = first, {"steps": 0, "runs": 1, "exact_runs": int(first.exact)}
    if add1 and election.num_voters:
        final, stats = _add1(
            prep, first, ADD1_VARIANTS[add1_variant], increment, exact=exact, jump=add1_jump
        )
    details.update(
        initial_per_voter_budget=b0,
        per_voter_budget=final.per_voter_budget,
        add1_steps=stats["steps"],
        add1_jumps=stats.get("jumps", 0),
        mes_runs=stats["runs"],
        exact_runs=stats["exact_runs"],
    )
    explanations = _mes_explanations(prep, final, first if add1 else None)
    winners = list(final.winners)

    if completion == "greedy":
        added, extra = greedy_fill(
            election,
            winners,
            tie_breaking=tb,
            min_votes=min_votes,
            selected_code=COMPLETION_SELECTED,
            not_fit_code=COMPLETION_DID_NOT_FIT,
        )
        for j, e in extra.items():
            explanations[j] = Explanation(e.code, e.data, (explanations[j],))
        winners += added

    if comparison:
        winners, explanations, details["comparison"] = _comparison_step(
            prep, winners, explanations, tb
        )

    return RuleResult(
        rule="mes",
        selected=ids_of(election, winners),
        total_cost=sum((election.costs[j] for j in winners), 0),
        explanations={election.project_ids[j]: e for j, e in explanations.items()},
        details=details,
    )


def _add1(
    prep: Prepared,
    first: Run,
    variant: Add1Variant,
    inc: Fraction,
    *,
    exact: bool,
    jump: bool = True,
) -> tuple[Run, dict]:
    """Raise the per-voter budget by ``inc`` per step (see the module docstring).

    Step 0 is plain MES at ``B/n``; step k >= 1 runs at ``base + k * inc``. The outcome is that
    of trying every step in turn (``jump=False``, or ``exact=True``, does exactly that); with
    ``jump`` the stretches of steps that two runs bracket are skipped (:func:`_add1_bracketed`).
    """
    election = prep.election
    budget = election.budget
    base = first.per_voter_budget  # floor(B/n) already for the "integral" variants
    scope = prep.active if variant.exhaustive_over == "supported" else range(len(prep.costs))
    stats = {"steps": 0, "runs": 1, "exact_runs": int(first.exact), "jumps": 0}

    def spent(r: Run) -> Fraction:
        return sum((election.costs[j] for j in r.winners), 0)

    def exhaustive(r: Run) -> bool:
        chosen = set(r.winners)
        left = budget - spent(r)
        return all(j in chosen or election.costs[j] > left for j in scope)

    def everything_eligible(r: Run) -> bool:
        # MES only ever selects eligible projects: once they are all in, no later step can
        # overspend, so raising further could go on forever (equalshares.net's loop would).
        return len(r.winners) == len(prep.active) + len(prep.free)

    def at(k: int) -> Fraction:
        return base + k * inc

    def stop(r: Run) -> bool:
        return variant.stop_when_exhaustive and exhaustive(r) or everything_eligible(r)

    if jump and not exact:
        return _add1_split(prep, first, at, stop, spent, stats)
    current, k = first, 0  # invariant: `current` is the (feasible) outcome of step k
    while True:
        if stop(current):
            return current, stats
        nxt = run(prep, at(k + 1), exact=exact)
        stats["runs"] += 1
        stats["exact_runs"] += int(nxt.exact)
        if spent(nxt) > budget:
            return current, stats
        current, k = nxt, k + 1
        stats["steps"] = k


SPLIT_FROM = 1024
"""Add1 searches still going at this step share the rest between two threads
(:func:`_add1_split`)."""
SPLIT_PARTS = 4


def _add1_split(prep, first, at, stop, spent, stats) -> tuple[Run, dict]:
    """:func:`_add1_bracketed`, in two threads once the search is long (the kernel releases
    the GIL, so two cores each take a part).

    Up to step ``SPLIT_FROM`` the search runs as usual. If it goes on, runs at twice, four
    times... that step show where the loop must end at the latest (the first that overspends
    or stops: the loop stops at or before the step below it), and two more halve that bracket.
    The steps from ``SPLIT_FROM`` to there are cut into ``SPLIT_PARTS`` parts, each settled by
    :func:`_add1_bracketed` from a run at its first step to the first step of the next (the
    last part goes on until the loop stops), two parts at a time, in order. The outcome is that
    of the first part that stops: each part is the unit-step loop's on its steps, so together
    they are the loop's. (Parts after it are cancelled and their runs not counted.)
    """
    if not prep.use_kernel or (os.cpu_count() or 1) < 2:
        return _add1_bracketed(prep, first, at, stop, spent, stats)[:2]
    current, stats, stopped = _add1_bracketed(prep, first, at, stop, spent, stats, end=SPLIT_FROM)
    if stopped:
        return current, stats
    probes: dict[int, Run] = {}

    def ends_by(step: int) -> bool:
        probes[step] = r = _counted(run(prep, at(step)), stats)
        return spent(r) > prep.election.budget or stop(r)

    ok, step = SPLIT_FROM, 2 * SPLIT_FROM
    while not ends_by(step):
        ok, step = step, 2 * step
    for _ in range(2):
        middle = (ok + step) // 2
        if ends_by(middle):
            step = middle
        else:
            ok = middle
    reach = (ok + step) // 2 - SPLIT_FROM
    bounds = [SPLIT_FROM + reach * i // SPLIT_PARTS for i in range(SPLIT_PARTS)]
    return _settle_parts(prep, current, at, stop, spent, stats, bounds, probes)


def _settle_parts(prep, first, at, stop, spent, stats, bounds, probes) -> tuple[Run, dict]:
    """The parts of :func:`_add1_split`, from steps ``bounds``, two threads at a time."""
    cancel = threading.Event()
    with ThreadPoolExecutor(max_workers=2) as pool:
        starts = [first, *pool.map(lambda s: run(prep, at(s)), bounds[1:])]
        parts = []
        for i, start in enumerate(bounds):
            last = i == len(bounds) - 1
            end = None if last else bounds[i + 1]
            above = {s: r for s, r in probes.items() if s > start and (last or s < end)}
            if not last:
                above[end] = starts[i + 1]
            part_stats = {"steps": start, "runs": 0, "exact_runs": 0, "jumps": 0}
            if i:
                _counted(starts[i], part_stats)
            parts.append(
                pool.submit(
                    _add1_bracketed,
                    *(prep, starts[i], at, stop, spent, part_stats),
                    start=start,
                    above=above,
                    end=end,
                    cancel=cancel,
                )
            )
        for part in parts:
            outcome, part_stats, stopped = part.result()
            for key in ("runs", "exact_runs", "jumps"):
                stats[key] += part_stats[key]
            stats["steps"] = part_stats["steps"]
            if stopped:
                cancel.set()
                return outcome, stats
    raise AssertionError("the last part runs until the loop stops")


def _counted(r: Run, stats: dict) -> Run:
    stats["runs"] += 1
    stats["exact_runs"] += int(r.exact)
    return r


def _add1_bracketed(
    prep, first, at, stop, spent, stats, *, start=0, above=None, end=None, cancel=None
) -> tuple[Run, dict, bool]:
    """The unit-step loop, skipping the steps that two runs bracket (decision 002).

    Every run made is an ordinary MES run at some step above the last one settled (``k``);
    they are kept (``above``). When the lowest of them brackets with ``current``
    (:func:`~budgeting.rules._mes_engine.brackets`: same outcome, proved for every step in
    between), the loop moves to it; when it is the next step, the loop takes it as the
    unit-step loop would; otherwise the next run is just below where the two predict the
    outcome changes (:func:`_next_step`). Two runs bracket when :func:`brackets` or, for
    rivals closer than it clears, :func:`~budgeting.rules._mes_engine.certifies` proves it.
    With nothing above, the next run is ``ahead`` steps up, doubled after each stretch skipped
    (or short of where a closing rival would catch up, :func:`extrapolate`).

    From step ``start`` (``first`` is its run), with runs already made (``above``); it returns
    the outcome, the counts and ``True`` when the loop stops, and the run at step ``end`` (or
    the last settled, when ``cancel`` is set) and ``False`` when it gets there first.
    """
    budget = prep.election.budget
    current, k = first, start
    above = dict(above or {})
    ahead = 2
    target = None
    while True:
        if k == end or cancel is not None and cancel.is_set():
            return current, stats, False
        if stop(current):
            return current, stats, True
        if above:
            q = min(above)
            if q == k + 1 or brackets(current, above[q]) or certifies(prep, current, above[q]):
                nxt = above.pop(q)
                if spent(nxt) > budget:  # not after a bracket: it proves the same outcome
                    return current, stats, True
                if q > k + 1:
                    stats["jumps"] += 1
                    ahead = 2 * (q - k)
                    guess = extrapolate(current, nxt) if not above else None
                    if guess is not None:  # run just below where a rival may catch up
                        target = floor((guess - float(at(0))) / float(at(1) - at(0)))
                current, k = nxt, q
                stats["steps"] = k
                continue
            p, upper = _next_step(prep, current, above[q], k, q, at), above[q]
        else:
            upper = None
            p = k + ahead
            if target is not None and k + ahead // 2 < target < p:
                p = target
            if end is not None:
                p = min(p, end)
            target = None
        nxt = run_bracketing(prep, at(p), current, upper)
        stats["runs"] += 1
        stats["exact_runs"] += int(nxt.exact)
        above[p] = nxt


def _next_step(prep: Prepared, lo: Run, hi: Run, k: int, q: int, at) -> int:
    """The step to run between ``k`` and ``q`` (``k + 1 < q``): just below where the first
    round that differs between the two runs changes hands, as :func:`predict` guesses, so
    that a change costs about two runs (the steps either side of it); halfway without a guess.
    """
    guess = predict(prep, lo, hi)
    if guess is None:
        return k + (q - k) // 2
    step = k + floor((guess - float(at(k))) / float(at(k + 1) - at(k)))
    return min(max(step, k + 1), q - 1)


def _money(x: float | Fraction) -> Fraction:
    """Exact values stay exact; fast-path floats become exact cents (display values)."""
    return x if isinstance(x, Fraction) else Fraction(round(x * 100), 100)


def _mes_explanations(prep: Prepared, final: Run, first: Run | None) -> dict[int, Explanation]:
    election = prep.election
    b = final.per_voter_budget
    out: dict[int, Explanation] = {}
    for j in prep.free:
        out[j] = Explanation(MES_ZERO_COST, {"votes": prep.votes[j]})
    plain = set(first.winners) if first is not None else None
    for number, rnd in enumerate(final.rounds, start=1):
        j = rnd.project
        code = MES_SELECTED if plain is None or j in plain else MES_SELECTED_ADD1
        effective = election.costs[j] / rnd.rho if rnd.rho else None
        out[j] = Explanation(
            code,
            {
                "round": number,
                "rho": _money(rnd.rho),
                "effective_votes": None if effective is None else _money(effective),
                "votes": prep.votes[j],
                "full_payers": rnd.full_payers,
                "partial_payers": rnd.partial_payers,
                "per_voter_budget": b,
                "tied_with": ids_of(election, rnd.tied_with),
            },
        )
    for j, left in final.money_left.items():
        cost = election.costs[j]
        money = _money(left)
        out[j] = Explanation(
            MES_NOT_AFFORDABLE,
            {
                "cost": cost,
                "votes": prep.votes[j],
                "money_left": money,
                "short_by": cost - money,
                "per_voter_budget": b,
            },
        )
    for j in range(election.num_projects):
        if j in out:
            continue
        if prep.votes[j]:
            out[j] = Explanation(
                BELOW_MIN_VOTES, {"votes": prep.votes[j], "min_votes": prep.min_votes}
            )
        else:
            out[j] = Explanation(MES_NO_SUPPORTERS, {"cost": election.costs[j]})
    return out


def _comparison_step(
    prep: Prepared, winners: list[int], explanations: dict[int, Explanation], tb: TieBreaking
) -> tuple[list[int], dict[int, Explanation], dict]:
    """Keep MES unless more voters approve more projects of the greedy outcome.

    A voter prefers the outcome containing more of the projects they approved (equalshares.net's
    "satisfaction" comparison, the one Pabulib's checker applies to ``-comparison`` rules).
    """
    election = prep.election
    greedy_result = greedy(election, tie_breaking=tb, min_votes=prep.min_votes)
    greedy_winners = [election.index[p] for p in greedy_result.selected]
    sat_mes = prep.satisfaction(set(winners))
    sat_greedy = prep.satisfaction(set(greedy_winners))
    prefers_mes = int(prep.counts[sat_mes > sat_greedy].sum())
    prefers_greedy = int(prep.counts[sat_greedy > sat_mes].sum())
    outcome = {
        "prefers_mes": prefers_mes,
        "prefers_greedy": prefers_greedy,
        "chosen": "greedy" if prefers_greedy > prefers_mes else "mes",
        "greedy_selected": greedy_result.selected,
    }
    if prefers_greedy <= prefers_mes:
        return winners, explanations, outcome
    counts = {"prefers_mes": prefers_mes, "prefers_greedy": prefers_greedy}
    replaced = {}
    for j in range(election.num_projects):
        g = greedy_result.explanations[election.project_ids[j]]
        note = Explanation(COMPARISON_GREEDY_WON, counts)
        replaced[j] = Explanation(g.code, g.data, (note, explanations[j]))
    return greedy_winners, replaced, outcome
