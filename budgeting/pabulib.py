"""Read and write the Pabulib ``.pb`` format (https://pabulib.org/format).

A file has three sections, each a ``;``-separated table introduced by its name and a header row:
``META`` (``key;value``), ``PROJECTS`` (``project_id;cost;...``) and ``VOTES``
(``voter_id;vote;...``). Fields may be quoted CSV-style (``"a ""quoted"" name"``); vote lists are
comma-separated project ids, with a parallel ``points`` list for cumulative and scoring ballots.

The parser streams (it never holds the raw text of a large file), reports malformed input as a
:class:`PabulibError` carrying the 1-based line number, and can report progress through an
``on_progress(lines_done)`` callback. Ballots are anonymous in this module's model: voter ids are
kept only to detect duplicates and to round-trip a file; the writer numbers voters 1..n when
building a file from an :class:`~budgeting.rules.types.Election`.
"""

from __future__ import annotations

import csv
import io
import math
import operator
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TextIO

from budgeting.rules.types import Election, Money, as_money, gc_paused

VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
POINT_TYPES = ("cumulative", "scoring")
PROGRESS_EVERY = 10_000
THRESHOLD_KEY = "min_project_score_threshold"


class PabulibError(ValueError):
    """Malformed Pabulib input. ``line`` is 1-based (``None`` when not tied to a line)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass(slots=True)
class PabulibProject:
    project_id: str
    cost: Money
    fields: dict[str, str] = field(default_factory=dict)
    """The other columns, raw (``name``, ``votes``, ``selected``, ``category``...)."""


@dataclass(slots=True)
class PabulibVote:
    voter_id: str
    vote: tuple[str, ...]
    points: tuple[Money, ...] | None = None
    fields: tuple[str, ...] = ()
    """The other columns, aligned with :attr:`PabulibData.vote_extra_columns`."""


@dataclass
class PabulibData:
    meta: dict[str, str]
    project_columns: tuple[str, ...]
    projects: list[PabulibProject]
    vote_columns: tuple[str, ...]
    votes: list[PabulibVote]

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "approval")

    @property
    def budget(self) -> Money:
        return as_money(self.meta["budget"])

    @property
    def project_extra_columns(self) -> tuple[str, ...]:
        return tuple(c for c in self.project_columns if c not in ("project_id", "cost"))

    @property
    def vote_extra_columns(self) -> tuple[str, ...]:
        return tuple(c for c in self.vote_columns if c not in ("voter_id", "vote", "points"))


# ---------------------------------------------------------------------------------------------
# Reading


def parse_pabulib(
    source: str | os.PathLike | TextIO,
    *,
    on_progress: Callable[[int], None] | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> PabulibData:
    """Parse a ``.pb`` file given as a path or an open text stream."""
    with gc_paused():
        if isinstance(source, str | os.PathLike):
            with open(source, encoding="utf-8-sig", newline="") as stream:
                return _parse(stream, on_progress, progress_every)
        return _parse(source, on_progress, progress_every)


def parse_pabulib_string(text: str, **kwargs) -> PabulibData:
    """Parse ``.pb`` content held in a string."""
    return parse_pabulib(io.StringIO(text.removeprefix("\ufeff"), newline=""), **kwargs)


def _rows(
    lines: Iterable[str], on_progress: Callable[[int], None] | None, every: int
) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line number, stripped fields) for each non-blank row."""
    number = 0
    pending: list[str] = []
    start = 0
    for raw in lines:
        number += 1
        if on_progress is not None and number % every == 0:
            on_progress(number)
        if pending:
            pending.append(raw)
            text = "".join(pending)
            if text.count('"') % 2:
                continue
            pending = []
        else:
            text = raw
            start = number
            if '"' in text and text.count('"') % 2:
                pending = [raw]
                continue
        text = text.rstrip("\r\n")
        if not text.strip():
            continue
        if '"' in text:
            try:
                fields = next(csv.reader([text], delimiter=";", strict=True))
            except csv.Error as exc:
                raise PabulibError(f"badly quoted field ({exc})", start) from None
        else:
            fields = text.split(";")
        # Most rows have no whitespace at all (strip() removes only characters that are not
        # printable, or the space): then the fields are already stripped.
        if " " in text or not text.isprintable():
            fields = [f.strip() for f in fields]
        yield start, fields
    if pending:
        raise PabulibError("a quoted field is never closed", start)
    if on_progress is not None:
        on_progress(number)


def _parse(stream: TextIO, on_progress: Callable[[int], None] | None, every: int) -> PabulibData:  # noqa: C901 - one pass over the file's sections, kept flat for speed
    meta: dict[str, str] = {}
    projects: list[PabulibProject] = []
    votes: list[PabulibVote] = []
    project_columns: tuple[str, ...] = ()
    vote_columns: tuple[str, ...] = ()
    by_id: dict[str, str] = {}
    seen_voters: set[str] = set()
    meta_lines: dict[str, int] = {}
    section = ""
    done: set[str] = set()
    expect_header = False
    header: list[str] = []
    vote_type = "approval"
    extra_idx: list[int] = []
    i_voter = i_vote = i_points = -1
    resolved: dict[str, tuple[str, ...]] = {}

    for line, row in _rows(stream, on_progress, every):
        name = row[0].lower() if len(row) == 1 else ""
        if name in ("meta", "projects", "votes"):
            order = ("meta", "projects", "votes")
            if name in done or order.index(name) < order.index(section or "meta"):
                raise PabulibError(f"section {name.upper()} is repeated or out of order", line)
            if name != "meta" and "meta" not in done:
                raise PabulibError("the file must start with a META section", line)
            if name == "votes" and "projects" not in done:
                raise PabulibError("the VOTES section must follow a PROJECTS section", line)
            section, expect_header = name, True
            done.add(name)
            if name == "votes":
                vote_type = meta.get("vote_type", "approval")
                if vote_type not in VOTE_TYPES:
                    raise PabulibError(
                        f"unknown vote_type {vote_type!r}", meta_lines.get("vote_type")
                    )
            continue
        if not section:
            raise PabulibError("the file must start with a META section", line)
        if expect_header:
            header, expect_header = row, False
            if len(set(header)) != len(header):
                raise PabulibError("a column name is repeated in the header", line)
            if section == "meta" and [h.lower() for h in header] != ["key", "value"]:
                raise PabulibError("the META header must be 'key;value'", line)
            if section == "projects":
                for required in ("project_id", "cost"):
                    if required not in header:
                        raise PabulibError(f"the PROJECTS header lacks {required!r}", line)
                project_columns = tuple(header)
            if section == "votes":
                for required in ("voter_id", "vote"):
                    if required not in header:
                        raise PabulibError(f"the VOTES header lacks {required!r}", line)
                if vote_type in POINT_TYPES and "points" not in header:
                    raise PabulibError(f"{vote_type} ballots need a 'points' column", line)
                vote_columns = tuple(header)
                i_voter, i_vote = header.index("voter_id"), header.index("vote")
                i_points = header.index("points") if vote_type in POINT_TYPES else -1
                skip = {i_voter, i_vote, i_points}
                extra_idx = [i for i in range(len(header)) if i not in skip]
                extras = _picker(extra_idx)
            continue
        if len(row) != len(header):
            raise PabulibError(
                f"expected {len(header)} fields as in the {section.upper()} header, "
                f"found {len(row)}",
                line,
            )
        if section == "meta":
            key = row[0]
            if not key or key in meta:
                raise PabulibError(f"empty or repeated META key {key!r}", line)
            meta[key], meta_lines[key] = row[1], line
        elif section == "projects":
            values = dict(zip(header, row, strict=True))
            pid = values.pop("project_id")
            if not pid or pid in by_id:
                raise PabulibError(f"empty or repeated project id {pid!r}", line)
            cost = _money(values.pop("cost"), "cost", line)
            by_id[pid] = pid
            projects.append(PabulibProject(pid, cost, values))
        elif i_points < 0:
            # The common case (approval ballots), inlined for speed: the same checks as _vote,
            # with each distinct vote string resolved once.
            voter = row[i_voter]
            if not voter or voter in seen_voters:
                raise PabulibError(f"empty or repeated voter id {voter!r}", line)
            seen_voters.add(voter)
            raw_vote = row[i_vote]
            ids = resolved.get(raw_vote)
            if ids is None:
                ids = _vote([voter, raw_vote], line, 0, 1, -1, [], by_id, set()).vote
                resolved[raw_vote] = ids
            votes.append(PabulibVote(voter, ids, None, extras(row) if extra_idx else ()))
        else:
            votes.append(_vote(row, line, i_voter, i_vote, i_points, extra_idx, by_id, seen_voters))

    for name in ("meta", "projects", "votes"):
        if name not in done:
            raise PabulibError(f"the {name.upper()} section is missing")
    if "budget" not in meta:
        raise PabulibError("META has no 'budget'")
    _money(meta["budget"], "budget", meta_lines["budget"])
    if THRESHOLD_KEY in meta:
        _threshold(meta[THRESHOLD_KEY], meta_lines[THRESHOLD_KEY])
    for key, actual in (("num_projects", len(projects)), ("num_votes", len(votes))):
        if key in meta and meta[key] != str(actual):
            raise PabulibError(
                f"META says {key} is {meta[key]} but the file has {actual}", meta_lines[key]
            )
    return PabulibData(meta, project_columns, projects, vote_columns, votes)


def _picker(indexes: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """A function taking these fields of a row, always as a tuple."""
    if len(indexes) == 1:
        (only,) = indexes
        return lambda row: (row[only],)
    return operator.itemgetter(*indexes) if indexes else lambda row: ()


def _threshold(text: str, line: int | None) -> int:
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise PabulibError(f"{THRESHOLD_KEY} {text!r} is not a number", line) from None
    if value < 0:
        raise PabulibError(f"{THRESHOLD_KEY} {text!r} is negative", line)
    return math.ceil(value)  # "at least 99.5 votes" means at least 100


def file_threshold(data: PabulibData) -> int:
    """The file's vote threshold (``min_project_score_threshold``), 0 when it has none.

    For approval ballots the score of a project is its number of votes; other ballot types are
    read as approval ballots (see :func:`election_from_pabulib`), so the threshold counts votes.
    """
    text = data.meta.get(THRESHOLD_KEY, "").strip()
    return _threshold(text, None) if text else 0


def _money(text: str, what: str, line: int | None) -> Money:
    try:
        value = as_money(text)
    except (ValueError, ZeroDivisionError):
        raise PabulibError(f"{what} {text!r} is not a number", line) from None
    if value < 0:
        raise PabulibError(f"{what} {text!r} is negative", line)
    return value


def _vote(
    row: list[str],
    line: int,
    i_voter: int,
    i_vote: int,
    i_points: int,
    extra_idx: list[int],
    by_id: dict[str, str],
    seen: set[str],
) -> PabulibVote:
    voter = row[i_voter]
    if not voter or voter in seen:
        raise PabulibError(f"empty or repeated voter id {voter!r}", line)
    seen.add(voter)
    ids = []
    raw_vote = row[i_vote]
    if raw_vote:
        for token in raw_vote.split(","):
            pid = by_id.get(token.strip())
            if pid is None:
                raise PabulibError(f"vote names an unknown project {token.strip()!r}", line)
            ids.append(pid)
        if len(set(ids)) != len(ids):
            raise PabulibError("vote names the same project twice", line)
    points = None
    if i_points >= 0:
        raw = row[i_points]
        points = tuple(_money(p, "points", line) for p in raw.split(",")) if raw else ()
        if len(points) != len(ids):
            raise PabulibError(f"{len(ids)} projects but {len(points)} points", line)
    return PabulibVote(voter, tuple(ids), points, tuple(row[i] for i in extra_idx))


# ---------------------------------------------------------------------------------------------
# Writing


def format_money(value: Money) -> str:
    """Write an int as is and a fraction as an exact decimal; refuse what has no decimal form."""
    if isinstance(value, int):
        return str(value)
    value = Fraction(value)
    den, twos, fives = value.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        raise ValueError(f"{value} has no finite decimal representation")
    places = max(twos, fives)
    scaled = abs(value.numerator) * 10**places // value.denominator
    digits = str(scaled).rjust(places + 1, "0")
    text = f"{digits[:-places]}.{digits[-places:]}".rstrip("0").rstrip(".")
    return ("-" if value < 0 else "") + text


def dumps_pabulib(data: PabulibData) -> str:
    out = io.StringIO()
    write_pabulib(data, out)
    return out.getvalue()


def write_pabulib(data: PabulibData, target: str | os.PathLike | TextIO) -> None:
    """Write ``data`` as a ``.pb`` file (UTF-8, ``\\n`` line ends, CSV quoting where needed)."""
    with gc_paused():
        if isinstance(target, str | os.PathLike):
            with open(target, "w", encoding="utf-8", newline="") as stream:
                _write(data, stream)
        else:
            _write(data, target)


def _write(data: PabulibData, stream: TextIO) -> None:
    writer = csv.writer(stream, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(data.meta.items())
    writer.writerow(["PROJECTS"])
    writer.writerow(data.project_columns)
    for p in data.projects:
        special = {"project_id": p.project_id, "cost": format_money(p.cost)}
        writer.writerow([special.get(c) or p.fields.get(c, "") for c in data.project_columns])
    writer.writerow(["VOTES"])
    writer.writerow(data.vote_columns)
    cols = data.vote_columns
    i_voter, i_vote = cols.index("voter_id"), cols.index("vote")
    i_points = cols.index("points") if "points" in cols else -1
    extra_idx = [i for i in range(len(cols)) if i not in (i_voter, i_vote, i_points)]
    rows = []
    for v in data.votes:
        row = [""] * len(cols)
        row[i_voter] = v.voter_id
        row[i_vote] = ",".join(v.vote)
        if i_points >= 0:
            row[i_points] = ",".join(format_money(x) for x in v.points or ())
        for i, value in zip(extra_idx, v.fields, strict=True):
            row[i] = value
        rows.append(row)
    writer.writerows(rows)


# ---------------------------------------------------------------------------------------------
# Elections


def election_from_pabulib(data: PabulibData) -> Election:
    """Turn parsed data into an approval :class:`Election`.

    Approval and choose-1 ballots are used as they are. Cumulative, scoring and ordinal ballots
    become the set of projects the voter listed (whatever their points or rank), which is what
    pabutools' ``Cost_Sat`` sees in them, so MES with cost utilities and greedy by approvals give
    the same results here and in pabutools.
    """
    ids = tuple(p.project_id for p in data.projects)
    index = {p: i for i, p in enumerate(ids)}
    with gc_paused():
        ballots = tuple(tuple(sorted([index[p] for p in v.vote])) for v in data.votes)
    names = None
    if "name" in data.project_columns:
        names = tuple(p.fields.get("name", "") for p in data.projects)
    declared = None
    if "votes" in data.project_columns:
        try:
            declared = tuple(int(p.fields["votes"]) for p in data.projects)
        except ValueError:
            declared = None
    return Election(
        ids, tuple(p.cost for p in data.projects), data.budget, ballots, names, declared
    )


def read_election(path: str | os.PathLike, **kwargs) -> Election:
    """Parse a ``.pb`` file and convert it with :func:`election_from_pabulib`."""
    return election_from_pabulib(parse_pabulib(path, **kwargs))


def pabulib_from_election(
    election: Election, meta: dict[str, str] | None = None, selected: Iterable[str] = ()
) -> PabulibData:
    """Build anonymous approval data (voters numbered 1..n) from an election.

    ``meta`` adds or overrides META entries; ``selected`` fills a ``selected`` column.
    """
    chosen = set(selected)
    full_meta = {
        "description": "PartnerCity export",
        "country": "",
        "unit": "",
        "instance": "",
        "num_projects": str(election.num_projects),
        "num_votes": str(election.num_voters),
        "budget": format_money(election.budget),
        "vote_type": "approval",
        "rule": "unknown",
    }
    full_meta.update(meta or {})
    columns = ["project_id", "cost", "votes"]
    if election.names is not None:
        columns.append("name")
    if chosen:
        columns.append("selected")
    projects = []
    for j, pid in enumerate(election.project_ids):
        fields = {"votes": str(election.approval_counts[j])}
        if election.names is not None:
            fields["name"] = election.names[j]
        if chosen:
            fields["selected"] = "1" if pid in chosen else "0"
        projects.append(PabulibProject(pid, election.costs[j], fields))
    votes = [
        PabulibVote(str(i), tuple(election.project_ids[j] for j in ballot))
        for i, ballot in enumerate(election.ballots, start=1)
    ]
    return PabulibData(full_meta, tuple(columns), projects, ("voter_id", "vote"), votes)
