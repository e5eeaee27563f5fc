"""One float MES run compiled with numba: ``_mes_engine.run_float``'s loop, without numpy calls.

The numpy engine spends its time in Python and in the overhead of numpy calls on small arrays
(Łódź 2022: 29 rounds per run, 10-15 calls per project evaluated, 2-3 microseconds each); this
kernel does the same run in one compiled loop over the supporters (CSR arrays built by
``Prepared``). Every decision is taken with the same error bounds and the same safety factor
as ``run_float_numpy`` (see its docstring and ``docs/decisions/002-mes-add1.md``): a decision is
taken in floats only when certain, otherwise the kernel answers ``GIVE_UP`` (the caller then runs
the exact engine, as with the numpy engine). Cases the kernel does not handle (``rho`` still
moving after 64 refinements, more ties than its buffer holds) answer ``UNHANDLED``: the caller
then runs the numpy engine, so results never depend on the kernel being complete.

Sums are taken in another order than numpy's (sequential instead of pairwise), so the floats
differ from the numpy engine's in the last bits; decisions cannot differ (each is certified with
a bound far above such differences) and displayed amounts are rounded to cents.

numba is imported on the first run (about 0.8 s; not when Django starts), compiles the kernel
the first time (5-10 s on the shared development machine) and caches it next to this file
(``cache=True``: later processes load it in about 0.2 s; with nowhere writable, it compiles in
every process); without numba (``AVAILABLE`` false) the numpy engine does everything.
"""

from __future__ import annotations

from importlib.util import find_spec

import numpy as np

DONE, GIVE_UP, UNHANDLED = 0, 1, 2
AVAILABLE = find_spec("numba") is not None
"""numba is a dependency; without it the numpy engine does everything (slower)."""

EPS = 2.0**-52
SAFETY = 64.0


def _exact_payers(v, err, sup, lo, hi, rho, rho_err, n_rich):
    """``n`` if ``rho / cost`` is exactly ``1 / n`` (``_mes_engine._exact_ratio_of``), else 0.

    True when the supporters below ``rho`` have exactly nothing left (and no error) and all the
    others certainly hold more than ``rho``: then every one of the ``n`` others pays ``cost / n``.
    """
    es_max = 0.0
    rich_min = np.inf
    for k in range(lo, hi):
        g = sup[k]
        x = v[g]
        e = err[g]
        if e > es_max:
            es_max = e
        if x < rho:
            if x != 0.0 or e != 0.0:
                return 0
        elif x < rich_min:
            rich_min = x
    if rich_min - SAFETY * (es_max + rho_err) <= rho:
        return 0
    return int(n_rich)


def _refine(v, err, sup, cnt, lo, hi, c, votes_j, paid, n_poor):
    """Refine rho over the supporters ``sup[lo:hi]`` (as ``_mes_engine._rho_float``).

    Starting from the poor at the first guess (their money ``paid``, their number
    ``n_poor``), rho = (cost - paid) / payers until the set of poor stays the same; each pass
    also sums the voters and errors of the supporters that may lie below rho (for its error
    bound). Returns ``(state, rho, payers, low_n, low_err)``.
    """
    rho = 0.0
    n_rich = votes_j
    for _ in range(64):
        n_rich = votes_j - n_poor
        if n_rich <= 0.0:
            return GIVE_UP, rho, n_rich, 0.0, 0.0
        rho = (c - paid) / n_rich
        paid = 0.0
        count = 0.0
        low_n = 0.0
        low_err = 0.0
        for k in range(lo, hi):
            g = sup[k]
            x = v[g]
            n = cnt[k]
            if x < rho:
                paid += x * n
                count += n
            e = err[g]
            if x - SAFETY * e < rho:
                low_n += n
                low_err += e * n
        if count == n_poor:
            return DONE, rho, n_rich, low_n, low_err
        n_poor = count
    return UNHANDLED, rho, n_rich, 0.0, 0.0  # the numpy engine sorts instead


def _run(  # noqa: C901 - the compiled kernel, one loop like run_float
    bf,
    indptr,
    sup,
    cnt,
    costs,
    votes,
    alive0,
    stale0,
    tie_rank,
    lower_proj,
    lower_ratio,
    soft,
    v,
    r_proj,
    r_rho,
    r_nrich,
    r_partial,
    r_upper,
    r_exact,
    r_tie,
    r_tied_end,
    tied,
    r_low,
    r_tie_n,
):
    """Fill ``v`` (final budgets) and the round arrays; return ``(status, rounds)``.

    ``r_exact[t]`` is ``n`` when round ``t``'s ratio is exactly ``1 / n`` (0: not known);
    ``r_tie[t]`` marks a round decided as an exact tie, whose ``rho`` is then ``cost / n``
    exactly; the losers of round ``t`` are ``tied[r_tied_end[t - 1]:r_tied_end[t]]``.
    ``soft``: while its winners are those of the lower run (``lower_proj``, with
    ``lower_ratio`` that run's ``ratio_max`` per round), the run evaluates every project whose
    bound is at or below the lower run's ratio of the round, so that ``r_low`` is a tight bound
    for a bracket (``_mes_engine.brackets``). ``r_low[t]``: a float certainly at most the ratio
    of every project other than the winner still affordable at round ``t`` (fresh ratios for
    those evaluated, earlier ones, lower bounds, for the rest), except the projects evaluated in
    a soft run's matching round whose bound does not clear the lower run's ratio but which lose
    the tie-break to the winner and ask exactly ``1 / n``:
    ``r_tie_n[t]`` is the largest such ``n`` (0: none), for an exact comparison.
    """
    n_groups = v.size
    m = costs.size
    err = np.empty(n_groups)
    for g in range(n_groups):
        v[g] = bf
        err[g] = EPS * bf
    err_max = EPS * bf
    alive = alive0.copy()
    stale = stale0.copy()
    stale_err = np.empty(m)
    for j in range(m):
        stale_err[j] = EPS * stale[j] if np.isfinite(stale[j]) else 0.0
    c_ratio = np.empty(m)
    c_err = np.empty(m)
    c_j = np.empty(m, dtype=np.int64)
    c_rho = np.empty(m)
    c_rho_err = np.empty(m)
    c_nrich = np.empty(m)
    n_lower = lower_proj.size
    spared = np.zeros(m, dtype=np.bool_)
    n_tied = 0
    nr = 0
    matching = soft
    while True:
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        floor_ratio = lower_ratio[nr] if matching and nr < n_lower else -np.inf
        order = idx[np.argsort(stale[idx], kind="mergesort")]
        best = np.inf
        best_err = 0.0
        nc = 0
        for j in order:
            bar = max(best + SAFETY * best_err, floor_ratio)
            if stale[j] - SAFETY * stale_err[j] > bar:
                break
            lo, hi = indptr[j], indptr[j + 1]
            c = costs[j]
            votes_j = votes[j]
            # One pass: the supporters' money, and who cannot pay rho = cost / votes (the
            # first guess of _rho_float). Most projects looked at turn out unaffordable.
            rho = c / votes_j
            money = 0.0
            paid = 0.0
            n_poor = 0.0
            for k in range(lo, hi):
                x = v[sup[k]]
                n = cnt[k]
                money += x * n
                if x < rho:
                    paid += x * n
                    n_poor += n
            in_err = err_max * votes_j
            arith = (hi - lo + 4) * EPS * (money + c)
            if money + SAFETY * (in_err + arith) < c:
                alive[j] = False
                continue
            if money - SAFETY * (in_err + arith) < c:
                return GIVE_UP, nr  # affordability too close to call
            n_rich = votes_j
            if n_poor == 0.0:  # everybody pays the first guess: the terms of its error bound
                low_n = 0.0
                low_err = 0.0
                for k in range(lo, hi):
                    g = sup[k]
                    e = err[g]
                    if v[g] - SAFETY * e < rho:
                        low_n += cnt[k]
                        low_err += e * cnt[k]
            else:
                state, rho, n_rich, low_n, low_err = _refine(
                    v, err, sup, cnt, lo, hi, c, votes_j, paid, n_poor
                )
                if state != DONE:
                    return state, nr
            # rho's error bound, as in run_float: the errors of the budgets that may lie below
            # rho, over the number of voters surely above it.
            n_sure = votes_j - low_n
            if n_sure <= 0.0:
                return GIVE_UP, nr
            rho_err = (low_err + arith) / n_sure + 2 * EPS * rho
            ratio = rho / c
            ratio_err = rho_err / c + 2 * EPS * ratio
            stale[j] = ratio
            stale_err[j] = ratio_err
            c_ratio[nc] = ratio
            c_err[nc] = ratio_err
            c_j[nc] = j
            c_rho[nc] = rho
            c_rho_err[nc] = rho_err
            c_nrich[nc] = n_rich
            nc += 1
            if ratio < best:
                best = ratio
                best_err = ratio_err
        if nc == 0:
            break
        win = 0
        for i in range(1, nc):
            if c_ratio[i] < c_ratio[win]:
                win = i
        exact_n = 0  # the round's exact ratio is 1 / exact_n when decided as a tie
        limit = c_ratio[win] + SAFETY * c_err[win]
        n_close = 0
        for i in range(nc):
            if c_ratio[i] - SAFETY * c_err[i] <= limit:
                n_close += 1
        if n_close > 1:
            # A tie or a near tie: decided when every ratio involved is exactly 1 / n.
            ns = np.zeros(nc, dtype=np.int64)
            for i in range(nc):
                if c_ratio[i] - SAFETY * c_err[i] <= limit:
                    j = c_j[i]
                    q_n = _exact_payers(
                        v,
                        err,
                        sup,
                        indptr[j],
                        indptr[j + 1],
                        c_rho[i],
                        c_rho_err[i],
                        c_nrich[i],
                    )
                    if q_n == 0:
                        return GIVE_UP, nr
                    ns[i] = q_n
            exact_n = ns.max()  # the smallest ratio 1 / n
            win = -1
            for i in range(nc):  # the tie-break's first among the tied
                if ns[i] == exact_n and (win < 0 or tie_rank[c_j[i]] < tie_rank[c_j[win]]):
                    win = i
            if n_tied + nc > tied.size:
                return UNHANDLED, nr
            # The losers, in tie-break order (ranks are distinct unless keys are equal,
            # and then in evaluation order, like Python's stable sort).
            while True:
                nxt = -1
                for i in range(nc):
                    if i == win or ns[i] != exact_n:
                        continue
                    if nxt < 0 or tie_rank[c_j[i]] < tie_rank[c_j[nxt]]:
                        nxt = i
                if nxt < 0:
                    break
                tied[n_tied] = c_j[nxt]
                n_tied += 1
                ns[nxt] = -1
        w = c_j[win]
        if matching and (nr >= n_lower or lower_proj[nr] != w):
            matching = False
        tie_n = 0
        if matching:
            for i in range(nc):
                j = c_j[i]
                if j == w or c_ratio[i] - SAFETY * c_err[i] > lower_ratio[nr]:
                    continue
                if tie_rank[j] <= tie_rank[w]:
                    continue
                q_n = _exact_payers(
                    v, err, sup, indptr[j], indptr[j + 1], c_rho[i], c_rho_err[i], c_nrich[i]
                )
                if q_n > 0:
                    spared[j] = True
                    if q_n > tie_n:
                        tie_n = q_n
        r_tie_n[nr] = tie_n
        low = np.inf
        for j in range(m):
            if spared[j]:
                spared[j] = False
            elif alive[j] and j != w:
                bound = stale[j] - SAFETY * stale_err[j]
                if bound < low:
                    low = bound
        r_low[nr] = low
        rho = c_rho[win]
        rho_err = c_rho_err[win]
        n_rich = c_nrich[win]
        lo, hi = indptr[w], indptr[w + 1]
        if exact_n > 0:
            ratio_w = 1.0 / n_rich
            ratio_err_w = EPS / n_rich
            r_exact[nr] = exact_n
        else:
            ratio_w = c_ratio[win]
            ratio_err_w = c_err[win]
            r_exact[nr] = _exact_payers(v, err, sup, lo, hi, rho, rho_err, n_rich)
        alive[w] = False
        partial = 0.0
        for k in range(lo, hi):
            g = sup[k]
            x = v[g]
            e = err[g]
            gap = x - rho
            if gap >= 0.0:
                v[g] = gap
                new_e = e + rho_err + EPS * abs(gap)
            else:
                v[g] = 0.0
                if x > 0.0:
                    partial += cnt[k]
                new_e = e + rho_err + EPS * abs(gap) if -gap <= SAFETY * (e + rho_err) else 0.0
            err[g] = new_e
            if new_e > err_max:
                err_max = new_e
        r_proj[nr] = w
        r_rho[nr] = rho
        r_nrich[nr] = n_rich
        r_partial[nr] = partial
        r_upper[nr] = ratio_w + SAFETY * ratio_err_w
        r_tie[nr] = exact_n > 0
        r_tied_end[nr] = n_tied
        nr += 1
    return DONE, nr


_compiled = None


def _kernel():
    """The compiled ``_run`` (compiling, or loading from the cache, on first use)."""
    global _compiled, _exact_payers, _refine
    if _compiled is None:
        from numba import njit

        def compiled(function):
            try:
                return njit(cache=True, nogil=True)(function)
            except RuntimeError:  # nowhere writable to cache it: compile in every process
                return njit(nogil=True)(function)

        # _run calls these two by their global names: compile them first.
        _exact_payers = compiled(_exact_payers)
        _refine = compiled(_refine)
        _compiled = compiled(_run)
    return _compiled


def run_kernel(prep, bf: float, lower_proj, lower_ratio, soft: bool = False):
    """Call the kernel with fresh output arrays; returns ``(status, rounds, arrays)``."""
    m = len(prep.costs)
    out = {
        "v": np.empty(len(prep.groups)),
        "proj": np.empty(m, dtype=np.int64),
        "rho": np.empty(m),
        "nrich": np.empty(m),
        "partial": np.empty(m),
        "upper": np.empty(m),
        "exact": np.zeros(m, dtype=np.int64),
        "tie": np.zeros(m, dtype=np.bool_),
        "tied_end": np.zeros(m, dtype=np.int64),
        "tied": np.empty(4 * m + 16, dtype=np.int64),
        "low": np.empty(m),
        "tie_n": np.zeros(m, dtype=np.int64),
    }
    status, rounds = _kernel()(
        bf,
        prep.k_indptr,
        prep.k_sup,
        prep.k_cnt,
        prep.k_costs,
        prep.k_votes,
        prep.k_alive,
        prep.initial_ratio,
        prep.k_tie_rank,
        lower_proj,
        lower_ratio,
        soft,
        out["v"],
        out["proj"],
        out["rho"],
        out["nrich"],
        out["partial"],
        out["upper"],
        out["exact"],
        out["tie"],
        out["tied_end"],
        out["tied"],
        out["low"],
        out["tie_n"],
    )
    return status, rounds, out
