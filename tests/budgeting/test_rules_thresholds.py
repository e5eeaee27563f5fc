"""Vote thresholds: no rule, completion or comparison funds a project below it, or one nobody
voted for (MISSION.md §3; Pabulib's ``min_project_score_threshold``)."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgeting.rules import Election, compute_file, greedy, method_of_equal_shares
from budgeting.rules.types import BELOW_MIN_VOTES, NO_VOTES
from tests.budgeting.test_rules_properties import elections

SETTINGS = settings(max_examples=200, deadline=None)


def every_rule(e: Election, min_votes: int):
    """Every rule and option a process can choose, as (label, result)."""
    yield "greedy", greedy(e, min_votes=min_votes)
    for variant in ("pabutools", "equalshares", "overspend"):
        for completion in ("none", "greedy"):
            for comparison in (False, True):
                label = f"mes {variant} {completion} comparison={comparison}"
                yield (
                    label,
                    method_of_equal_shares(
                        e,
                        add1=True,
                        add1_variant=variant,
                        completion=completion,
                        comparison=comparison,
                        min_votes=min_votes,
                    ),
                )
    yield "mes without add1", method_of_equal_shares(e, completion="greedy", min_votes=min_votes)


@SETTINGS
@given(elections(), st.integers(0, 4))
def test_no_rule_or_completion_ever_selects_a_project_below_the_threshold_or_without_votes(
    e, min_votes
):
    for label, result in every_rule(e, min_votes):
        for pid in result.selected:
            votes = e.approval_counts[e.index[pid]]
            assert votes > 0, (label, pid)
            assert votes >= min_votes, (label, pid)


def cheap_unpopular():
    """A (60) has 4 votes, B (30) has 2, C (10) has none; plenty of money for all three."""
    return Election(("A", "B", "C"), (60, 30, 10), 200, ((0, 1), (0, 1), (0,), (0,)))


LABELS = ["greedy", "mes without add1"] + [
    f"mes {v} {c} comparison={k}"
    for v in ("pabutools", "equalshares", "overspend")
    for c in ("none", "greedy")
    for k in (False, True)
]


@pytest.mark.parametrize("label", LABELS)
def test_one_vote_under_the_threshold_is_not_selected_and_one_at_it_is(label):
    e = cheap_unpopular()
    under = dict(every_rule(e, 3))[label]
    at = dict(every_rule(e, 2))[label]
    assert "B" not in under.selected
    assert under.explanations["B"].code == BELOW_MIN_VOTES
    assert under.explanations["B"].data == {"votes": 2, "min_votes": 3}
    assert "B" in at.selected
    assert "C" not in at.selected and "C" not in under.selected


def test_projects_below_the_threshold_leave_their_supporters_money_to_the_others():
    # 4 voters, 100 each: A (300) is backed by all, B (10) only by voter 0. Without a threshold
    # MES picks B first (cheaper per supporter) and A can no longer be paid; with min_votes=2,
    # B is out and A is funded.
    e = Election(("A", "B"), (300, 10), 400, ((0, 1), (0,), (0,), (0,)))
    assert method_of_equal_shares(e, min_votes=2).selected == ("A",)
    assert method_of_equal_shares(e, min_votes=2).explanations["B"].code == BELOW_MIN_VOTES


def test_a_negative_threshold_is_refused():
    with pytest.raises(ValueError, match="threshold"):
        greedy(cheap_unpopular(), min_votes=-1)


def test_the_greedy_explanation_for_a_project_without_votes_says_so():
    assert greedy(cheap_unpopular()).explanations["C"].code == NO_VOTES


# --- Pabulib files and pb_compute --------------------------------------------------------------

SMALL = """META
key;value
description;Test
num_projects;3
num_votes;4
budget;100
vote_type;approval
min_project_score_threshold;2
PROJECTS
project_id;cost;votes
1;40;4
2;30;1
3;20;0
VOTES
voter_id;vote
a;1,2
b;1
c;1
d;1
"""


def test_compute_file_takes_the_threshold_from_the_files_meta_unless_told(tmp_path):
    path = tmp_path / "small.pb"
    path.write_text(SMALL, encoding="utf-8")
    assert compute_file(path, "greedy").selected == ("1",)
    assert compute_file(path, "greedy", min_votes=0).selected == ("1", "2")  # 3 has no vote


def test_pb_compute_reads_the_files_threshold_by_default_and_says_so(tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "small.pb"
    path.write_text(SMALL, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("pb_compute", str(path), rule="greedy", stdout=out, stderr=err)
    assert out.getvalue().splitlines() == ["1"]
    assert "vote threshold: 2 (the file's min_project_score_threshold)" in err.getvalue()
    out, err = io.StringIO(), io.StringIO()
    call_command("pb_compute", str(path), "--rule=mes", "--min-votes=1", stdout=out, stderr=err)
    assert out.getvalue().splitlines() == ["1", "2"]
    assert "vote threshold: 1 (--min-votes)" in err.getvalue()
    with pytest.raises(CommandError, match="negative"):
        call_command("pb_compute", str(path), rule="greedy", min_votes=-1, stderr=err)


def test_a_malformed_threshold_in_meta_is_refused_with_its_line(tmp_path):
    from budgeting.pabulib import PabulibError, parse_pabulib_string

    with pytest.raises(PabulibError, match="line 8: min_project_score_threshold 'many'"):
        parse_pabulib_string(SMALL.replace("threshold;2", "threshold;many"))


def test_lodz_2022_with_its_files_threshold_reproduces_the_published_greedy_outcome(
    pabulib_folder,
):
    from budgeting.pabulib import parse_pabulib

    path = pabulib_folder / "Poland_Lodz_2022.pb"
    data = parse_pabulib(path)
    assert data.meta["min_project_score_threshold"] == "100"
    published = {p.project_id for p in data.projects if p.fields["selected"] == "1"}
    result = compute_file(path, "greedy")
    assert result.details["min_votes"] == 100
    assert set(result.selected) == published
    below = [p for p, x in result.explanations.items() if x.code == BELOW_MIN_VOTES]
    assert below  # some Łódź projects had fewer than 100 votes
