"""Benchmark our PB rules against pabutools on a Pabulib file (default: Łódź 2022).

    python bench/pb_rules.py [--file PATH] [--runs 5] [--limit 120] [--mem-gb 8]

Our rules run in this process (median of ``--runs`` runs, parsing excluded; the process's CPU
time is printed too, steadier than wall time on a shared machine; the compiled MES kernel is
loaded first, and the time that takes is printed) and once more in a subprocess to measure peak
memory (``ru_maxrss``, parsing included). pabutools runs each rule once
in its own subprocess, limited to ``--limit`` seconds and ``--mem-gb`` GB of address space; it is
reported as ``>limit`` when it does not finish. pabutools gets identical ballots merged into a
multiprofile (``as_multiprofile()``), its fastest input on Łódź (MES+Add1: about 80 s instead of
over 20 minutes); ``--raw-profile`` gives it one ballot per voter instead. Parsing is not timed
for pabutools either.

The equalshares.net compute tool (its own JavaScript, run with Node by
``bench/equalshares_tool.py``; skipped with a reason without Node or a checkout) is timed once
on MES + Add1 with its defaults, against ours with the settings that reproduce it.

Budapest 2024 (28,943 voters) with a 1-forint Add1 step: ours (jumping over certified stretches)
against the unit-step loop, whose outcome is recorded in ``bench/pb_rules_reference.json`` (the
loop takes 13 minutes or more; ``--unit-steps`` recomputes it). The last two lines are
machine-readable:

    budapest_add1 ours=<s> same_as_unit_steps=<yes|no|n/a>
    mes_add1 ours=<s> pabutools=<s or >limit> same_winners=<yes|no|n/a>
"""

from __future__ import annotations

import argparse
import hashlib
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
REFERENCE = Path(__file__).with_name("pb_rules_reference.json")
BUDAPEST = "Hungary_Budapest_2024.pb"


def data_dir() -> Path:
    folder = os.environ.get("PABULIB_DIR")
    return Path(folder) if folder else REPO_ROOT.parent / "shared" / "data" / "pabulib"


def default_file() -> Path:
    return data_dir() / "Poland_Lodz_2022.pb"


def budapest(recompute: bool, runs: int) -> str:
    """Ours on Budapest with 1-forint steps (median of ``runs``), against the recorded
    unit-step loop. Past step 1,024 the search uses two threads (decision 002, item 8)."""
    from budgeting.pabulib import read_election
    from budgeting.rules import method_of_equal_shares

    path = data_dir() / BUDAPEST
    if not path.is_file():
        print(f"budapest: {path} not found")
        return "budapest_add1 ours=n/a same_as_unit_steps=n/a"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    election = read_election(path)
    recorded = json.loads(REFERENCE.read_text()) if REFERENCE.is_file() else {}
    reference = recorded.get(BUDAPEST)
    if reference is not None and reference.get("sha256") != digest:
        reference = None  # another version of the file
    if reference is None and recompute:
        start = time.perf_counter()
        loop = method_of_equal_shares(election, add1=True, add1_jump=False)
        reference = {
            "sha256": digest,
            "add1_variant": "pabutools",
            "add1_increment": 1,
            "selected": list(loop.selected),
            "per_voter_budget": str(loop.details["per_voter_budget"]),
            "add1_steps": loop.details["add1_steps"],
            "seconds": round(time.perf_counter() - start, 1),
        }
        REFERENCE.write_text(json.dumps(recorded | {BUDAPEST: reference}, indent=1) + "\n")
    times, cpu_times = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        ours = method_of_equal_shares(election, add1=True)
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu)
    seconds, cpu = statistics.median(times), statistics.median(cpu_times)
    d = ours.details
    print(
        f"budapest: {election.num_voters} voters, Add1 by 1 Ft: {d['add1_steps']} steps in "
        f"{d['mes_runs']} MES runs ({d['add1_jumps']} jumps), median {seconds:.3f} s over "
        f"{runs} runs (min {min(times):.3f}, CPU {cpu:.3f} s, {os.cpu_count()} cores)"
        + (f"; unit-step loop {reference['seconds']} s (recorded)" if reference else "")
    )
    if reference is None:
        same = "n/a"
    else:
        same = (
            list(ours.selected) == reference["selected"]
            and str(d["per_voter_budget"]) == reference["per_voter_budget"]
        )
        same = "yes" if same else "no"
    return f"budapest_add1 ours={seconds:.3f} same_as_unit_steps={same}"


def equalshares_tool(election) -> None:
    """The equalshares.net tool's own code on the same election, against ours set to match."""
    sys.path.insert(0, str(REPO_ROOT / "bench"))
    from equalshares_tool import run_tool, unavailable

    from budgeting.rules import method_of_equal_shares

    reason = unavailable()
    if reason:
        print(f"equalshares.net tool: not run: {reason}")
        return
    start = time.perf_counter()
    mine = method_of_equal_shares(
        election,
        add1=True,
        add1_variant="equalshares",
        completion="greedy",
        tie_breaking="equalshares",
    )
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    answer = run_tool(election)
    tool_s = time.perf_counter() - start  # includes starting Node and passing the ballots
    same = (
        "n/a"
        if "error" in answer
        else ("yes" if set(mine.selected) == set(answer["winners"]) else "no")
    )
    print(
        f"equalshares.net tool (Node, its defaults: add1u, exhaustive+integral, floats): "
        f"{tool_s:.3f} s | ours with the matching settings: {ours_s:.3f} s | "
        f"same winners: {same} | speed-up: {tool_s / ours_s:.0f}x"
    )


def warm_up() -> float:
    """Load (or, the first time, compile) the MES kernel, so that no timed run pays for it."""
    from budgeting.rules import Election, method_of_equal_shares

    start = time.perf_counter()
    method_of_equal_shares(Election(("A", "B"), (10, 30), 20, ((0,), (0, 1))), add1=True)
    return time.perf_counter() - start


def ours(election, rule: str):
    from budgeting.rules import greedy, method_of_equal_shares

    if rule == "greedy":
        return greedy(election).selected
    return method_of_equal_shares(election, add1=rule == "mes_add1").selected


def pabutools_rule(path: str, rule: str, multiprofile: bool) -> dict:
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    instance, profile = parse_pabulib(path)
    if multiprofile:
        profile = profile.as_multiprofile()
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


def worker(kind: str, path: str, rule: str, multiprofile: bool) -> None:
    """Run in a subprocess: print one JSON line with the time, winners and peak memory."""
    if kind == "pabutools":
        result = pabutools_rule(path, rule, multiprofile)
    else:
        from budgeting.pabulib import read_election

        warm_up()
        start = time.perf_counter()
        winners = ours(read_election(path), rule)
        result = {"seconds": time.perf_counter() - start, "winners": list(winners)}
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def in_subprocess(kind: str, path: Path, rule: str, args: argparse.Namespace) -> dict | None:
    def limits() -> None:
        size = int(args.mem_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    cmd = [sys.executable, __file__, "--worker", kind, "--file", str(path), "--rule", rule]
    if args.raw_profile:
        cmd.append("--raw-profile")
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=args.limit,
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
    parser.add_argument("--skip-budapest", action="store_true")
    parser.add_argument(
        "--unit-steps", action="store_true", help="recompute Budapest's unit-step loop if needed"
    )
    parser.add_argument(
        "--raw-profile", action="store_true", help="give pabutools one ballot per voter"
    )
    parser.add_argument("--worker", choices=("ours", "pabutools"), help=argparse.SUPPRESS)
    parser.add_argument("--rule", choices=RULES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = args.file or default_file()
    if args.worker:
        worker(args.worker, str(path), args.rule, not args.raw_profile)
        return
    if not path.is_file():
        sys.exit(f"no such file: {path} (use --file or PABULIB_DIR)")

    from budgeting.pabulib import parse_pabulib, read_election
    from budgeting.rules import Election

    parse_times, parse_cpu = [], []
    for _ in range(args.runs):
        start, cpu = time.perf_counter(), time.process_time()
        parse_pabulib(path)
        parse_times.append(time.perf_counter() - start)
        parse_cpu.append(time.process_time() - cpu)
    election = read_election(path)
    print(f"file: {path.name}: {election.num_voters} voters, {election.num_projects} projects")
    print(
        f"parse (ours): median {statistics.median(parse_times):.3f} s over {args.runs} runs "
        f"(CPU {statistics.median(parse_cpu):.3f} s)"
    )

    print(f"MES kernel (numba) loaded or compiled in {warm_up():.3f} s (not timed below)")
    lines = []
    for rule in RULES:
        times, cpu_times = [], []
        for _ in range(args.runs):
            # A fresh Election each time, so no cached vote counts help a later run.
            fresh = Election(
                election.project_ids, election.costs, election.budget, election.ballots
            )
            start, cpu = time.perf_counter(), time.process_time()
            winners = ours(fresh, rule)
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu)
        mine = statistics.median(times)
        memory = in_subprocess("ours", path, rule, args) or {}
        ref = None if args.skip_pabutools else in_subprocess("pabutools", path, rule, args)
        ref_time = ref.get("seconds") if ref else None
        if ref is None or "error" in ref:
            same = "n/a"
        else:
            same = "yes" if list(winners) == ref["winners"] else "no"
        ratio = f"{ref_time / mine:.0f}x" if ref_time else "n/a"
        note = f" ({ref['error']})" if ref and "error" in ref else ""
        print(
            f"{rule:9s} ours: median {mine:.3f} s (min {min(times):.3f}, "
            f"CPU {statistics.median(cpu_times):.3f}), "
            f"peak RSS {memory.get('max_rss_mb', float('nan')):.0f} MB with parsing | "
            f"pabutools: {fmt(ref_time, args.limit)} s"
            + (f", peak RSS {ref['max_rss_mb']:.0f} MB" if ref and "max_rss_mb" in ref else "")
            + f"{note} | same winners: {same} | speed-up: {ratio}"
        )
        lines.append((rule, mine, ref_time, same))
    equalshares_tool(election)
    if not args.skip_budapest:
        print(budapest(args.unit_steps, args.runs))
    rule, mine, ref_time, same = lines[-1]
    print(f"mes_add1 ours={mine:.3f} pabutools={fmt(ref_time, args.limit)} same_winners={same}")


if __name__ == "__main__":
    main()
