"""Properties of the rules on random small elections, and MES against a slow exact reference.

The reference below follows the definition literally: one budget per voter, exact fractions, and
for each project the payment rho solving ``sum(min(budget_i, rho)) == cost`` found by trying every
number of "voters who pay all they have". It shares no code with the implementation.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import example, given, settings
from hypothesis import strategies as st

from budgeting.rules import Election, TieBreaking, greedy, method_of_equal_shares

SETTINGS = settings(max_examples=250, deadline=None)


@st.composite
def elections(draw, max_projects: int = 6, max_voters: int = 9) -> Election:
    m = draw(st.integers(1, max_projects))
    # Numeric ids make lexicographic order differ from numeric order ("10" < "9").
    ids = draw(st.lists(st.integers(0, 40).map(str), min_size=m, max_size=m, unique=True))
    costs = draw(st.lists(st.integers(0, 30), min_size=m, max_size=m))
    budget = draw(st.integers(0, 90))
    ballots = draw(st.lists(st.sets(st.integers(0, m - 1)), max_size=max_voters))
    return Election(tuple(ids), tuple(costs), budget, tuple(tuple(b) for b in ballots))


def tie_key(e: Election, mode: str):
    keys = TieBreaking(mode).mes_keys(e)
    return keys.__getitem__


def reference_rho(budgets: list[Fraction], cost: int) -> Fraction:
    ordered = sorted(budgets)
    for k in range(len(ordered)):  # the k poorest pay everything, the others pay rho
        rho = Fraction(cost - sum(ordered[:k], Fraction(0))) / (len(ordered) - k)
        if (k == 0 or ordered[k - 1] < rho) and rho <= ordered[k]:
            assert sum(min(x, rho) for x in ordered) == cost
            return rho
    raise AssertionError("an affordable project always has a payment")


def reference_mes(e: Election, per_voter: Fraction, mode: str = "lexicographic") -> list[int]:
    key = tie_key(e, mode)
    money = [Fraction(per_voter)] * e.num_voters
    supporters = [[i for i, b in enumerate(e.ballots) if j in b] for j in range(e.num_projects)]
    chosen = [j for j in range(e.num_projects) if e.costs[j] == 0 and supporters[j]]
    remaining = [j for j in range(e.num_projects) if e.costs[j] > 0 and supporters[j]]
    while True:
        offers = []
        for j in remaining:
            budgets = [money[i] for i in supporters[j]]
            if sum(budgets) >= e.costs[j]:
                rho = reference_rho(budgets, e.costs[j])
                offers.append((rho / e.costs[j], key(j), j, rho))
        if not offers:
            return chosen
        _, _, j, rho = min(offers)
        chosen.append(j)
        remaining.remove(j)
        for i in supporters[j]:
            money[i] -= min(money[i], rho)


def reference_add1(e: Election, variant: str) -> list[int]:
    """The unit-step loops, literally: try B/n, then every per-voter budget one unit higher.

    ``pabutools``: B/n + k, stop at the first outcome exhaustive over supported projects.
    ``equalshares``: floor(B/n) + k from k = 0, exhaustive over all projects. ``overspend``:
    floor(B/n) + k, no exhaustiveness stop. All keep the previous outcome when the next
    overspends, and stop once
    every project someone approves is selected (nothing else can happen).
    """
    start = Fraction(e.budget) / e.num_voters
    base = start if variant == "pabutools" else Fraction(int(start))
    supported = [j for j in range(e.num_projects) if e.approval_counts[j]]
    scope = supported if variant == "pabutools" else range(e.num_projects)
    previous, step = None, 0
    while True:
        outcome = reference_mes(e, base + step)
        spent = sum(e.costs[j] for j in outcome)
        if spent > e.budget:
            return previous
        left = e.budget - spent
        exhaustive = all(j in outcome or e.costs[j] > left for j in scope)
        if (variant != "overspend" and exhaustive) or set(outcome) == set(supported):
            return outcome
        previous, step = outcome, step + 1


def indices(e: Election, ids) -> list[int]:
    return [e.index[p] for p in ids]


@SETTINGS
@given(elections())
def test_greedy_never_overspends_and_leaves_no_voted_project_that_would_still_fit(e):
    result = greedy(e)
    assert result.total_cost <= e.budget
    left = e.budget - result.total_cost
    unselected = [j for j, p in enumerate(e.project_ids) if p not in result.selected_set]
    assert all(e.costs[j] > left for j in unselected if e.approval_counts[j])


@SETTINGS
@given(elections(), st.sampled_from(["lexicographic", "equalshares"]))
def test_mes_selects_exactly_what_the_reference_implementation_selects(e, mode):
    if e.num_voters == 0:
        return
    expected = reference_mes(e, Fraction(e.budget) / e.num_voters, mode)
    assert indices(e, method_of_equal_shares(e, tie_breaking=mode).selected) == expected


@SETTINGS
@given(elections(max_voters=6))
def test_mes_with_add1_selects_exactly_what_the_reference_loop_selects(e):
    if e.num_voters == 0:
        return
    for variant in ("pabutools", "equalshares", "overspend"):
        ours = method_of_equal_shares(e, add1=True, add1_variant=variant)
        assert indices(e, ours.selected) == reference_add1(e, variant), variant


@st.composite
def long_add1_elections(draw) -> Election:
    """Costs far above the per-voter budget, so that Add1 takes hundreds of unit steps."""
    m = draw(st.integers(2, 6))
    ids = [str(i) for i in range(m)]
    costs = draw(st.lists(st.integers(1, 3000), min_size=m, max_size=m))
    budget = draw(st.integers(1, 6000))
    ballots = draw(st.lists(st.sets(st.integers(0, m - 1)), min_size=1, max_size=9))
    return Election(tuple(ids), tuple(costs), budget, tuple(tuple(b) for b in ballots))


@settings(max_examples=120, deadline=None)
@given(
    st.one_of(elections(max_voters=8), long_add1_elections()),
    st.sampled_from(["pabutools", "equalshares", "overspend"]),
    st.sampled_from(["lexicographic", "equalshares"]),
)
def test_jumping_between_add1_steps_gives_exactly_the_outcome_of_the_unit_step_loop(
    e, variant, mode
):
    jumped = method_of_equal_shares(e, add1=True, add1_variant=variant, tie_breaking=mode)
    stepped = method_of_equal_shares(
        e, add1=True, add1_variant=variant, tie_breaking=mode, add1_jump=False
    )
    assert jumped.selected == stepped.selected
    assert jumped.details["per_voter_budget"] == stepped.details["per_voter_budget"]
    assert jumped.details["add1_steps"] == stepped.details["add1_steps"]


@SETTINGS
@given(
    elections(),
    st.sampled_from(["pabutools", "equalshares", "overspend"]),
    st.booleans(),
    st.booleans(),
)
def test_mes_never_overspends_whatever_the_options(e, variant, complete, compare):
    result = method_of_equal_shares(
        e,
        add1=True,
        add1_variant=variant,
        completion="greedy" if complete else "none",
        comparison=compare,
    )
    assert result.total_cost <= e.budget
    assert len(set(result.selected)) == len(result.selected)
    assert set(result.explanations) == set(e.project_ids)
    if complete and not compare:
        left = e.budget - result.total_cost
        unselected = [j for j, p in enumerate(e.project_ids) if p not in result.selected_set]
        assert all(e.costs[j] > left for j in unselected if e.approval_counts[j])


@SETTINGS
@given(elections(max_projects=8, max_voters=12), st.sampled_from(["pabutools", "overspend"]))
def test_the_fast_path_and_exact_arithmetic_agree(e, variant):
    fast = method_of_equal_shares(e, add1=True, add1_variant=variant)
    exact = method_of_equal_shares(e, add1=True, add1_variant=variant, exact=True)
    assert fast.selected == exact.selected
    assert fast.details["per_voter_budget"] == exact.details["per_voter_budget"]


def _decisions(run) -> list[tuple]:
    """What each round of a run decided: its winner, who paid all or part, the ties."""
    return [(r.project, r.full_payers, r.partial_payers, r.tied_with) for r in run.rounds]


@SETTINGS
@given(
    elections(max_voters=9), st.integers(0, 12), st.sampled_from(["lexicographic", "equalshares"])
)
def test_the_float_engine_reports_the_rounds_ratios_and_money_left_of_the_exact_engine(e, k, mode):
    """Exact ratios (worked out only when a certificate asks) and money left (only when the
    explanations ask) are those of the state at their round and at the end, as exactly computed."""
    from budgeting.rules._mes_engine import Prepared, run_exact, run_float

    prep = Prepared(e, TieBreaking(mode))
    b = Fraction(e.budget, max(1, e.num_voters)) + k
    fast, exact = run_float(prep, b), run_exact(prep, b)
    if fast is None:  # too close to call in floats: the exact engine decides
        return
    assert fast.winners == exact.winners
    assert _decisions(fast) == _decisions(exact)
    for f, x in zip(fast.rounds, exact.rounds, strict=True):
        q = f.exact_ratio()
        assert q is None or q == x.ratio
        assert x.ratio <= f.ratio_max
    assert fast.money_left.keys() == exact.money_left.keys()
    for j, left in fast.money_left.items():
        assert abs(left - float(exact.money_left[j])) <= 1e-9 * (1 + e.budget)


def test_the_float_engine_solves_rho_like_sorting_does():
    import numpy as np

    from budgeting.rules._mes_engine import _rho_float

    rng = np.random.default_rng(7)
    for _ in range(300):
        k = int(rng.integers(1, 40))
        vs = np.where(rng.random(k) < 0.3, 0.0, rng.random(k) * 10)
        ns = rng.integers(1, 5, k).astype(float)
        votes = float(ns.sum())
        c = float(rng.random() * (vs @ ns))
        solved = _rho_float(vs, ns, c, votes)
        assert solved is not None
        rho, poor, n_rich = solved
        assert abs(float(ns @ np.minimum(vs, rho)) - c) <= 1e-9 * (1 + c)
        assert (poor == (vs < rho)).all()
        assert n_rich == votes - float(ns[poor].sum())


def test_a_rounds_exact_ratio_is_that_of_the_budgets_before_its_payments():
    from budgeting.rules._mes_engine import Prepared, run_float

    # Two voters with 10 each; A (10) asks 5 of each: rho / cost = 1/2 exactly, known from the
    # budgets before the payment (after it, both hold exactly rho: too close to tell).
    e = Election(("A", "B"), (10, 30), 20, ((0,), (0, 1)))
    first = run_float(Prepared(e, TieBreaking("lexicographic")), Fraction(10)).rounds[0]
    assert first.project == 0
    assert first.exact_ratio() == Fraction(1, 2)


def test_the_compiled_kernel_is_installed_and_used():
    """numba is a dependency: without it every run silently takes the slower numpy engine."""
    from budgeting.rules import _mes_kernel
    from budgeting.rules._mes_engine import Prepared

    assert _mes_kernel.AVAILABLE
    e = Election(("A", "B"), (10, 30), 20, ((0,), (0, 1)))
    assert Prepared(e, TieBreaking("lexicographic")).use_kernel


def _same_rounds(ours, theirs, budget) -> None:
    assert ours.winners == theirs.winners
    assert _decisions(ours) == _decisions(theirs)
    for a, b in zip(ours.rounds, theirs.rounds, strict=True):
        assert a.exact_ratio() == b.exact_ratio()
        assert type(a.rho) is type(b.rho)
        assert abs(a.rho - b.rho) <= 1e-9 * (1 + budget)
        assert abs(a.ratio_max - b.ratio_max) <= 1e-9 * a.ratio_max
    assert ours.money_left.keys() == theirs.money_left.keys()
    for j, left in ours.money_left.items():
        assert abs(left - theirs.money_left[j]) <= 1e-9 * (1 + budget)


@SETTINGS
@given(
    st.one_of(elections(max_voters=9), long_add1_elections()),
    st.integers(0, 12),
    st.integers(1, 40),
    st.sampled_from(["lexicographic", "equalshares"]),
)
def test_the_compiled_kernel_decides_every_run_and_certificate_like_the_numpy_engine(
    e, k, ahead, mode
):
    """The kernel (numba) and the numpy engine take the same decisions, give up on the same
    runs, and bracket the same Add1 stretches; amounts agree up to rounding."""
    from budgeting.rules._mes_engine import (
        Prepared,
        brackets,
        run_bracketing,
        run_exact,
        run_float,
        run_float_numpy,
    )

    prep = Prepared(e, TieBreaking(mode))
    b = Fraction(e.budget, max(1, e.num_voters)) + k
    compiled, plain = run_float(prep, b), run_float_numpy(prep, b)
    assert (compiled is None) == (plain is None)
    if compiled is None:
        return
    _same_rounds(compiled, plain, e.budget)
    # From an exact lower run too (its ratios are exact fractions, its ratio_max infinite).
    for lower in (compiled, plain, run_exact(prep, b)):
        bracketing = run_bracketing(prep, b + ahead, lower)
        prep.use_kernel = False
        reference = run_bracketing(prep, b + ahead, lower)
        prep.use_kernel = True
        _same_rounds(bracketing, reference, e.budget)
        assert brackets(lower, bracketing) == brackets(lower, reference)


# Outcomes that come back: at 11/2 per voter MES selects C, D; at 13/2 and 27/4 C, A, D; at 7
# C, D again (the first found by a brute-force search with the literal reference).
COMING_BACK = Election(
    ("A", "B", "C", "D"),
    (2, 15, 22, 5),
    27,
    ((0, 1, 2, 3), (0, 1, 2), (3,), (2,), (1, 2, 3)),
)


def test_add1_does_not_jump_over_an_outcome_that_comes_back():
    """With a budget of 27 and steps of 1/4, the ``overspend`` loop stops at 25/4 per voter:
    at 26/4 C, A, D would overspend. At 29/4 the outcome is C, D again, so a jump
    certified by equal outcomes at both ends (no rival check) ends there instead."""
    for variant in ("pabutools", "equalshares", "overspend"):
        jumped, stepped = (
            method_of_equal_shares(
                COMING_BACK,
                add1=True,
                add1_variant=variant,
                add1_increment=Fraction(1, 4),
                add1_jump=jump,
            )
            for jump in (True, False)
        )
        assert jumped.selected == stepped.selected == ("C", "D")
        for key in ("per_voter_budget", "add1_steps"):
            assert jumped.details[key] == stepped.details[key], (variant, key)
    assert jumped.details["per_voter_budget"] == Fraction(25, 4)


# At 9/2 per voter MES selects A, B, D (B asks 7/16 per unit of cost in round 2); at 13/2 it
# selects them too, and D asks exactly 1/3 in round 2, ties with B and loses the tie-break; but at
# 99/20 D asks less than B and MES selects A, D, B: a tie lost at ``hi`` proves something only
# if its exact ratio is at least the winner's at ``lo``. (Found by a brute-force search.)
TIE_AT_HI = Election(
    ("A", "B", "C", "D"), (12, 4, 2, 3), 20, ((0,), (0, 3), (1, 3), (1,), (0, 1, 3))
)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(elections(max_projects=4, max_voters=6), long_add1_elections()),
    st.fractions(1, 60, max_denominator=4),
    st.fractions(Fraction(1, 4), 400, max_denominator=4),
    st.lists(st.fractions(0, 1), min_size=1, max_size=6),
    st.sampled_from(["lexicographic", "equalshares"]),
    st.booleans(),
)
@example(COMING_BACK, Fraction(11, 2), Fraction(3, 2), [Fraction(5, 6)], "lexicographic", True)
@example(TIE_AT_HI, Fraction(9, 2), Fraction(2), [Fraction(9, 40)], "lexicographic", True)
@example(TIE_AT_HI, Fraction(9, 2), Fraction(2), [Fraction(9, 40)], "lexicographic", False)
@example(COMING_BACK, Fraction(11, 2), Fraction(3, 2), [Fraction(5, 6)], "lexicographic", False)
def test_a_bracket_proves_the_outcome_of_every_budget_in_between(
    e, lo, span, points, mode, use_kernel
):
    """When two runs bracket (``brackets``), the literal reference gives their outcome at every
    per-voter budget between them; both engines. This is what lets Add1 skip the steps in
    between. Outcomes can come back (``COMING_BACK``), so equal outcomes at both ends prove
    nothing by themselves: a certificate without the rival check, or comparing ``hi``'s
    rivals with ``hi``'s own winner instead of ``lo``'s, fails here, and so does one that
    accepts a tie lost at ``hi`` without comparing exact ratios (``TIE_AT_HI``)."""
    from budgeting.rules._mes_engine import Prepared, brackets, run, run_bracketing

    prep = Prepared(e, TieBreaking(mode))
    prep.use_kernel = use_kernel
    lower = run(prep, lo)
    upper = run_bracketing(prep, lo + span, lower)
    assert upper.winners == reference_mes(e, lo + span, mode)  # an ordinary run all the same
    if not brackets(lower, upper):
        return
    for x in [*points, Fraction(1, 2), 1 - Fraction(1, 4) / span]:
        assert reference_mes(e, lo + x * span, mode) == lower.winners, x


@st.composite
def many_voters(draw) -> Election:
    """Tens of voters in a few ballot types, costs far above the per-voter budget: many rounds
    with supporters paying all they have, where the slopes matter."""
    m = draw(st.integers(2, 5))
    ids = [str(i) for i in range(m)]
    costs = draw(st.lists(st.integers(50, 900), min_size=m, max_size=m))
    budget = draw(st.integers(100, 2000))
    kinds = draw(st.lists(st.sets(st.integers(0, m - 1), min_size=1), min_size=2, max_size=6))
    sizes = draw(st.lists(st.integers(1, 12), min_size=len(kinds), max_size=len(kinds)))
    ballots = [tuple(sorted(k)) for k, n in zip(kinds, sizes, strict=True) for _ in range(n)]
    return Election(tuple(ids), tuple(costs), budget, tuple(ballots))


def _ballots(counts: dict[tuple[int, ...], int]) -> tuple[tuple[int, ...], ...]:
    return tuple(b for b, n in counts.items() for _ in range(n))


# Found by the search below with the certificate broken. GAP_DIPS: the rival's gap to the winner
# is positive at both ends (2242/37 and 2242/37 + 11/2 per voter) and negative in between, so a
# certificate that looks only at the ends accepts it. UNCERTAIN_PAYERS: a certificate that leaves
# out of its bound the supporters who may switch between paying rho and paying all accepts
# 937/35 to 937/35 + 11/2, where the outcome changes at 937/35 + 11/32.
GAP_DIPS = Election(
    ("0", "1", "2", "3", "4"),
    (494, 406, 158, 640, 297),
    1058,
    _ballots(
        {(0, 1, 4): 10, (1, 2, 3, 4): 8, (0, 1, 2, 3, 4): 7, (0, 3): 5, (0, 1, 2, 3): 4, (2, 3): 3}
    ),
)
UNCERTAIN_PAYERS = Election(
    ("0", "1", "2", "3", "4"),
    (847, 208, 251, 431, 618),
    307,
    _ballots({(0, 1, 2, 3, 4): 12, (3,): 10, (0, 2): 7, (1, 3, 4): 6}),
)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(elections(max_projects=4, max_voters=6), long_add1_elections(), many_voters()),
    st.fractions(1, 60, max_denominator=4),
    st.fractions(Fraction(1, 4), 400, max_denominator=4),
    st.lists(st.fractions(0, 1), min_size=1, max_size=6),
    st.sampled_from(["lexicographic", "equalshares"]),
)
@example(COMING_BACK, Fraction(23, 4), Fraction(5, 4), [Fraction(3, 5)], "lexicographic")
@example(COMING_BACK, Fraction(25, 4), Fraction(3, 4), [Fraction(1, 3)], "lexicographic")
@example(TIE_AT_HI, Fraction(9, 2), Fraction(2), [Fraction(9, 40)], "lexicographic")
@example(GAP_DIPS, Fraction(2242, 37), Fraction(11, 2), [Fraction(5, 8)], "lexicographic")
@example(UNCERTAIN_PAYERS, Fraction(937, 35), Fraction(11, 2), [Fraction(1, 16)], "lexicographic")
def test_a_certificate_on_slopes_proves_the_outcome_of_every_budget_in_between(
    e, lo, span, points, mode
):
    """``certifies`` (decision 002, item 8) follows the rivals that ``brackets`` cannot clear
    over the whole stretch, with bounds on how fast each ratio falls. Whenever it says yes, the
    literal reference gives the same outcome at every per-voter budget in between."""
    from budgeting.rules._mes_engine import Prepared, certifies, run, run_bracketing

    prep = Prepared(e, TieBreaking(mode))
    lower = run(prep, lo)
    upper = run_bracketing(prep, lo + span, lower)
    if not certifies(prep, lower, upper):
        return
    for x in [*points, Fraction(1, 2), 1 - Fraction(1, 4) / span, Fraction(1, 4) / span]:
        assert reference_mes(e, lo + x * span, mode) == lower.winners, x


# Found by a search with the borrowing never stopping: at 4127/20 per voter MES selects other
# projects than at 4047/20 from the second round on, and its bounds from there on do not hold
# below it.
DIVERGING_ABOVE = Election(
    tuple("0123456"),
    (636, 67, 91, 656, 497, 746, 794),
    2407,
    _ballots({(3, 4): 9, (0, 2, 3, 4, 5, 6): 5, (5,): 2, (0, 1, 2, 3, 4, 5, 6): 4}),
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(elections(max_projects=5, max_voters=8), long_add1_elections(), many_voters()),
    st.fractions(1, 60, max_denominator=4),
    st.fractions(Fraction(1, 4), 200, max_denominator=4),
    st.fractions(Fraction(1, 4), 200, max_denominator=4),
    st.lists(st.fractions(0, 1), min_size=1, max_size=4),
    st.sampled_from(["lexicographic", "equalshares"]),
)
@example(
    DIVERGING_ABOVE,
    Fraction(3147, 20),
    Fraction(45),
    Fraction(4),
    [Fraction(1, 2)],
    "lexicographic",
)
def test_a_run_that_borrows_bounds_from_a_higher_run_is_still_mes_and_still_brackets_soundly(
    e, lo, span, extra, points, mode
):
    """A run made between two others (``run_bracketing(..., upper=...)``) skips what the higher
    run found unaffordable and starts from its ratios while their winners agree: it selects
    what the reference selects, and its bounds prove only what is true."""
    from budgeting.rules._mes_engine import Prepared, brackets, certifies, run, run_bracketing

    prep = Prepared(e, TieBreaking(mode))
    lower = run(prep, lo)
    above = run(prep, lo + span + extra)
    middle = run_bracketing(prep, lo + span, lower, above)
    assert middle.winners == reference_mes(e, lo + span, mode)
    if brackets(lower, middle) or certifies(prep, lower, middle):
        for x in [*points, Fraction(1, 2)]:
            assert reference_mes(e, lo + x * span, mode) == lower.winners, x


def test_slope_certificates_on_many_random_elections_prove_what_they_claim():
    """Random elections rarely need the slopes (``brackets`` decides most stretches), so this
    looks through thousands, seeded, and checks every stretch that only ``certifies`` proves at
    15 budgets inside. With the slope check dropped (accepting positive gaps at both ends) or
    the uncertain payers left out of the bound, it finds wrong certificates."""
    import random

    from budgeting.rules._mes_engine import Prepared, brackets, certifies, run, run_bracketing

    rng = random.Random(2)
    proved = 0
    for _ in range(6000):
        m = rng.randint(3, 6)
        costs = tuple(rng.randint(50, 900) for _ in range(m))
        kinds = [tuple(sorted(rng.sample(range(m), rng.randint(1, m)))) for _ in range(8)]
        ballots = _ballots({k: rng.randint(1, 15) for k in kinds[: rng.randint(3, 8)]})
        e = Election(tuple(map(str, range(m))), costs, rng.randint(200, 3000), ballots)
        prep = Prepared(e, TieBreaking("lexicographic"))
        lo = Fraction(e.budget, e.num_voters) + rng.randint(0, 40)
        span = Fraction(rng.randint(1, 80), rng.choice([1, 2, 4]))
        lower = run(prep, lo)
        upper = run_bracketing(prep, lo + span, lower)
        if lower.winners != upper.winners or brackets(lower, upper):
            continue
        if certifies(prep, lower, upper):
            proved += 1
            for x in range(1, 16):
                assert reference_mes(e, lo + span * x / 16) == lower.winners, (e, lo, span, x)
    assert proved >= 3
