"""Benchmark our PB rules against pabutools on a Pabulib file (default: Łódź 2022).

    python bench/pb_rules.py [--file PATH] [--runs 5] [--limit 120] [--mem-gb 8]

Our rules run in this process (median of ``--runs`` runs, parsing excluded) and once more in a
subprocess to measure peak memory (``ru_maxrss``, parsing included). pabutools runs each rule once
in its own subprocess, limited to ``--limit`` seconds and ``--mem-gb`` GB of address space; it is
reported as ``>limit`` when it does not finish. The last line is machine-readable:

    mes_add1 ours=<s> pabutools=<s or >limit> same_winners=<yes|no|n/a>
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

RULES = ("greedy", "mes", "mes_add1")


def default_file() -> Path:
    folder = os.environ.get("PABULIB_DIR")
    base = Path(folder) if folder else REPO_ROOT.parent / "shared" / "data" / "pabulib"
    return base / "Poland_Lodz_2022.pb"


def ours(election, rule: str):
    from budgeting.rules import greedy, method_of_equal_shares

    if rule == "greedy":
        return greedy(election).selected
    return method_of_equal_shares(election, add1=rule == "mes_add1").selected


def pabutools_rule(path: str, rule: str) -> dict:
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    instance, profile = parse_pabulib(path)
    start = time.perf_counter()
    if rule == "greedy":
        outcome = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    else:
        increment = 1 if rule == "mes_add1" else None
        outcome = method_of_equal_shares(
            instance, profile, sat_class=Cost_Sat, voter_budget_increment=increment
        )
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "winners": [p.name for p in outcome]}


def worker(kind: str, path: str, rule: str) -> None:
    """Run in a subprocess: print one JSON line with the time, winners and peak memory."""
    if kind == "pabutools":
        result = pabutools_rule(path, rule)
    else:
        from budgeting.pabulib import read_election

        start = time.perf_counter()
        winners = ours(read_election(path), rule)
        result = {"seconds": time.perf_counter() - start, "winners": list(winners)}
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def in_subprocess(kind: str, path: Path, rule: str, limit: float, mem_gb: float) -> dict | None:
    def limits() -> None:
        size = int(mem_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    cmd = [sys.executable, __file__, "--worker", kind, "--file", str(path), "--rule", rule]
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=limit,
            preexec_fn=limits,  # only sets rlimits; this process runs no threads
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"error": tail[0]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt(seconds: float | None, limit: float) -> str:
    return f">{limit:g}" if seconds is None else f"{seconds:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=float, default=120.0, help="seconds per pabutools rule")
    parser.add_argument("--mem-gb", type=float, default=8.0, help="address-space limit, GB")
    parser.add_argument("--skip-pabutools", action="store_true")
    parser.add_argument("--worker", choices=("ours", "pabutools"), help=argparse.SUPPRESS)
    parser.add_argument("--rule", choices=RULES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = args.file or default_file()
    if args.worker:
        worker(args.worker, str(path), args.rule)
        return
    if not path.is_file():
        sys.exit(f"no such file: {path} (use --file or PABULIB_DIR)")

    from budgeting.pabulib import parse_pabulib, read_election
    from budgeting.rules import Election

    parse_times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        parse_pabulib(path)
        parse_times.append(time.perf_counter() - start)
    election = read_election(path)
    print(f"file: {path.name}: {election.num_voters} voters, {election.num_projects} projects")
    print(f"parse (ours): median {statistics.median(parse_times):.3f} s over {args.runs} runs")

    lines = []
    for rule in RULES:
        times = []
        for _ in range(args.runs):
            # A fresh Election each time, so no cached vote counts help a later run.
            fresh = Election(
                election.project_ids, election.costs, election.budget, election.ballots
            )
            start = time.perf_counter()
            winners = ours(fresh, rule)
            times.append(time.perf_counter() - start)
        mine = statistics.median(times)
        memory = in_subprocess("ours", path, rule, args.limit, args.mem_gb) or {}
        ref = (
            None
            if args.skip_pabutools
            else in_subprocess("pabutools", path, rule, args.limit, args.mem_gb)
        )
        ref_time = ref.get("seconds") if ref else None
        if ref is None or "error" in ref:
            same = "n/a"
        else:
            same = "yes" if list(winners) == ref["winners"] else "no"
        ratio = f"{ref_time / mine:.0f}x" if ref_time else "n/a"
        note = f" ({ref['error']})" if ref and "error" in ref else ""
        print(
            f"{rule:9s} ours: median {mine:.3f} s (min {min(times):.3f}), "
            f"peak RSS {memory.get('max_rss_mb', float('nan')):.0f} MB with parsing | "
            f"pabutools: {fmt(ref_time, args.limit)} s"
            + (f", peak RSS {ref['max_rss_mb']:.0f} MB" if ref and "max_rss_mb" in ref else "")
            + f"{note} | same winners: {same} | speed-up: {ratio}"
        )
        lines.append((rule, mine, ref_time, same))
    rule, mine, ref_time, same = lines[-1]
    print(f"mes_add1 ours={mine:.3f} pabutools={fmt(ref_time, args.limit)} same_winners={same}")


if __name__ == "__main__":
    main()
