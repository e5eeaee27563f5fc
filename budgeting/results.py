"""The bridge between the database and the pure result rules in ``budgeting/rules/``.

It turns a process's feasible projects and counted ballots into the rules' input (one
election per district envelope, or one for the whole city), runs the process's rule with
its options, stores a Result with one line per project, and turns the rules' structured
explanations into sentences in the reader's language.
"""

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import repeat

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from budgeting.models import Ballot, BallotSelection, Process, Project, Result, ResultLine
from budgeting.rules.greedy import greedy
from budgeting.rules.mes import method_of_equal_shares
from budgeting.rules.types import Election, TieBreaking, gc_paused


@dataclass
class Tally:
    """One election, ORM-free: what the rules need.

    ``ballots`` holds one tuple per counted ballot: the sorted positions, in ``projects``, of the
    projects it approves. Identical ballots share one tuple (Łódź 2022: 23,571 distinct for
    90,494), so a city's ballots take a few megabytes.
    """

    district: str
    budget: int
    projects: list[Project]  # feasible projects of this election, in the order shown to voters
    ballots: list[tuple[int, ...]] = field(repr=False)
    counts: list[int] | None = field(default=None, repr=False)
    """Votes per project, when the loader counted them from the distinct ballots."""

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(p.public_id for p in self.projects)

    @property
    def votes(self) -> list[int]:
        if self.counts is None:
            counts = [0] * len(self.projects)
            for ballot, n in Counter(self.ballots).items():
                for j in ballot:
                    counts[j] += n
            self.counts = counts
        return self.counts


@dataclass
class Outcome:
    selected: list[str]  # public ids, in order of selection
    reasons: dict[str, tuple[str, dict]]  # public id -> (reason code, numbers)
    details: dict


def _counted_rows(process: Process) -> list[tuple[str, str | None, int]]:
    """``(district, project pks as "12,5,7" or None, how many ballots)``, grouped in the database.

    One query. PostgreSQL aggregates each ballot's selections into a string, then groups
    identical ballots (Łódź 2022: 23,571 rows for 90,494 ballots); the pks are not sorted there
    (sorting each ballot's selections costs the database more than sorting the distinct rows
    here), so one set of projects may come as several rows, which the caller merges. SQLite
    returns one row per ballot. Empty ballots are kept: under equal shares every voter holds a
    share of the budget.
    """
    ballot, selection = Ballot._meta.db_table, BallotSelection._meta.db_table
    where = "b.process_id = %s AND b.state = %s"
    params = [process.pk, Ballot.State.COUNTED]
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT district, chosen, count(*) FROM ("  # noqa: S608
            f" SELECT b.district AS district, string_agg(s.project_id::text, ',') AS chosen"
            f" FROM {ballot} b LEFT JOIN {selection} s ON s.ballot_id = b.id"
            f" WHERE {where} GROUP BY b.id) AS one_per_ballot GROUP BY district, chosen"
        )
    else:
        sql = (
            f"SELECT b.district, group_concat(s.project_id), 1"  # noqa: S608
            f" FROM {ballot} b LEFT JOIN {selection} s ON s.ballot_id = b.id"
            f" WHERE {where} GROUP BY b.id"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def tallies(process: Process) -> list[Tally]:
    """One Tally per envelope (or a single city-wide one), from counted ballots only.

    Three queries whatever the number of ballots (envelopes, feasible projects, the grouped
    ballots); no model instance per ballot.
    """
    envelopes = list(process.envelopes.all())
    projects = list(process.projects.filter(state=Project.State.FEASIBLE).order_by("pk"))
    groups = [(e.district, e.budget) for e in envelopes] or [("", process.budget)]
    # Tens of thousands of small tuples, none in a reference cycle: the collector would rescan
    # them (and the whole process's objects) several times while they are built.
    with gc_paused():
        rows = _counted_rows(process)
        result = []
        for district, budget in groups:
            in_group = [p for p in projects if not envelopes or p.district == district]
            result.append(_tally(district, budget, in_group, rows, by_district=bool(envelopes)))
    return result


def _tally(district: str, budget: int, projects: list[Project], rows, *, by_district) -> Tally:
    # Selections of projects outside this election (not feasible) are left out.
    index = {str(p.pk): i for i, p in enumerate(projects)}
    get = index.get
    distinct: dict[tuple[int, ...], int] = {}
    for ballot_district, chosen, n in rows:
        if by_district and ballot_district != district:
            continue
        if chosen:
            positions = [j for j in map(get, chosen.split(",")) if j is not None]
            positions.sort()
            ballot = tuple(positions)
        else:
            ballot = ()
        # The same set of projects may come in several rows (stored in another order).
        distinct[ballot] = distinct.get(ballot, 0) + n
    ballots: list[tuple[int, ...]] = []
    counts = [0] * len(projects)
    for ballot, n in distinct.items():
        ballots.extend(repeat(ballot, n))
        for j in ballot:
            counts[j] += n
    return Tally(
        district=district, budget=budget, projects=projects, ballots=ballots, counts=counts
    )


def options_of(process: Process) -> dict:
    options = {
        "rule": process.result_rule,
        "tie_breaking": process.tie_breaking,
        "min_votes": process.min_votes,
        "min_vote_share": str(process.min_vote_share),
    }
    if process.result_rule == Process.ResultRule.MES:
        options |= {
            "add1": True,
            "add1_variant": process.mes_add1_variant,
            "completion": process.mes_completion,
            "comparison": process.mes_comparison,
        }
    return options


def election_of(tally: Tally) -> Election:
    # Ballots are sorted positions already: ids such as "12" are never read as positions.
    election = Election(
        project_ids=tally.ids,
        costs=tuple(p.cost for p in tally.projects),
        budget=tally.budget,
        ballots=tuple(tally.ballots),
    )
    # The loader counted the votes from the distinct ballots: the election's cached counts
    # (greedy reads them) need not go through 90,000 ballots again.
    vars(election).setdefault("approval_counts", tuple(tally.votes))
    return election


def lot_order(tally: Tally) -> tuple[str, ...]:
    """The published lot order (equal-shares tie-breaking): projects by lot position."""
    drawn = [p for p in tally.projects if p.lot_position is not None]
    return tuple(p.public_id for p in sorted(drawn, key=lambda p: p.lot_position))


def run_rule(process: Process, tally: Tally) -> Outcome:
    """Run the process's rule (budgeting.rules) on one election."""
    election = election_of(tally)
    tie_breaking = TieBreaking(mode=process.tie_breaking, lot_order=lot_order(tally))
    # A share threshold counts the participants of this election (the district's, for an
    # envelope).
    min_votes = process.vote_threshold(len(tally.ballots))
    if process.result_rule == Process.ResultRule.MES:
        outcome = method_of_equal_shares(
            election,
            add1=True,
            add1_variant=process.mes_add1_variant,
            completion=process.mes_completion,
            comparison=process.mes_comparison,
            tie_breaking=tie_breaking,
            min_votes=min_votes,
        )
    else:
        outcome = greedy(election, tie_breaking=tie_breaking, min_votes=min_votes)
    reasons = {}
    for pid, explanation in outcome.explanations.items():
        stored = explanation.as_dict()
        reasons[pid] = (stored["code"], {"data": stored["data"], "steps": stored["steps"]})
    return Outcome(
        selected=list(outcome.selected), reasons=reasons, details=_jsonable(outcome.details)
    )


def _jsonable(value):
    if isinstance(value, Fraction):
        return str(value) if value.denominator != 1 else value.numerator
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


def outcomes_compute(process: Process, elections: list[Tally] | None = None) -> list:
    """``(tally, outcome)`` for every election of the process (nothing is written)."""
    return [(tally, run_rule(process, tally)) for tally in elections or tallies(process)]


@transaction.atomic
def results_store(*, process: Process, actor=None, computed: list | None = None) -> list[Result]:
    """Compute every election of the process and replace its unpublished results.

    One query loads the ballots (unless ``computed`` is given, from :func:`outcomes_compute`),
    one stores each election's result and one (per 1,000 lines) its explanations.
    """
    if computed is None:
        computed = outcomes_compute(process)
    process.results.filter(published_at__isnull=True).delete()
    stored = []
    for tally, outcome in computed:
        votes = tally.votes
        costs = {p.public_id: p.cost for p in tally.projects}
        result = Result.objects.create(
            process=process,
            district=tally.district,
            rule=process.result_rule,
            options=options_of(process),
            budget=tally.budget,
            spent=sum(costs[pid] for pid in outcome.selected),
            ballots_counted=len(tally.ballots),
            details=outcome.details,
            computed_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        position = {pid: i for i, pid in enumerate(outcome.selected, start=1)}
        lines = []
        for j, project in enumerate(tally.projects):
            pid = project.public_id
            reason, data = outcome.reasons.get(pid, ("", {}))
            lines.append(
                ResultLine(
                    result=result,
                    project=project,
                    votes=votes[j],
                    selected=pid in position,
                    position=position.get(pid),
                    reason=reason,
                    reason_data=data,
                )
            )
        ResultLine.objects.bulk_create(lines, batch_size=1000)
        stored.append(result)
    return stored


def funded_project_ids(process: Process) -> set[int]:
    """Projects selected by the published results (one query; none before publication)."""
    if process.state not in (Process.State.RESULTS, Process.State.IMPLEMENTATION):
        return set()
    return set(
        ResultLine.objects.filter(
            result__process=process, result__published_at__isnull=False, selected=True
        ).values_list("project_id", flat=True)
    )


def _amount(value) -> int | float:
    """Rules give money as int, decimal string ("12.5") or exact fraction ("1234/7")."""
    if isinstance(value, str):
        try:
            value = Fraction(value)
        except ValueError:
            return 0
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else round(float(value), 2)
    return value or 0


def reason_text(line: ResultLine, money) -> str:
    """The explanation of one line in the current language. ``money`` formats an amount."""
    stored = line.reason_data or {}
    return _sentence(line.reason, stored.get("data", stored), stored.get("steps", []), line, money)


def _sentence(code: str, data: dict, steps: list, line: ResultLine, money) -> str:
    text = _explain(code, data, line, money)
    if any(step.get("code") == "comparison_greedy_won" for step in steps):
        # The comparison step replaced the equal-shares outcome by the greedy one.
        return f"{_comparison()} {text}"
    return text


def _comparison() -> str:
    return _("The comparison step chose the greedy outcome, which more voters preferred.")


def _explain(code: str, data: dict, line: ResultLine, money) -> str:  # noqa: C901 - one case per explanation code
    def m(key):
        return money(_amount(data.get(key, 0)))

    votes = _votes(data.get("votes", line.votes))
    if code == "greedy_selected":
        return _("Selected: with %(votes)s, it fit in the %(remaining)s still available.") % {
            "votes": votes,
            "remaining": m("remaining_before"),
        }
    if code == "greedy_did_not_fit":
        return _("Not selected: it did not fit the remaining %(remaining)s.") % {
            "remaining": m("remaining")
        }
    if code == "below_min_votes":
        needed = int(data.get("min_votes", 0))
        return ngettext(
            "Not selected: with %(votes)s, it is below the threshold of %(min)s vote.",
            "Not selected: with %(votes)s, it is below the threshold of %(min)s votes.",
            needed,
        ) % {"votes": votes, "min": needed}
    if code == "mes_selected":
        return _(
            "Selected by equal shares: its supporters could cover its cost together, each "
            "paying at most %(rho)s."
        ) % {"rho": m("rho")}
    if code == "mes_selected_add1":
        return _(
            "Selected by equal shares once each voter's share was raised to %(share)s (Add1): "
            "its supporters could cover its cost, each paying at most %(rho)s."
        ) % {"share": m("per_voter_budget"), "rho": m("rho")}
    if code == "mes_zero_cost":
        return _("Selected: it costs nothing and has supporters.")
    if code == "mes_not_affordable":
        return _(
            "Not selected: its supporters' remaining shares (%(left)s) could not cover its cost "
            "of %(cost)s."
        ) % {"left": m("money_left"), "cost": m("cost")}
    if code in ("mes_no_supporters", "no_votes"):
        return _("Not selected: nobody voted for it.")
    if code == "completion_selected":
        return _(
            "Selected by greedy completion: equal shares left %(remaining)s unspent, and it fit."
        ) % {"remaining": m("remaining_before")}
    if code == "completion_did_not_fit":
        return _(
            "Not selected: its supporters' shares could not cover its cost, and it did not fit "
            "the remaining %(remaining)s."
        ) % {"remaining": m("remaining")}
    if code == "comparison_greedy_won":
        return _comparison()
    return _("Selected.") if line.selected else _("Not selected.")


def _votes(n: int) -> str:
    return ngettext("%(n)s vote", "%(n)s votes", n) % {"n": n}
