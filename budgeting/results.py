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
    """One Tally per envelope (or a single city-wide one), from counted ballots only."""
    envelopes = list(process.envelopes.all())
    projects = list(process.projects.filter(state=Project.State.FEASIBLE).order_by("pk"))
    by_pk = {p.pk: p for p in projects}
    rows = BallotSelection.objects.filter(
        ballot__process=process, ballot__state=Ballot.State.COUNTED
    ).values_list("ballot_id", "ballot__district", "project_id")
    ballots: dict[int, tuple[str, set[str]]] = {}
    for ballot_id, district, project_id in rows.iterator(chunk_size=20000):
        project = by_pk.get(project_id)
        if project is None:
            continue
        ballots.setdefault(ballot_id, (district, set()))[1].add(project.public_id)
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
                    if (not envelopes or d == district) and chosen
                ],
                projects={p.public_id: p for p in in_group},
            )
        )
    return result


def options_of(process: Process) -> dict:
    options = {"rule": process.result_rule, "tie_breaking": process.tie_breaking}
    if process.result_rule == Process.ResultRule.MES:
        options |= {"completion": process.mes_completion, "comparison": process.mes_comparison}
    return options


def run_rule(process: Process, tally: Tally) -> Outcome:
    """Run the process's rule on one election. (Wired to budgeting.rules.)"""
    return _greedy_interim(tally)


def _greedy_interim(tally: Tally) -> Outcome:
    votes = tally.votes
    order = sorted(tally.costs, key=lambda pid: (-votes[pid], pid))
    remaining = tally.budget
    selected, reasons = [], {}
    for pid in order:
        cost = tally.costs[pid]
        if cost <= remaining:
            selected.append(pid)
            data = {"votes": votes[pid], "remaining_before": remaining}
            remaining -= cost
            reasons[pid] = ("greedy_selected", data | {"remaining_after": remaining})
        else:
            reasons[pid] = ("greedy_did_not_fit", {"votes": votes[pid], "remaining": remaining})
    return Outcome(selected=selected, reasons=reasons, details={})


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
    """Rules give money as int or as an exact fraction ("1234/7"); show it rounded."""
    if isinstance(value, str) and "/" in value:
        value = Fraction(value)
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else round(float(value), 2)
    return value or 0


def reason_text(line: ResultLine, money) -> str:
    """The explanation of one line in the current language. ``money`` formats an amount."""
    stored = line.reason_data or {}
    return _sentence(line.reason, stored.get("data", stored), stored.get("steps", []), line, money)


def _sentence(code: str, data: dict, steps: list, line: ResultLine, money) -> str:
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
        return _("Not selected: it had %(votes)s, fewer than the %(min)s required.") % {
            "votes": votes,
            "min": data.get("min_votes", 0),
        }
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
        first = _("The comparison step chose the greedy outcome, which more voters preferred.")
        if steps:
            step = steps[-1]
            detail = _sentence(step.get("code", ""), step.get("data", {}), [], line, money)
            return f"{first} {detail}"
        return first
    return _("Selected.") if line.selected else _("Not selected.")


def _votes(n: int) -> str:
    return ngettext("%(n)s vote", "%(n)s votes", n) % {"n": n}
