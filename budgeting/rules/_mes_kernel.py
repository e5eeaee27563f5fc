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
from typing import NamedTuple

import numpy as np

DONE, GIVE_UP, UNHANDLED, UNAFFORDABLE = 0, 1, 2, 3
AVAILABLE = find_spec("numba") is not None
"""numba is a dependency; without it the numpy engine does everything (slower)."""

EPS = 2.0**-52
SAFETY = 64.0
SLOPE_TOL = 1e-9
HINT_MARGIN = 1e-9
"""A rho from an earlier round, shrunk by this, is certainly at most the rho of a later round
(floats err by about 1e-15 of it)."""
"""Relative margin on the slope bounds of ``_certify`` (sums of at most millions of positive
terms round by far less)."""


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


def _evaluate(v, err, err_max, sup, cnt, lo, hi, c, votes_j, hint):
    """One project at the budgets ``v``: ``(state, rho, rho_err, payers)``.

    ``state`` is ``UNAFFORDABLE`` (its supporters certainly hold less than ``c``), ``DONE``
    (``rho`` within ``rho_err``), ``GIVE_UP`` (too close to call) or ``UNHANDLED``. ``hint``:
    where to start refining (its ``rho`` at an earlier round of the run, a little less: money
    only shrinks, so ``rho`` only grows). The refinement stops only when the set of supporters
    who cannot pay stays the same, which determines ``rho``, so any start gives the same.
    """
    # One pass: the supporters' money, and who cannot pay the first guess (rho = cost / votes
    # in _rho_float). Most projects looked at turn out unaffordable.
    rho = max(c / votes_j, hint)
    money = 0.0
    paid = 0.0
    n_poor = 0.0
    for k in range(lo, hi):
        g = sup[k]
        x = v[g]
        n = cnt[g]
        money += x * n
        if x < rho:
            paid += x * n
            n_poor += n
    in_err = err_max * votes_j
    arith = (hi - lo + 4) * EPS * (money + c)
    if money + SAFETY * (in_err + arith) < c:
        return UNAFFORDABLE, 0.0, 0.0, 0.0
    if money - SAFETY * (in_err + arith) < c:
        return GIVE_UP, 0.0, 0.0, 0.0  # affordability too close to call
    n_rich = votes_j
    if n_poor == 0.0:  # everybody pays the first guess: the terms of its error bound
        rho = c / votes_j  # (then the hint was no more than that)
        low_n = 0.0
        low_err = 0.0
        for k in range(lo, hi):
            g = sup[k]
            e = err[g]
            if v[g] - SAFETY * e < rho:
                low_n += cnt[g]
                low_err += e * cnt[g]
    else:
        state, rho, n_rich, low_n, low_err = _refine(
            v, err, sup, cnt, lo, hi, c, votes_j, paid, n_poor
        )
        if state != DONE:
            return state, 0.0, 0.0, 0.0
    # rho's error bound, as in run_float: the errors of the budgets that may lie below rho,
    # over the number of voters surely above it.
    n_sure = votes_j - low_n
    if n_sure <= 0.0:
        return GIVE_UP, 0.0, 0.0, 0.0
    return DONE, rho, (low_err + arith) / n_sure + 2 * EPS * rho, n_rich


def _paid(x, e, rho, rho_err):
    """A voter holding ``x`` (error ``e``) pays ``rho`` (error ``rho_err``) or all it holds:
    what it holds afterwards, and its error bound (none once it certainly holds nothing)."""
    gap = x - rho
    if gap >= 0.0:
        return gap, e + rho_err + EPS * abs(gap)
    return 0.0, e + rho_err + EPS * abs(gap) if -gap <= SAFETY * (e + rho_err) else 0.0


def _pay(v, err, err_max, sup, cnt, lo, hi, rho, rho_err):
    """The supporters ``sup[lo:hi]`` pay ``rho`` or all they hold; returns
    ``(err_max, partial payers)``."""
    partial = 0.0
    for k in range(lo, hi):
        g = sup[k]
        x = v[g]
        if 0.0 < x < rho:
            partial += cnt[g]
        v[g], err[g] = _paid(x, err[g], rho, rho_err)
        err_max = max(err_max, err[g])
    return err_max, partial


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
            n = cnt[g]
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
    r_rho_err,
    e_round,
    e_proj,
    e_low,
    e_count,
    upper_proj,
    u_round,
    u_proj,
    u_low,
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
    hint = np.zeros(m)  # rho of each project when last evaluated, a little less
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
    n_e = 0
    matching = soft
    n_upper = upper_proj.size
    up_matching = n_upper > 0
    u_ptr = 0
    while True:
        # From the upper run, while its winners are this run's: what it found unaffordable is
        # unaffordable here, and its ratios are lower bounds here (decision 002, item 7's lemma).
        while up_matching and u_ptr < u_round.size and u_round[u_ptr] <= nr:
            j = u_proj[u_ptr]
            bound = u_low[u_ptr]
            u_ptr += 1
            if not alive[j] or bound <= stale[j] - SAFETY * stale_err[j]:
                continue
            if bound == np.inf:
                alive[j] = False
            else:
                stale[j] = bound
                stale_err[j] = 0.0
            if n_e < e_proj.size:
                e_round[n_e] = nr
                e_proj[n_e] = j
                e_low[n_e] = bound
            n_e += 1
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
            c = costs[j]
            state, rho, rho_err, n_rich = _evaluate(
                v, err, err_max, sup, cnt, indptr[j], indptr[j + 1], c, votes[j], hint[j]
            )
            if state == UNAFFORDABLE:
                alive[j] = False
                if n_e < e_proj.size:
                    e_round[n_e] = nr
                    e_proj[n_e] = j
                    e_low[n_e] = np.inf
                n_e += 1
                continue
            if state != DONE:
                return state, nr
            ratio = rho / c
            ratio_err = rho_err / c + 2 * EPS * ratio
            stale[j] = ratio
            stale_err[j] = ratio_err
            hint[j] = rho * (1.0 - HINT_MARGIN)
            if n_e < e_proj.size:  # what a certificate may later ask (_certify)
                e_round[n_e] = nr
                e_proj[n_e] = j
                e_low[n_e] = ratio - SAFETY * ratio_err
            n_e += 1
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
        if up_matching and (nr >= n_upper or upper_proj[nr] != w):
            up_matching = False
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
        err_max, partial = _pay(v, err, err_max, sup, cnt, lo, hi, rho, rho_err)
        r_proj[nr] = w
        r_rho[nr] = rho
        r_rho_err[nr] = rho_err
        r_nrich[nr] = n_rich
        r_partial[nr] = partial
        r_upper[nr] = ratio_w + SAFETY * ratio_err_w
        r_tie[nr] = exact_n > 0
        r_tied_end[nr] = n_tied
        nr += 1
    e_count[0] = n_e
    return DONE, nr


def _slopes(v_lo, e_lo, v_hi, e_hi, d_lo, d_hi, sup, cnt, lo, hi, rho_lo, err_lo, rho_hi, err_hi):
    """Bounds ``(fall_min, fall_max)`` on how fast a project's ``rho`` falls per unit of ``b``
    anywhere between two budgets, from its supporters at both (``v_*``, errors ``e_*``) and
    bounds ``[d_lo, d_hi]`` on how fast each supporter's money grows there (decision 002, item 8).

    With the sequence of winners fixed, a supporter's money minus ``rho`` grows with ``b``, so
    it pays all it has (is *poor*) below some budget and ``rho`` above it. Certainly rich: it
    pays ``rho`` at ``lo`` already; certainly poor: it cannot at ``hi``; otherwise uncertain.
    Where ``rho`` has a derivative, ``-rho' = sum(poor money') / payers``.
    """
    n_rich = 0.0
    n_unc = 0.0
    num_min = 0.0
    num_max = 0.0
    for k in range(lo, hi):
        g = sup[k]
        n = cnt[g]
        if v_lo[g] - SAFETY * e_lo[g] >= rho_lo + SAFETY * err_lo:
            n_rich += n
        elif v_hi[g] + SAFETY * e_hi[g] < rho_hi - SAFETY * err_hi:
            num_min += n * d_lo[g]
            num_max += n * d_hi[g]
        else:
            n_unc += n
            num_max += n * d_hi[g]
    if n_rich <= 0.0:
        return 0.0, np.inf
    return num_min / (n_rich + n_unc) * (1.0 - SLOPE_TOL), num_max / n_rich * (1.0 + SLOPE_TOL)


def _certify(  # noqa: C901 - one replay of two runs, round by round
    n_groups,
    lo_b,
    hi_b,
    indptr,
    sup,
    cnt,
    costs,
    votes,
    alive0,
    initial,
    proj,
    rho_lo,
    err_lo,
    upper_lo,
    rho_hi,
    err_hi,
    upper_hi,
    low_hi,
    tie_n_hi,
    e_round,
    e_proj,
    e_low,
):
    """True if every per-voter budget between ``lo_b`` and ``hi_b`` selects ``proj`` in order.

    Both runs selected ``proj`` and stopped. Rounds where every rival's bound at ``hi``
    (``low_hi``) clears the winner's ratio at ``lo`` (``upper_lo``) are proved as in
    ``_mes_engine.brackets``. For a rival that does not clear it (its bound at ``hi`` as the
    run at ``hi`` last evaluated it: ``e_*``), the gap between its ratio and the winner's is
    bounded from below over the whole stretch by the gaps at both ends and bounds on how fast
    each falls (``_slopes``); the round is proved when that bound stays positive. Both runs are
    replayed from their own payments (``rho_*``, with their error bounds ``err_*``), so the
    budgets are those the runs had.
    """
    v_lo = np.full(n_groups, lo_b)
    v_hi = np.full(n_groups, hi_b)
    ev_lo = np.full(n_groups, EPS * lo_b)
    ev_hi = np.full(n_groups, EPS * hi_b)
    emax_lo = EPS * lo_b
    emax_hi = EPS * hi_b
    d_lo = np.ones(n_groups)
    d_hi = np.ones(n_groups)
    lanes = (v_lo, ev_lo, v_hi, ev_hi, d_lo, d_hi, sup, cnt)  # what _slopes reads
    m = costs.size
    bound = np.empty(m)
    for j in range(m):
        bound[j] = initial[j] * (1.0 - 4 * EPS)
    out = ~alive0
    span = hi_b - lo_b
    ptr = 0
    # Rounds after the last that a rival may come close in are proved as in brackets: the
    # replay can stop there.
    last = -1
    for t in range(proj.size):
        if tie_n_hi[t] > 0:  # a rival tied exactly at hi: left to brackets' exact check
            return False
        if not low_hi[t] > upper_lo[t]:
            last = t
    for t in range(last + 1):
        while ptr < e_round.size and e_round[ptr] <= t:
            if e_low[ptr] == np.inf:
                out[e_proj[ptr]] = True
            else:
                bound[e_proj[ptr]] = e_low[ptr]
            ptr += 1
        w = proj[t]
        out[w] = True
        lo, hi = indptr[w], indptr[w + 1]
        cw = costs[w]
        fall_min_w, fall_max_w = _slopes(*lanes, lo, hi, rho_lo[t], err_lo[t], rho_hi[t], err_hi[t])
        if not low_hi[t] > upper_lo[t]:
            for j in range(m):
                if out[j] or bound[j] > upper_lo[t]:
                    continue
                # A rival that may come close: bound its gap to the winner over the stretch.
                c = costs[j]
                jl, jh = indptr[j], indptr[j + 1]
                state, r_hi, r_err_hi, gap_hi = _gap(
                    v_hi, ev_hi, emax_hi, sup, cnt, jl, jh, c, votes[j], upper_hi[t]
                )
                if state == UNAFFORDABLE:  # at hi, so below it too, in this round and later
                    out[j] = True
                    continue
                if state != DONE or not gap_hi > 0.0:
                    return False
                state, r_lo, r_err_lo, gap_lo = _gap(
                    v_lo, ev_lo, emax_lo, sup, cnt, jl, jh, c, votes[j], upper_lo[t]
                )
                if state == UNAFFORDABLE:
                    # Affordable only above some budget: from hi's side, where the rival's
                    # ratio falls at least not at all and the winner's at most fall_max_w.
                    drop = fall_max_w / cw * span
                    if not gap_hi - drop > SLOPE_TOL * (gap_hi + drop):
                        return False
                    continue
                if state != DONE or not gap_lo > 0.0:
                    return False
                fall_min_j, fall_max_j = _slopes(*lanes, jl, jh, r_lo, r_err_lo, r_hi, r_err_hi)
                # d(gap)/db lies in [g_min, g_max]; the gap is at least both lines below.
                g_min = fall_min_w / cw - fall_max_j / c
                g_max = fall_max_w / cw - fall_min_j / c
                if not _stays_positive(gap_lo, gap_hi, g_min, g_max, span):
                    return False
        # Both runs pay for the winner; the supporters' money grows as fast as before plus
        # what rho falls (certainly rich), not at all (certainly poor), or in between.
        emax_lo, emax_hi = _pay_both(
            v_lo,
            ev_lo,
            emax_lo,
            rho_lo[t],
            err_lo[t],
            v_hi,
            ev_hi,
            emax_hi,
            rho_hi[t],
            err_hi[t],
            d_lo,
            d_hi,
            fall_min_w,
            fall_max_w,
            sup,
            lo,
            hi,
        )
    return True


def _gap(v, err, err_max, sup, cnt, lo, hi, c, votes_j, upper):
    """A rival at one end of a stretch: ``_evaluate``'s state, ``rho`` and its error bound, and
    a float certainly at most its ratio minus ``upper`` (the winner's ratio there, at most)."""
    state, rho, rho_err, _ = _evaluate(v, err, err_max, sup, cnt, lo, hi, c, votes_j, 0.0)
    if state != DONE:
        return state, rho, rho_err, 0.0
    q = rho / c
    return DONE, rho, rho_err, q - SAFETY * (rho_err / c + 2 * EPS * q) - upper


def _pay_both(
    v_lo,
    e_lo,
    emax_lo,
    rho_lo,
    err_lo,
    v_hi,
    e_hi,
    emax_hi,
    rho_hi,
    err_hi,
    d_lo,
    d_hi,
    fall_min,
    fall_max,
    sup,
    lo,
    hi,
):
    """``_pay`` at both budgets, and the bounds on how fast each payer's money grows: as fast
    as before plus what ``rho`` falls (certainly rich), not at all (certainly poor), or in
    between; returns both ``err_max``."""
    for k in range(lo, hi):
        g = sup[k]
        x = v_lo[g]
        y = v_hi[g]
        ex = e_lo[g]
        ey = e_hi[g]
        if x - SAFETY * ex >= rho_lo + SAFETY * err_lo:
            d_lo[g] = (d_lo[g] + fall_min) * (1.0 - SLOPE_TOL)
            d_hi[g] = (d_hi[g] + fall_max) * (1.0 + SLOPE_TOL)
        elif y + SAFETY * ey < rho_hi - SAFETY * err_hi:
            d_lo[g] = 0.0
            d_hi[g] = 0.0
        else:
            d_lo[g] = 0.0
            d_hi[g] = (d_hi[g] + fall_max) * (1.0 + SLOPE_TOL)
        v_lo[g], e_lo[g] = _paid(x, ex, rho_lo, err_lo)
        v_hi[g], e_hi[g] = _paid(y, ey, rho_hi, err_hi)
        emax_lo = max(emax_lo, e_lo[g])
        emax_hi = max(emax_hi, e_hi[g])
    return emax_lo, emax_hi


def _stays_positive(gap_lo, gap_hi, g_min, g_max, span):
    """Whether ``max(gap_lo + g_min x, gap_hi - g_max (span - x))`` stays positive on
    ``[0, span]`` (with a relative margin for the rounding of these few operations)."""
    if g_min == -np.inf and g_max == np.inf:
        return False
    if g_min == -np.inf:  # only the line from hi's side bounds anything
        return gap_hi - g_max * span > SLOPE_TOL * (abs(gap_hi) + abs(g_max) * span)
    if g_max == np.inf:  # only the line from lo's side
        return gap_lo + g_min * span > SLOPE_TOL * (abs(gap_lo) + abs(g_min) * span)
    a0, a1 = gap_lo, g_min
    b0, b1 = gap_hi - g_max * span, g_max
    scale = abs(gap_lo) + abs(gap_hi) + (abs(g_min) + abs(g_max)) * span
    worst = min(max(a0, b0), max(a0 + a1 * span, b0 + b1 * span))
    if a1 != b1:
        x = (b0 - a0) / (a1 - b1)
        if 0.0 < x < span:
            worst = min(worst, max(a0 + a1 * x, b0 + b1 * x))
    return worst > SLOPE_TOL * scale


def _predict(
    n_groups, lo_b, hi_b, indptr, sup, cnt, costs, votes, proj_lo, rho_lo, proj_hi, rho_hi
):
    """Where between ``lo_b`` and ``hi_b`` the first round that differs changes hands, by
    linear interpolation (NaN when there is nothing to interpolate). Only a guess, to choose
    where to run next: the runs and certificates decide."""
    v_lo = np.full(n_groups, lo_b)
    v_hi = np.full(n_groups, hi_b)
    t = 0
    n = min(proj_lo.size, proj_hi.size)
    while t < n and proj_lo[t] == proj_hi[t]:
        w = proj_lo[t]
        for k in range(indptr[w], indptr[w + 1]):
            g = sup[k]
            v_lo[g] = max(0.0, v_lo[g] - rho_lo[t])
            v_hi[g] = max(0.0, v_hi[g] - rho_hi[t])
        t += 1
    if t == proj_hi.size:
        return np.nan
    r = proj_hi[t]  # the project that wins round t at hi
    m_lo = _money(v_lo, sup, cnt, indptr[r], indptr[r + 1])
    m_hi = _money(v_hi, sup, cnt, indptr[r], indptr[r + 1])
    if m_lo < costs[r]:  # it becomes affordable in between
        return lo_b + (costs[r] - m_lo) / (m_hi - m_lo) * (hi_b - lo_b)
    if t == proj_lo.size:
        return np.nan
    w = proj_lo[t]
    gaps = np.empty(2)
    for side in range(2):
        v = v_lo if side == 0 else v_hi
        ratios = np.empty(2)
        for i in range(2):
            j = w if i == 0 else r
            ratios[i] = _rho_plain(v, sup, cnt, indptr[j], indptr[j + 1], costs[j], votes[j])
            ratios[i] /= costs[j]
        gaps[side] = ratios[1] - ratios[0]
    if not (gaps[0] > 0.0 and gaps[1] < 0.0):
        return np.nan
    return lo_b + gaps[0] / (gaps[0] - gaps[1]) * (hi_b - lo_b)


def _money(v, sup, cnt, lo, hi):
    total = 0.0
    for k in range(lo, hi):
        g = sup[k]
        total += v[g] * cnt[g]
    return total


def _rho_plain(v, sup, cnt, lo, hi, c, votes_j):
    """rho by refinement, without error bounds (infinite when unaffordable)."""
    if _money(v, sup, cnt, lo, hi) < c:
        return np.inf
    rho = c / votes_j
    n_poor = -1.0
    for _ in range(200):
        paid = 0.0
        count = 0.0
        for k in range(lo, hi):
            g = sup[k]
            x = v[g]
            if x < rho:
                paid += x * cnt[g]
                count += cnt[g]
        if count == n_poor or count >= votes_j:
            break
        n_poor = count
        rho = (c - paid) / (votes_j - count)
    return rho


_compiled = None
_certify_compiled = None
_predict_compiled = None


def _kernel():
    """The compiled ``_run`` (compiling, or loading from the cache, on first use)."""
    global _compiled, _certify_compiled, _predict_compiled
    global _exact_payers, _refine, _evaluate, _pay, _pay_both, _slopes, _gap, _stays_positive
    global _money, _rho_plain, _paid
    if _compiled is None:
        from numba import njit

        def compiled(function):
            try:
                return njit(cache=True, nogil=True)(function)
            except RuntimeError:  # nowhere writable to cache it: compile in every process
                return njit(nogil=True)(function)

        # The kernels call these by their global names: compile them first, callees first.
        _exact_payers = compiled(_exact_payers)
        _refine = compiled(_refine)
        _evaluate = compiled(_evaluate)
        _paid = compiled(_paid)
        _pay = compiled(_pay)
        _pay_both = compiled(_pay_both)
        _slopes = compiled(_slopes)
        _gap = compiled(_gap)
        _stays_positive = compiled(_stays_positive)
        _money = compiled(_money)
        _rho_plain = compiled(_rho_plain)
        _certify_compiled = compiled(_certify)
        _predict_compiled = compiled(_predict)
        _compiled = compiled(_run)
    return _compiled


_NO_UPPER = (
    np.empty(0, dtype=np.int64),
    np.empty(0, dtype=np.int64),
    np.empty(0, dtype=np.int64),
    np.empty(0),
)


def run_kernel(prep, bf: float, lower_proj, lower_ratio, soft: bool = False, upper=None):
    """Call the kernel with fresh output arrays; returns ``(status, rounds, arrays)``.

    ``upper``: the ``Replay`` of a run at a higher budget, whose bounds this run may use."""
    up = (
        _NO_UPPER
        if upper is None or upper.e_round is None
        else (upper.proj, upper.e_round, upper.e_proj, upper.e_low)
    )
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
        "rho_err": np.empty(m),
        "e_round": np.empty(16 * m + 64, dtype=np.int64),
        "e_proj": np.empty(16 * m + 64, dtype=np.int64),
        "e_low": np.empty(16 * m + 64),
        "e_count": np.zeros(1, dtype=np.int64),
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
        out["rho_err"],
        out["e_round"],
        out["e_proj"],
        out["e_low"],
        out["e_count"],
        *up,
    )
    return status, rounds, out


class Replay(NamedTuple):
    """What ``_certify`` and ``_predict`` need of a kernel run: its budget, and per round the
    winner, its ``rho`` (as paid, in floats) with its error bound, its ratio's upper bound, the
    rivals' lower bound and exact ties (``Run.rival_low``/``rival_tie_n``); and the lower bounds
    of every project the run evaluated, by round (``e_*``; ``None`` if they did not fit)."""

    b: float
    proj: np.ndarray
    rho: np.ndarray
    rho_err: np.ndarray
    upper: np.ndarray
    low: np.ndarray
    tie_n: np.ndarray
    e_round: np.ndarray | None
    e_proj: np.ndarray | None
    e_low: np.ndarray | None


def replay_of(bf: float, rounds: int, out: dict) -> Replay:
    n_e = int(out["e_count"][0])
    fits = n_e <= out["e_proj"].size
    return Replay(
        bf,
        out["proj"][:rounds].copy(),
        out["rho"][:rounds].copy(),
        out["rho_err"][:rounds].copy(),
        out["upper"][:rounds].copy(),
        out["low"][:rounds].copy(),
        out["tie_n"][:rounds].copy(),
        out["e_round"][:n_e].copy() if fits else None,
        out["e_proj"][:n_e].copy() if fits else None,
        out["e_low"][:n_e].copy() if fits else None,
    )


MAX_CERTIFIED_ENTRIES = 2**22
"""Above this many ballot entries, ``SLOPE_TOL`` would not cover the rounding of the sums."""


def _pair(prep, lo, hi) -> tuple:
    """The first arguments of ``_certify`` and ``_predict``: the election and both budgets."""
    return (
        len(prep.groups),
        lo.b,
        hi.b,
        prep.k_indptr,
        prep.k_sup,
        prep.k_cnt,
        prep.k_costs,
        prep.k_votes,
    )


def certify(prep, lo, hi) -> bool:
    """``_certify`` on two kernel runs (``Replay`` each) that selected the same projects."""
    _kernel()
    return bool(
        _certify_compiled(
            *_pair(prep, lo, hi),
            prep.k_alive,
            prep.initial_ratio,
            lo.proj,
            lo.rho,
            lo.rho_err,
            lo.upper,
            hi.rho,
            hi.rho_err,
            hi.upper,
            hi.low,
            hi.tie_n,
            hi.e_round,
            hi.e_proj,
            hi.e_low,
        )
    )


def predict(prep, lo, hi) -> float:
    """``_predict`` on two kernel runs (``Replay`` each); NaN when it has no guess."""
    _kernel()
    return float(_predict_compiled(*_pair(prep, lo, hi), lo.proj, lo.rho, hi.proj, hi.rho))
