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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial
from itertools import chain, repeat
from typing import NamedTuple, TextIO

from budgeting.rules.types import Election, Money, as_money, gc_paused

VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
POINT_TYPES = ("cumulative", "scoring")
PROGRESS_EVERY = 10_000
BULK_BLOCK = 2_500  # lines of a VOTES section checked together (see _approval_votes)
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


class PabulibVote(NamedTuple):
    """One ballot (a named tuple: files hold up to hundreds of thousands, built in bulk)."""

    voter_id: str
    vote: tuple[str, ...]
    points: tuple[Money, ...] | None = None
    fields: tuple[str, ...] = ()
    """The other columns, aligned with :attr:`PabulibData.vote_extra_columns`."""


class VoteColumns(Sequence[PabulibVote]):
    """Approval ballots stored by column, read as a sequence of :class:`PabulibVote`.

    The bulk parser keeps voter ids, votes (identical votes share one tuple) and extra fields as
    three lists: no object per ballot, nothing for the cyclic garbage collector to scan. Items
    are built when read. Compares equal to any sequence holding the same votes.
    """

    __slots__ = ("voter_ids", "votes", "fields")

    def __init__(
        self,
        voter_ids: list[str],
        votes: list[tuple[str, ...]],
        fields: list[tuple[str, ...]],
    ) -> None:
        self.voter_ids, self.votes, self.fields = voter_ids, votes, fields

    def __len__(self) -> int:
        return len(self.voter_ids)

    def __getitem__(self, i):  # an int or a slice, as for lists
        if isinstance(i, slice):
            return list(self)[i]
        return PabulibVote(self.voter_ids[i], self.votes[i], None, self.fields[i])

    def __iter__(self) -> Iterator[PabulibVote]:
        rows = zip(self.voter_ids, self.votes, repeat(None), self.fields, strict=False)
        return map(partial(tuple.__new__, PabulibVote), rows)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, VoteColumns):
            return (self.voter_ids, self.votes, self.fields) == (
                other.voter_ids,
                other.votes,
                other.fields,
            )
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment] # mutable, like a list

    def __repr__(self) -> str:
        return f"VoteColumns({len(self)} votes)"


@dataclass
class PabulibData:
    meta: dict[str, str]
    project_columns: tuple[str, ...]
    projects: list[PabulibProject]
    vote_columns: tuple[str, ...]
    votes: Sequence[PabulibVote]
    """A list, or :class:`VoteColumns` for approval files read in bulk."""

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


class _Lines:
    """The lines of a stream, counted; :meth:`rest` takes all the lines not yet read at once."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.number = 0  # lines read so far
        self.pushed: list[str] = []

    def __iter__(self) -> Iterator[str]:
        yield from self.stream
        if self.pushed:  # rest() was called but its text is to be read line by line after all
            yield from io.StringIO(self.pushed.pop(), newline="")

    def rest(self) -> str:
        return self.stream.read()


def _rows(
    lines: _Lines, on_progress: Callable[[int], None] | None, every: int
) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line number, stripped fields) for each non-blank row."""
    number = 0
    pending: list[str] = []
    start = 0
    for raw in lines:
        number += 1
        lines.number = number
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
    in_bulk: VoteColumns | None = None
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

    source = _Lines(stream)
    for line, row in _rows(source, on_progress, every):
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
                if i_points < 0:
                    # Approval ballots: read the rest of the file at once when it is plain
                    # (no quotes, spaces, carriage returns or control characters), else go on
                    # line by line.
                    rest = source.rest()
                    if _plain(rest):
                        in_bulk = _approval_votes(
                            rest,
                            source.number,
                            header,
                            (i_voter, i_vote, extra_idx),
                            by_id,
                            (on_progress, every),
                        )
                        break
                    source.pushed.append(rest)
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
    all_votes: Sequence[PabulibVote] = votes if in_bulk is None else in_bulk
    for key, actual in (("num_projects", len(projects)), ("num_votes", len(all_votes))):
        if key in meta and meta[key] != str(actual):
            raise PabulibError(
                f"META says {key} is {meta[key]} but the file has {actual}", meta_lines[key]
            )
    return PabulibData(meta, project_columns, projects, vote_columns, all_votes)


# The characters of a plain ASCII text: printable, but no quote or space; and the line end.
_PLAIN_ASCII = bytes(c for c in range(0x21, 0x7F) if c != ord('"')) + b"\n"


def _plain(text: str) -> bool:
    """True when rows of ``text`` can be split on ``;`` and ``\\n`` with nothing else to undo."""
    if text.isascii():
        # One pass in C: delete the allowed bytes and see whether anything is left (Łódź's
        # VOTES: 1 ms, against 10 ms for the general test below).
        return not text.encode("ascii").translate(None, _PLAIN_ASCII)
    return not ('"' in text or " " in text or "\r" in text) and text.replace("\n", "").isprintable()


def _approval_votes(  # noqa: C901 - the checks of the line-by-line path, done per block of lines
    text: str,
    before: int,
    header: list[str],
    columns: tuple[int, int, list[int]],
    by_id: dict[str, str],
    progress: tuple[Callable[[int], None] | None, int],
) -> VoteColumns:
    """The VOTES rows of ``text`` (plain, see :func:`_plain`), approval ballots, by column.

    Same checks and messages as the line-by-line path, and the same first error: rows are taken
    in blocks of ``every`` lines and, within a block, the earliest failing line is reported (for
    one line: its number of fields, then its voter id, then its vote). Identical vote strings are
    resolved once and share one tuple; so do identical extra columns (age, sex...).
    """
    on_progress, every = progress
    i_voter, i_vote, extra_idx = columns
    width = len(header)
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the text ends with a line end
    total = len(lines)
    seen: set[str] = set()
    resolved: dict[str, tuple[str, ...]] = {}
    voter_ids: list[str] = []
    ballots: list[tuple[str, ...]] = []
    extra: list[tuple[str, ...]] = []
    lo = 0
    while lo < total:
        # Blocks end at the line numbers where the line-by-line path reports progress, and
        # hold at most BULK_BLOCK lines: their strings, lists and sets then stay in the
        # processor's cache (Łódź: about 15% less CPU time than blocks of 10,000 lines).
        hi = min(total, (before + lo) // every * every + every - before, lo + BULK_BLOCK)
        block = lines[lo:hi]
        numbers = None  # line number of each row, when blank lines are skipped
        if "" in block:
            numbers = [before + lo + 1 + i for i, t in enumerate(block) if t]
            block = [t for t in block if t]

        def line_of(i: int, numbers=numbers, lo=lo) -> int:
            return numbers[i] if numbers is not None else before + lo + 1 + i

        voters, raws, fields, short = _columns(block, width, i_voter, i_vote, extra_idx)
        bad_voter = None
        known = len(seen)
        seen.update(voters)  # one pass; an error is looked for only if the count is off
        if len(seen) - known != len(voters) or "" in seen:
            earlier = set(voter_ids)
            local: set[str] = set()
            for i, voter in enumerate(voters):
                if not voter or voter in earlier or voter in local:
                    bad_voter = i
                    break
                local.add(voter)
        bad_vote, vote_error = None, None
        new = set(raws).difference(resolved)
        if "" in new:
            new.discard("")
            resolved[""] = ()
        # All new vote strings at once: split, check that every id is known and none repeats.
        new = list(new)
        split = list(map(str.split, new, repeat(",")))
        failed = []
        if set(chain.from_iterable(split)) <= by_id.keys():
            ids_of = list(map(tuple, split))
            if list(map(len, map(set, ids_of))) == list(map(len, ids_of)):
                resolved.update(zip(new, ids_of, strict=True))
            else:
                failed = [
                    raw for raw, ids in zip(new, ids_of, strict=True) if len(set(ids)) < len(ids)
                ]
        else:
            failed = new
        errors = {}
        for raw in failed:
            try:  # the line-by-line path's checks, for its message
                _vote(["-", raw], 0, 0, 1, -1, [], by_id, set())
            except PabulibError as exc:
                errors[raw] = exc.message
        if errors:
            bad_vote = next(i for i, raw in enumerate(raws) if raw in errors)
            vote_error = errors[raws[bad_vote]]
        if bad_voter is not None and (bad_vote is None or bad_voter <= bad_vote):
            voter = voters[bad_voter]
            raise PabulibError(f"empty or repeated voter id {voter!r}", line_of(bad_voter))
        if bad_vote is not None:
            raise PabulibError(vote_error, line_of(bad_vote))
        if short is not None:
            row = block[short].split(";")
            name = row[0].lower() if len(row) == 1 else ""
            if name in ("meta", "projects", "votes"):
                raise PabulibError(
                    f"section {name.upper()} is repeated or out of order", line_of(short)
                )
            raise PabulibError(
                f"expected {width} fields as in the VOTES header, found {len(row)}",
                line_of(short),
            )
        voter_ids.extend(voters)
        ballots.extend(map(resolved.__getitem__, raws))
        extra.extend(fields)
        lo = hi
        if on_progress is not None and (before + hi) % every == 0:
            on_progress(before + hi)
    if on_progress is not None:
        on_progress(before + total)
    return VoteColumns(voter_ids, ballots, extra)


def _columns(
    block: list[str], width: int, i_voter: int, i_vote: int, extra_idx: list[int]
) -> tuple[Sequence[str], Sequence[str], Iterable[tuple[str, ...]], int | None]:
    """Voter ids, votes and extra columns of the rows of ``block``, up to the first bad row.

    The fourth value is the index of the first row whose number of fields is not ``width``
    (``None`` when all are right); the columns stop before it. Identical extra columns (age,
    sex...) share one tuple.
    """
    if {i_voter, i_vote} == {0, 1}:
        # The usual layout: voter_id;vote;extra...: split off the first two fields only and
        # split the rest of each distinct row once.
        keep = 2 if width > 2 else -1  # -1: split every field
        parts = list(map(str.split, block, repeat(";"), repeat(keep)))
        if set(map(len, parts)) <= {min(width, 3)}:
            fields: Iterable[tuple[str, ...]] = [()] * len(parts)
            bad = []
            if width == 2:
                firsts, seconds = zip(*parts, strict=True) if parts else ((), ())
            else:
                firsts, seconds, rests = zip(*parts, strict=True) if parts else ((), (), ())
                table = {r: tuple(r.split(";")) for r in set(rests)}
                wrong = {r for r, t in table.items() if len(t) != width - 2}
                bad = [i for i, r in enumerate(rests) if r in wrong] if wrong else []
                fields = map(table.__getitem__, rests)
            if not bad:
                voters, raws = (firsts, seconds) if i_voter == 0 else (seconds, firsts)
                return voters, raws, fields, None
        short = next(i for i, t in enumerate(block) if t.count(";") != width - 1)
        voters, raws, fields, _ = _columns(block[:short], width, i_voter, i_vote, extra_idx)
        return voters, raws, fields, short
    semicolons = list(map(str.count, block, repeat(";")))
    short = None
    if set(semicolons) - {width - 1}:
        short = next(i for i, n in enumerate(semicolons) if n != width - 1)
        block = block[:short]
    # Every row has `width` fields: split them all at once and take the columns as slices.
    flat = ";".join(block).split(";") if block else []
    fields = [()] * (len(flat) // width)
    if extra_idx:
        shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        columns = list(zip(*(flat[i::width] for i in extra_idx), strict=True))
        fields = map(shared.setdefault, columns, columns)
    return flat[i_voter::width], flat[i_vote::width], fields, short


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
    votes = (
        data.votes.votes if isinstance(data.votes, VoteColumns) else [v.vote for v in data.votes]
    )
    with gc_paused():
        # Identical votes are often one shared tuple (always, from the bulk parser).
        converted: dict[tuple[str, ...], tuple[int, ...]] = {}
        for vote in set(votes):
            converted[vote] = tuple(sorted([index[p] for p in vote]))
        ballots = tuple(map(converted.__getitem__, votes))
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
