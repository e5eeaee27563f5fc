"""The Pabulib .pb parser and writer, the conversion to elections, and ``pb_compute``."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from fractions import Fraction

import pytest

from budgeting import pabulib
from budgeting.pabulib import (
    PabulibError,
    dumps_pabulib,
    election_from_pabulib,
    format_money,
    pabulib_from_election,
    parse_pabulib,
    parse_pabulib_string,
    write_pabulib,
)
from budgeting.rules import Election, compute_file
from tests.budgeting.conftest import REPO_ROOT, file_params

SMALL = """META
key;value
description;Test
num_projects;3
num_votes;3
budget;100.0
vote_type;approval
PROJECTS
project_id;cost;name;votes
1;50;"Park ""Green"" corner; phase 2";2
2;60.0;Library;2
3;30;Bench;1
VOTES
voter_id;vote;age
a;1,2;30
b;2,1,3;41
c;;22
"""


def test_a_small_file_is_read_with_quotes_decimals_and_empty_votes():
    data = parse_pabulib_string(SMALL)
    assert data.meta["budget"] == "100.0"
    assert data.budget == 100
    assert [p.project_id for p in data.projects] == ["1", "2", "3"]
    assert data.projects[0].fields["name"] == 'Park "Green" corner; phase 2'
    assert data.projects[1].cost == 60
    assert [v.vote for v in data.votes] == [("1", "2"), ("2", "1", "3"), ()]
    assert data.votes[0].fields == ("30",)
    assert data.vote_extra_columns == ("age",)


def test_windows_and_mixed_line_endings_and_a_byte_order_mark_are_accepted():
    lines = SMALL.splitlines()
    mixed = "\ufeff" + "".join(
        f"{line}\r\n" if i % 2 else f"{line}\n" for i, line in enumerate(lines)
    )
    assert parse_pabulib_string(mixed) == parse_pabulib_string(SMALL)


def test_writing_then_reading_gives_back_the_same_data():
    data = parse_pabulib_string(SMALL)
    text = dumps_pabulib(data)
    assert '"Park ""Green"" corner; phase 2"' in text
    assert parse_pabulib_string(text) == data


def test_files_can_be_streamed_from_an_open_text_stream_and_written_to_a_path(tmp_path):
    data = parse_pabulib(io.StringIO(SMALL, newline=""))
    target = tmp_path / "out.pb"
    write_pabulib(data, target)
    assert parse_pabulib(target) == data


def test_progress_is_reported_while_parsing():
    seen = []
    parse_pabulib_string(SMALL, on_progress=seen.append, progress_every=5)
    assert seen == [5, 10, 15, 17]  # every 5 lines, then the total


def bad(text_replacements: dict[str, str]) -> str:
    text = SMALL
    for old, new in text_replacements.items():
        assert old in text
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (bad({"b;2,1,3;41": "b;2,9;41"}), 16, "unknown project '9'"),
        (bad({"3;30;Bench;1": "3;30;Bench"}), 12, "expected 4 fields"),
        (bad({"2;60.0;Library": "2;sixty;Library"}), 11, "cost 'sixty' is not a number"),
        (bad({"3;30;Bench": "3;-30;Bench"}), 12, "negative"),
        (bad({"c;;22": "a;;22"}), 17, "repeated voter id 'a'"),
        (bad({"3;30;Bench": "2;30;Bench"}), 12, "repeated project id '2'"),
        (bad({"num_votes;3": "num_votes;4"}), 5, "num_votes is 4 but the file has 3"),
        (bad({"vote_type;approval": "vote_type;quadratic"}), 7, "unknown vote_type"),
        (bad({"1;50;": '1;50;"unclosed'}), 10, "never closed"),
        (bad({"b;2,1,3;41": "b;2,2;41"}), 16, "same project twice"),
        (bad({"META\n": "PROJECTS\n"}), 1, "META"),
        (bad({"budget;100.0\n": ""}), None, "no 'budget'"),
        (bad({"VOTES\nvoter_id;vote;age\n": "VOTES\nvoter;vote;age\n"}), 14, "lacks 'voter_id'"),
    ],
)
def test_malformed_files_are_refused_with_the_line_number(text, line, fragment):
    with pytest.raises(PabulibError) as error:
        parse_pabulib_string(text)
    assert error.value.line == line
    assert fragment in str(error.value)
    if line is not None:
        assert str(error.value).startswith(f"line {line}:")


def test_cumulative_ballots_need_as_many_points_as_projects():
    text = SMALL.replace("vote_type;approval", "vote_type;cumulative")
    text = text.replace("voter_id;vote;age", "voter_id;vote;points;age")
    text = text.replace("a;1,2;30", "a;1,2;3,1;30").replace("b;2,1,3;41", "b;2,1,3;1,1;41")
    text = text.replace("c;;22", "c;;;22")
    with pytest.raises(PabulibError, match="3 projects but 2 points") as error:
        parse_pabulib_string(text)
    assert error.value.line == 16


def test_choose1_cumulative_and_ordinal_ballots_become_the_set_of_listed_projects():
    for vote_type, header, rows, ballots in [
        ("choose-1", "voter_id;vote", ["a;1", "b;3", "c;3"], ((0,), (2,), (2,))),
        ("cumulative", "voter_id;vote;points", ["a;1;4", "b;3,2;2,2", "c;3;1"], None),
        ("ordinal", "voter_id;vote", ["a;1", "b;3,2", "c;3"], None),
    ]:
        text = SMALL.replace("vote_type;approval", f"vote_type;{vote_type}")
        text = text.split("VOTES")[0] + "VOTES\n" + header + "\n" + "\n".join(rows) + "\n"
        e = election_from_pabulib(parse_pabulib_string(text))
        assert e.ballots == (ballots or ((0,), (1, 2), (2,))), vote_type


def test_an_election_exported_as_pabulib_reads_back_as_the_same_election():
    e = Election(("x", "y", "z"), (10, 20, 5), Fraction(7, 2) * 10, ((0, 1), (), (2,)))
    data = pabulib_from_election(e, meta={"unit": "Bologna"}, selected=["x"])
    assert data.meta["budget"] == "35"
    back = election_from_pabulib(parse_pabulib_string(dumps_pabulib(data)))
    assert (back.project_ids, back.costs, back.budget, back.ballots) == (
        e.project_ids,
        e.costs,
        e.budget,
        e.ballots,
    )
    assert back.declared_votes == (1, 1, 1)
    assert [v.voter_id for v in data.votes] == ["1", "2", "3"]  # anonymous


def test_money_is_written_as_exact_decimals():
    assert format_money(1546168) == "1546168"
    assert format_money(Fraction("1546168.66")) == "1546168.66"
    assert format_money(Fraction(1, 8)) == "0.125"
    with pytest.raises(ValueError, match="decimal"):
        format_money(Fraction(1, 3))


# --- the real Pabulib files ------------------------------------------------------------------


@pytest.mark.parametrize("name", file_params(slow=set()))
def test_every_real_file_parses_and_round_trips_through_the_writer(name, pabulib_folder):
    data = parse_pabulib(pabulib_folder / name)
    assert len(data.projects) == int(data.meta["num_projects"])
    assert len(data.votes) == int(data.meta["num_votes"])
    assert parse_pabulib_string(dumps_pabulib(data)) == data
    e = election_from_pabulib(data)
    assert e.num_voters == len(data.votes)


@pytest.mark.parametrize("name", file_params(slow=set()))
def test_vote_counts_printed_in_real_files_match_the_ballots(name, pabulib_folder):
    data = parse_pabulib(pabulib_folder / name)
    e = election_from_pabulib(data)
    if e.declared_votes is None:
        pytest.skip(f"{name} has no votes column")
    assert e.approval_counts == e.declared_votes


def test_lodz_names_with_doubled_quotes_are_read_verbatim(pabulib_folder):
    data = parse_pabulib(pabulib_folder / "Poland_Lodz_2022.pb")
    names = {p.project_id: p.fields["name"] for p in data.projects}
    assert names["L026"].startswith('"Przywracamy "Parad')


def test_lodz_parses_with_every_ballot(pabulib_folder):
    # How fast it parses is measured by bench/pb_rules.py, not asserted here.
    data = parse_pabulib(pabulib_folder / "Poland_Lodz_2022.pb")
    assert len(data.votes) == 90_494


# --- compute_file and the management command -------------------------------------------------


def test_compute_file_reports_a_malformed_file_as_a_pabulib_error(tmp_path):
    path = tmp_path / "bad.pb"
    path.write_text(bad({"b;2,1,3;41": "b;2,9;41"}), encoding="utf-8")
    with pytest.raises(PabulibError, match="line 16"):
        compute_file(path, "greedy")


def test_compute_file_runs_greedy_and_mes(tmp_path):
    path = tmp_path / "small.pb"
    path.write_text(SMALL, encoding="utf-8")
    assert compute_file(path, "greedy").selected == ("1", "3")
    # MES picks 1 (tied with 2, lexicographic); Add1 cannot add more without overspending;
    # greedy completion then adds 3, the only project that still fits.
    assert compute_file(path, "mes").selected == ("1", "3")
    with pytest.raises(ValueError, match="unknown rule"):
        compute_file(path, "phragmen")


def configure_django_if_needed() -> None:
    """Use the project settings when pytest-django loaded them, else a minimal configuration."""
    import django
    from django.conf import settings

    if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
        settings.configure(INSTALLED_APPS=["budgeting"], DATABASES={}, USE_TZ=True)
    django.setup()


def test_pb_compute_command_prints_one_winner_per_line(tmp_path):
    from django.core.management import CommandError, call_command

    configure_django_if_needed()
    path = tmp_path / "small.pb"
    path.write_text(SMALL, encoding="utf-8")
    out = io.StringIO()
    call_command("pb_compute", str(path), rule="mes", stdout=out)
    assert out.getvalue().splitlines() == ["1", "3"]
    out = io.StringIO()
    call_command("pb_compute", str(path), "--rule=greedy", "--tie-breaking=equalshares", stdout=out)
    assert out.getvalue().splitlines() == ["1", "3"]
    broken = tmp_path / "broken.pb"
    broken.write_text(bad({"3;30;Bench;1": "3;30;Bench"}), encoding="utf-8")
    with pytest.raises(CommandError, match="line 12: expected 4 fields"):
        call_command("pb_compute", str(broken), rule="greedy")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("pb_compute", str(tmp_path / "missing.pb"), rule="greedy")


def test_manage_py_pb_compute_exits_non_zero_on_a_bad_file(tmp_path):
    broken = tmp_path / "broken.pb"
    broken.write_text("META\nkey;value\nbudget;x\n", encoding="utf-8")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    proc = subprocess.run(
        [sys.executable, "manage.py", "pb_compute", str(broken), "--rule", "mes"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "PROJECTS section is missing" in proc.stderr, proc.stderr[-500:]
    assert proc.returncode != 0
    assert proc.stdout == ""


# The VOTES section of approval files is read in bulk when it is plain (no quotes, spaces,
# carriage returns or control characters), else line by line. Both must give the same data and
# the same first error, with the same line number.


def line_by_line(text: str) -> str:
    """The same file, with one space in the VOTES section (stripped away, but not plain)."""
    head, votes = text.split("VOTES\n")
    return head + "VOTES\n" + votes.replace(";", " ;", 1)


def both_ways(text: str, **kwargs):
    plain, spaced = parse_pabulib_string(text, **kwargs), None
    spaced = parse_pabulib_string(line_by_line(text), **kwargs)
    return plain, spaced


VOTES_LAYOUTS = {
    "extra after": ("voter_id;vote;age", ["a;1,2;30", "b;2,1,3;41", "c;;22"]),
    "no extra": ("voter_id;vote", ["a;1,2", "b;2,1,3", "c;"]),
    "vote first": ("vote;voter_id;age;sex", ["1,2;a;30;F", "2,1,3;b;41;M", ";c;22;F"]),
    "extra between": ("voter_id;age;vote", ["a;30;1,2", "b;41;2,1,3", "c;22;"]),
}


def with_votes(header: str, rows: list[str]) -> str:
    head = SMALL.split("VOTES\n")[0].replace("num_votes;3", f"num_votes;{len(rows)}")
    return head + "VOTES\n" + header + "\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize("layout", sorted(VOTES_LAYOUTS))
def test_votes_read_in_bulk_are_the_votes_read_line_by_line(layout):
    header, rows = VOTES_LAYOUTS[layout]
    plain, spaced = both_ways(with_votes(header, rows))
    assert plain == spaced
    assert spaced == plain
    assert [v.vote for v in plain.votes] == [("1", "2"), ("2", "1", "3"), ()]
    assert list(plain.votes) == list(spaced.votes)
    assert plain.votes[1] == spaced.votes[1]
    assert election_from_pabulib(plain) == election_from_pabulib(spaced)
    assert parse_pabulib_string(dumps_pabulib(plain)) == plain


@pytest.mark.parametrize(
    ("rows", "line", "fragment"),
    [
        (["a;1,2;30", "b;2,9;41", "c;;22"], 16, "unknown project '9'"),
        (["a;1,2;30", "b;2,1,2;41", "c;;22"], 16, "same project twice"),
        (["a;1,2;30", "b;2,,1;41", "c;;22"], 16, "unknown project ''"),
        (["a;1,2;30", "b;2;41", "a;;22"], 17, "repeated voter id 'a'"),
        (["a;1,2;30", ";2;41", "c;;22"], 16, "empty or repeated voter id ''"),
        (["a;1,2;30", "b;2;41;7", "c;;22"], 16, "expected 3 fields"),
        (["a;1,2;30", "b;2", "c;;22"], 16, "expected 3 fields"),
        (["a;1,2;30", "b;2;41", "PROJECTS"], 17, "section PROJECTS is repeated"),
        (["a;1,2;30", "b;2;41", "whatever"], 17, "expected 3 fields"),
        # blank lines are skipped but counted
        (["a;1,2;30", "", "", "b;9;41"], 18, "unknown project '9'"),
        # the first failing line wins, whatever the check
        (["a;1,2;30", "a;9;41"], 16, "repeated voter id"),
        (["a;9;30", "a;2;41"], 15, "unknown project '9'"),
        (["a;1;30", "b;9;41", "a;2;22"], 16, "unknown project '9'"),
        (["a;1;30", "a;2;41", "b;9;22"], 16, "repeated voter id"),
        (["a;1;30", "b;9;41", "c;2"], 16, "unknown project '9'"),
        (["a;1;30", "b;2", "c;9;22"], 16, "expected 3 fields"),
    ],
)
@pytest.mark.parametrize("every", [10_000, 2])  # blocks of lines: one, or many
@pytest.mark.parametrize("block", [pabulib.BULK_BLOCK, 1, 2])  # blocks within progress steps
def test_votes_read_in_bulk_fail_like_votes_read_line_by_line(
    rows, line, fragment, every, block, monkeypatch
):
    monkeypatch.setattr(pabulib, "BULK_BLOCK", block)
    text = with_votes("voter_id;vote;age", rows)
    for variant in (text, line_by_line(text)):
        with pytest.raises(PabulibError) as error:
            parse_pabulib_string(variant, progress_every=every)
        assert (error.value.line, fragment in error.value.message) == (line, True), variant


@pytest.mark.parametrize(("every", "block"), [(4, 10_000), (10_000, 4), (10_000, 1)])
def test_a_voter_repeated_in_another_block_of_lines_is_refused(every, block, monkeypatch):
    monkeypatch.setattr(pabulib, "BULK_BLOCK", block)
    rows = [f"v{i};1;30" for i in range(20)] + ["v3;2;41"]
    with pytest.raises(PabulibError, match="repeated voter id 'v3'") as error:
        parse_pabulib_string(with_votes("voter_id;vote;age", rows), progress_every=every)
    assert error.value.line == 35


@pytest.mark.parametrize("block", [10_000, 3, 1])
def test_progress_is_reported_the_same_in_bulk_and_line_by_line(block, monkeypatch):
    monkeypatch.setattr(pabulib, "BULK_BLOCK", block)
    rows = [f"v{i};1;30" for i in range(20)]
    text = with_votes("voter_id;vote;age", rows)
    seen_plain, seen_spaced = [], []
    plain = parse_pabulib_string(text, on_progress=seen_plain.append, progress_every=4)
    spaced = parse_pabulib_string(
        line_by_line(text), on_progress=seen_spaced.append, progress_every=4
    )
    assert seen_plain == seen_spaced == [4, 8, 12, 16, 20, 24, 28, 32, 34]
    assert plain == spaced


def test_plain_ascii_text_is_told_apart_as_the_general_check_does():
    # ASCII text takes a byte-table shortcut; any non-ASCII character takes the general check.
    for code in range(128):
        char = chr(code)
        assert pabulib._plain(f"a;1,2\n{char};3\n") == pabulib._plain(f"ł;1,2\n{char};3\n"), repr(
            char
        )
    assert pabulib._plain("a;1,2\nb;3\n")
    for bad in (" ", '"', "\r", "\t", "\x00", "\x7f"):
        assert not pabulib._plain(f"a;1,2\nb{bad};3\n"), repr(bad)
