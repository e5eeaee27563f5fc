"""Reference check against the equalshares.net compute tool's own JavaScript, run with Node.

The tool is not part of this project: ``bench/equalshares_tool.py`` loads it from a checkout
named by ``EQUALSHARES_TOOL`` (or the development machines' mirror) and these tests skip, saying
why, without it. The settings that reproduce the tool's default outcome are MES with
``add1_variant="equalshares"``, greedy completion and ``equalshares`` tie-breaking (see
``docs/decisions/002-mes-add1.md`` for the files where it differs, and why).
"""

from __future__ import annotations

import shutil

import pytest

from bench.equalshares_tool import run_tool, sources
from budgeting.rules import Election, method_of_equal_shares
from conftest import missing
from tests.budgeting.conftest import file_params, our_election

# Files on which the tool's default settings and ours agree (decision 002's table; Toulouse
# needs a lot order, Budapest takes the tool hours).
AGREEING_FILES = [
    "Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals.pb",
    "Netherlands_Assen_2024.pb",
    "Poland_Krakow_2024_Stare_Miasto.pb",
    "Poland_Lodz_2022.pb",
    "Poland_Warszawa_2021_Bemowo.pb",
    "Poland_Warszawa_2021_Mokotow.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "Poland_Zabrze_2020.pb",
    "Switzerland_Zurich_D10.pb",
    "Switzerland_Zurich_S5R.pb",
    "Switzerland_Zurich_SN.pb",
    "US_Stanford_Dataset_2022_Jersey_City_Ward_E_vote_knapsacks.pb",
    "US_Stanford_Dataset_Merced_Peoples_Budget_Ballot_2019_vote_rankings.pb",
    "US_Stanford_Dataset_PB_Cambridge_2015_vote_knapsacks.pb",
    "US_Stanford_Dataset_PB_Cambridge_2019_vote_approvals.pb",
]
# The tool takes minutes on these (its Add1 reruns MES in JavaScript at every step).
TOOL_SLOW = {
    "Poland_Krakow_2024_Stare_Miasto.pb",
    "Poland_Lodz_2022.pb",
    "Poland_Warszawa_2021_Bemowo.pb",
    "Poland_Warszawa_2021_Mokotow.pb",
}


@pytest.fixture
def tool():
    if shutil.which("node") is None:
        missing("Node.js is not installed: the equalshares.net tool is JavaScript (CI has it)")
    found = sources()
    if isinstance(found, str):
        pytest.skip(found)
    return run_tool


def ours(election: Election, **options):
    return method_of_equal_shares(
        election,
        add1=True,
        add1_variant="equalshares",
        completion="greedy",
        tie_breaking="equalshares",
        **options,
    )


@pytest.mark.parametrize("name", file_params(AGREEING_FILES, slow=TOOL_SLOW))
def test_our_equalshares_settings_reproduce_the_tools_outcome(name, pabulib_folder, tool):
    election = our_election(str(pabulib_folder / name))
    answer = tool(election)
    assert "error" not in answer, answer
    assert set(ours(election).selected) == set(answer["winners"])


def test_the_tool_starts_add1_at_a_whole_share_as_our_equalshares_variant_does(tool):
    # 4 voters, 74 to share: B/n = 18.5. MES at 18.5 selects C (55), and {C} is exhaustive; at
    # floor(B/n) = 18, C's supporters (3 x 18 = 54) cannot pay it and MES selects B (32), also
    # exhaustive. The tool runs Add1 from floor(B/n) only, so its outcome is {B}.
    e = Election(("A", "B", "C"), (57, 32, 55), 74, ((0, 2), (0, 1), (0, 2), (1, 2)))
    assert method_of_equal_shares(e, tie_breaking="equalshares").selected == ("C",)
    answer = tool(e)
    result = ours(e)
    assert set(answer["winners"]) == set(result.selected) == {"B"}
    assert result.details["initial_per_voter_budget"] == 18


def test_the_tool_funds_a_project_nobody_voted_for_and_we_never_do(tool):
    # Its utilitarian completion adds any project that fits, votes or not (C has none).
    e = Election(("A", "B", "C"), (40, 40, 10), 100, ((0,), (0,), (1,)))
    answer = tool(e)
    assert "C" in answer["winners"]
    assert "C" not in ours(e).selected
