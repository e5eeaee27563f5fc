"""Pabulib files in and out of the database, using the parser and writer in budgeting/pabulib.py.

Import creates a process (state "voting closed", ready to count) with its projects and
anonymous ballots; every ballot passes the same validator as online and in-person ones.
Export writes the projects and the counted ballots, with sequential voter ids and in an
order that says nothing about when or where each ballot was cast.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_log
from budgeting import pabulib, results
from budgeting.models import Ballot, BallotSelection, Channel, Process, Project, ResultLine
from budgeting.rules.types import Election
from budgeting.validation import BallotInvalid, ballot_limits, ballot_validate

BATCH = 5000

Progress = Callable[[str, int, int], None]  # (stage, done, total)

# Pabulib "rule" -> (result rule, completion, comparison)
RULES = {
    "greedy": (Process.ResultRule.GREEDY, Process.Completion.NONE, False),
    "greedy-threshold": (Process.ResultRule.GREEDY, Process.Completion.NONE, False),
    "equalshares": (Process.ResultRule.MES, Process.Completion.NONE, False),
    "equalshares/add1": (Process.ResultRule.MES, Process.Completion.NONE, False),
    "equalshares/add1-comparison": (Process.ResultRule.MES, Process.Completion.NONE, True),
    "equalshares/add1-greedy": (Process.ResultRule.MES, Process.Completion.GREEDY, False),
}


class PabulibImportError(Exception):
    """A file that cannot be imported; the message names the line or the voter."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        if line is not None:
            message = _("Line %(line)s: %(msg)s") % {"line": line, "msg": message}
        super().__init__(message)


@dataclass
class ImportReport:
    process: Process
    projects: int = 0
    ballots: int = 0
    notes: list[str] = field(default_factory=list)


def _whole(value, *, up: bool) -> tuple[int, bool]:
    """Money as whole units: costs round up and the budget down, so nothing can overspend."""
    number = Fraction(value)
    whole = math.ceil(number) if up else math.floor(number)
    return whole, whole != number


def process_import(
    *,
    data: bytes | str,
    actor=None,
    title: str = "",
    progress: Progress | None = None,
) -> ImportReport:
    """Import a Pabulib file as a new process; PabulibImportError names the line or voter."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise PabulibImportError(_("The file is not UTF-8 text.")) from exc
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    try:
        parsed = pabulib.parse_pabulib_string(
            text,
            on_progress=(lambda done: progress("parse", min(done, lines), lines))
            if progress
            else None,
        )
    except pabulib.PabulibError as exc:
        raise PabulibImportError(exc.message, exc.line) from exc
    return _store(parsed, actor=actor, title=title, progress=progress)


def _store(parsed, *, actor, title: str, progress: Progress | None) -> ImportReport:
    meta = parsed.meta
    notes = []
    budget, rounded = _whole(parsed.budget, up=False)
    if budget <= 0:
        raise PabulibImportError(_("The file has no positive budget."))
    vote_type = meta.get("vote_type", "approval")
    if vote_type != "approval":
        notes.append(
            _(
                "The file's %(type)s ballots were imported as approval ballots: each voter "
                "approves the projects they chose."
            )
            % {"type": vote_type}
        )
    rule, completion, comparison = RULES.get(
        meta.get("rule", ""), (Process.ResultRule.GREEDY, Process.Completion.NONE, False)
    )
    max_length = _int(meta.get("max_length"))
    min_length = _int(meta.get("min_length"))
    with transaction.atomic():
        process = Process.objects.create(
            title=(title or meta.get("description") or meta.get("unit") or "Pabulib")[:200],
            description=_pabulib_description(meta),
            state=Process.State.COUNTING,
            budget=budget,
            currency=(meta.get("currency") or "EUR")[:8],
            ballot_rule=Process.BallotRule.APPROVAL,
            approval_max=max_length if max_length and max_length > 0 else None,
            min_projects=min_length if min_length is not None else 0,
            result_rule=rule,
            mes_completion=completion,
            mes_comparison=comparison,
            min_votes=pabulib.file_threshold(parsed),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        projects = {}
        for row in parsed.projects:
            cost, cost_rounded = _whole(row.cost, up=True)
            rounded = rounded or cost_rounded
            if len(row.project_id) > 64:
                raise PabulibImportError(
                    _("The project id %(id)s is longer than 64 characters.")
                    % {"id": row.project_id}
                )
            projects[row.project_id] = Project(
                process=process,
                code=row.project_id,
                title=(row.fields.get("name") or row.project_id)[:200],
                description=row.fields.get("description", ""),
                cost=cost if cost > 0 else None,
                state=Project.State.FEASIBLE if cost > 0 else Project.State.NOT_FEASIBLE,
                feasibility_reason="" if cost > 0 else "Cost 0 in the imported file.",
            )
        Project.objects.bulk_create(projects.values(), batch_size=BATCH)
        by_pk = {p.pk: p for p in projects.values()}
        limits = ballot_limits(process)
        total = len(parsed.votes)
        ballots, selections = [], []
        for n, vote in enumerate(parsed.votes, start=1):
            ids = [projects[code].pk for code in vote.vote]  # the parser checked the ids
            try:
                ballot_validate(process=process, project_ids=ids, projects=by_pk, limits=limits)
            except BallotInvalid as exc:
                raise PabulibImportError(
                    _("The vote of voter %(voter)s breaks the file's rules: %(errors)s")
                    % {"voter": vote.voter_id, "errors": " ".join(exc.messages)}
                ) from exc
            ballots.append(
                Ballot(
                    process=process,
                    channel=Channel.IMPORTED,
                    idempotency_key=f"pabulib-{process.pk}-{n}",
                )
            )
            selections.append(ids)
            if len(ballots) >= BATCH or n == total:
                _flush(ballots, selections)
                ballots, selections = [], []
                if progress:
                    progress("store", n, total)
        if rounded:
            notes.append(_("Amounts were rounded to whole currency units (costs up, budget down)."))
        audit_log(
            actor=actor,
            action="budgeting.process.import",
            obj=process,
            after={"projects": len(projects), "ballots": total, "meta": dict(meta)},
        )
    _analyze_ballots()
    return ImportReport(process=process, projects=len(projects), ballots=total, notes=notes)


def _analyze_ballots() -> None:
    """Refresh PostgreSQL's statistics on the ballot tables after a bulk import.

    Autovacuum would do it within a minute or so, but a count started before then is planned
    as if the process had a handful of ballots: Łódź 2022 (90,494 ballots) was loaded with
    90,494 index lookups, 0.9 s instead of 0.24 s. ANALYZE reads a fixed sample (about 30,000
    rows), so it stays cheap for any size of file.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Ballot._meta.db_table}, {BallotSelection._meta.db_table}")


def _flush(ballots: list[Ballot], selections: list[list[int]]) -> None:
    Ballot.objects.bulk_create(ballots)
    BallotSelection.objects.bulk_create(
        [
            BallotSelection(ballot_id=ballot.pk, project_id=pid)
            for ballot, ids in zip(ballots, selections, strict=True)
            for pid in ids
        ],
        batch_size=BATCH,
    )


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _pabulib_description(meta) -> str:
    keys = ("description", "country", "unit", "district", "subunit", "date_begin", "date_end")
    return "\n".join(f"{k}: {meta[k]}" for k in keys if meta.get(k))


# Export ------------------------------------------------------------------------------------

PABULIB_RULES = {
    (Process.ResultRule.GREEDY, Process.Completion.NONE, False): "greedy",
    (Process.ResultRule.GREEDY, Process.Completion.GREEDY, False): "greedy",
    (Process.ResultRule.MES, Process.Completion.NONE, False): "equalshares/add1",
    (Process.ResultRule.MES, Process.Completion.GREEDY, False): "equalshares/add1-greedy",
    (Process.ResultRule.MES, Process.Completion.NONE, True): "equalshares/add1-comparison",
    (Process.ResultRule.MES, Process.Completion.GREEDY, True): "equalshares/add1-comparison",
}


def process_export(*, process: Process, district: str | None = None) -> str:
    """The process as Pabulib text: feasible projects and counted ballots, anonymously.

    With district envelopes a Pabulib file holds one of them (``district``; the first one
    by default), since each envelope is a separate election.
    """
    envelopes = {e.district: e for e in process.envelopes.all()}
    if envelopes and district is None:
        district = sorted(envelopes)[0]
    tally = next(t for t in results.tallies(process) if not envelopes or t.district == district)
    projects = tally.projects
    # Anonymous and in no particular order of time or place: sorted by content.
    ballots = sorted(tally.ballots)
    election = Election(
        project_ids=tuple(p.public_id for p in projects),
        costs=tuple(p.cost for p in projects),
        budget=tally.budget,
        ballots=tuple(ballots),
        names=tuple(p.title for p in projects),
    )
    published = process.results.filter(published_at__isnull=False, district=tally.district)
    selected = (
        ResultLine.objects.filter(result__in=published, selected=True)
        .select_related("project")
        .order_by("pk")
    )
    key = (process.result_rule, process.mes_completion, process.mes_comparison)
    voting_year_from = process.voting_opens_at or process.voting_closes_at
    meta = {
        "description": process.title,
        "country": "",
        "unit": "",
        # The edition: the year voting opened ("Budget 2026" may close in January 2027).
        "instance": str(timezone.localtime(voting_year_from).year) if voting_year_from else "",
        "currency": process.currency,
        "rule": PABULIB_RULES.get(key, "unknown"),
        "language": "",
        "min_length": str(process.min_projects),
    }
    threshold = process.vote_threshold(len(tally.ballots))
    if threshold:
        meta[pabulib.THRESHOLD_KEY] = str(threshold)
        if meta["rule"] == "greedy":
            meta["rule"] = "greedy-threshold"
    limits = ballot_limits(process, tally.district)
    if limits.max_count is not None:
        meta["max_length"] = str(limits.max_count)
    if tally.district:
        meta["district"] = tally.district
        meta["subunit"] = tally.district
    if process.voting_opens_at:
        meta["date_begin"] = timezone.localtime(process.voting_opens_at).strftime("%d.%m.%Y")
    if process.voting_closes_at:
        meta["date_end"] = timezone.localtime(process.voting_closes_at).strftime("%d.%m.%Y")
    data = pabulib.pabulib_from_election(
        election,
        meta={k: v for k, v in meta.items() if v != "" or k in ("country", "unit")},
        selected=[line.project.public_id for line in selected],
    )
    return pabulib.dumps_pabulib(data)
