"""Which files our rules, pabutools and the equalshares.net compute tool agree on.

    python bench/pb_agreement.py [--folder PATH] [--skip NAME ...] [--no-pabutools]

For every Pabulib file: the equalshares.net tool's own code (``bench/equalshares_tool.py``; its
defaults: Add1 ``exhaustive`` + ``integral``, increment 1, utilitarian completion, floats; tie
breaking ``minCost`` then ``maxVotes``) against our MES with ``add1_variant="equalshares"``,
greedy completion and ``equalshares`` tie-breaking; and pabutools' MES + Add1
(``voter_budget_increment=1``) against ours with ``add1_variant="pabutools"`` (no completion).
Prints a Markdown table (the one in ``docs/decisions/002-mes-add1.md``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

# pabutools' Add1 reruns MES from scratch at each step: minutes to hours on these.
PABUTOOLS_TOO_SLOW = {
    "Hungary_Budapest_2024.pb",
    "France_Toulouse_2022.pb",
    "Poland_Lodz_2022.pb",
    "Poland_Warszawa_2021_Mokotow.pb",
    "Poland_Warszawa_2021_Bemowo.pb",
}


def pabutools_add1(path: Path) -> list[str]:
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import method_of_equal_shares

    instance, profile = parse_pabulib(str(path))
    outcome = method_of_equal_shares(
        instance, profile.as_multiprofile(), sat_class=Cost_Sat, voter_budget_increment=1
    )
    return [p.name for p in outcome]


def describe(ours: set[str], theirs: set[str]) -> str:
    if ours == theirs:
        return "same"
    parts = []
    if theirs - ours:
        parts.append("only theirs: " + ", ".join(sorted(theirs - ours)))
    if ours - theirs:
        parts.append("only ours: " + ", ".join(sorted(ours - theirs)))
    return "; ".join(parts)


def main() -> None:
    from bench.equalshares_tool import run_tool, unavailable
    from budgeting.pabulib import read_election
    from budgeting.rules import method_of_equal_shares

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = REPO_ROOT.parent / "shared" / "data" / "pabulib"
    parser.add_argument("--folder", type=Path, default=default)
    parser.add_argument("--skip", nargs="*", default=["Hungary_Budapest_2024.pb"])
    parser.add_argument("--no-pabutools", action="store_true")
    args = parser.parse_args()
    reason = unavailable()
    print("| file | voters | equalshares.net tool vs ours | pabutools Add1 vs ours |")
    print("|---|---|---|---|")
    for path in sorted(args.folder.glob("*.pb")):
        if path.name in args.skip:
            print(f"| {path.stem} | | not run (--skip) | not run |")
            continue
        election = read_election(path)
        ours_tool = method_of_equal_shares(
            election,
            add1=True,
            add1_variant="equalshares",
            completion="greedy",
            tie_breaking="equalshares",
        )
        if reason:
            tool = f"not run: {reason}"
        else:
            start = time.perf_counter()
            answer = run_tool(election)
            seconds = time.perf_counter() - start
            if "error" in answer:
                tool = f"tool error: {answer['error'][:80]}"
            else:
                tool = describe(set(ours_tool.selected), set(answer["winners"]))
                tool += f" ({seconds:.0f} s)"
        if args.no_pabutools or path.name in PABUTOOLS_TOO_SLOW:
            ref = "not run (too slow for pabutools)"
        else:
            ours_ref = method_of_equal_shares(election, add1=True, add1_variant="pabutools")
            ref = describe(set(ours_ref.selected), set(pabutools_add1(path)))
        print(f"| {path.stem} | {election.num_voters} | {tool} | {ref} |", flush=True)


if __name__ == "__main__":
    main()
