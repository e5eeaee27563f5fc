"""The bridge between the database and the pure result rules in ``budgeting/rules/``.

It turns a process's feasible projects and counted ballots into the rules' input (one
election per district envelope, or one for the whole city), runs the process's rule with
its options, stores a Result with one line per project, and turns the rules' structured
explanations into sentences in the reader's language.
"""

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from budgeting.models import Ballot, BallotSelection, Process, Project, Result, ResultLine
from budgeting.rules.greedy import greedy
from budgeting.rules.mes import method_of_equal_shares
from budgeting.rules.types import Election, TieBreaking


@dataclass
class Tally:
    """One election, ORM-free: what the rules need, keyed by the projects' public ids."""

    district: str
    budget: int
    costs: dict[str, int]  # public id -> cost, in the order shown to voters
    ballots: list[frozenset[str]]
    projects: dict[str, Project] = field(repr=False, default_factory=dict)

    @property
    def votes(self) -> Counter:
        counter = Counter({pid: 0 for pid in self.costs})
        for ballot in self.ballots:
            counter.update(ballot)
        return counter


@dataclass
class Outcome:
    selected: list[str]  # public ids, in order of selection
    reasons: dict[str, tuple[str, dict]]  # public id -> (reason code, numbers)
    details: dict


def tallies(process: Process) -> list[Tally]:
    """One Tally per envelope (or a single city-wide one), from counted ballots only.

    Empty ballots are kept: under equal shares every voter holds a share of the budget.
    """
    envelopes = list(process.envelopes.all())
    projects = list(process.projects.filter(state=Project.State.FEASIBLE).order_by("pk"))
    by_pk = {p.pk: p for p in projects}
    counted = process.ballots.filter(state=Ballot.State.COUNTED)
    ballots: dict[int, tuple[str, set[str]]] = {
        pk: (district, set())
        for pk, district in counted.values_list("pk", "district").iterator(chunk_size=20000)
    }
    rows = BallotSelection.objects.filter(ballot__in=counted).values_list("ballot_id", "project_id")
    for ballot_id, project_id in rows.iterator(chunk_size=20000):
        project = by_pk.get(project_id)
        if project is not None and ballot_id in ballots:
            ballots[ballot_id][1].add(project.public_id)
    groups = [(e.district, e.budget) for e in envelopes] or [("", process.budget)]
    result = []
    for district, budget in groups:
        in_group = [p for p in projects if not envelopes or p.district == district]
        result.append(
            Tally(
                district=district,
                budget=budget,
                costs={p.public_id: p.cost for p in in_group},
                ballots=[
                    frozenset(chosen)
                    for d, chosen in ballots.values()
                    if not envelopes or d == district
                ],
                projects={p.public_id: p for p in in_group},
            )
        )
    return result


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
    ids = tuple(tally.costs)
    index = {pid: i for i, pid in enumerate(ids)}
    # Ballots as sorted project indices: ids such as "12" must never be read as positions.
    return Election(
        project_ids=ids,
        costs=tuple(tally.costs[pid] for pid in ids),
        budget=tally.budget,
        ballots=tuple(tuple(sorted(index[pid] for pid in b)) for b in tally.ballots),
    )


def lot_order(tally: Tally) -> tuple[str, ...]:
    """The published lot order (equal-shares tie-breaking): projects by lot position."""
    drawn = [p for p in tally.projects.values() if p.lot_position is not None]
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


@transaction.atomic
def results_store(*, process: Process, actor=None) -> list[Result]:
    """Compute every election of the process and replace its unpublished results."""
    process.results.filter(published_at__isnull=True).delete()
    stored = []
    for tally in tallies(process):
        outcome = run_rule(process, tally)
        votes = tally.votes
        spent = sum(tally.costs[pid] for pid in outcome.selected)
        result = Result.objects.create(
            process=process,
            district=tally.district,
            rule=process.result_rule,
            options=options_of(process),
            budget=tally.budget,
            spent=spent,
            ballots_counted=len(tally.ballots),
            details=outcome.details,
            computed_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        position = {pid: i for i, pid in enumerate(outcome.selected, start=1)}
        ResultLine.objects.bulk_create(
            [
                ResultLine(
                    result=result,
                    project=project,
                    votes=votes[pid],
                    selected=pid in position,
                    position=position.get(pid),
                    reason=outcome.reasons.get(pid, ("", {}))[0],
                    reason_data=outcome.reasons.get(pid, ("", {}))[1],
                )
                for pid, project in tally.projects.items()
            ]
        )
        stored.append(result)
    return stored


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


def _explain(code: str, data: dict, line: ResultLine, money) -> str:
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
