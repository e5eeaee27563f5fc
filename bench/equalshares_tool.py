"""Run the equalshares.net compute tool's own JavaScript on an election, with Node.

The tool (https://github.com/equalshares/equalshares-compute-tool, MIT) is not copied into this
project: its worker ``js/methodOfEqualSharesWorker.js`` and the ``fraction.js`` library it loads are
read from a checkout, or from a git mirror (bare repository), named by the ``EQUALSHARES_TOOL``
environment variable; by default the mirror that the development machines fetch to
``/work/.mirror/equalshares+equalshares-compute-tool/repo``. :func:`unavailable` says why the
tool cannot run (no Node, no checkout); callers skip with that reason.

The worker is written for a browser Web Worker; here it runs in a Node ``vm`` context whose
``importScripts`` loads fraction.js and whose ``postMessage`` drops progress messages, and its
``equalShares(instance, params)`` is called directly. The instance is built the way the tool's
Pabulib parser builds it (``meta.budget``, ``projects[id].cost``, ``approvers[id]``: voter ids).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

DEFAULT_MIRROR = Path("/work/.mirror/equalshares+equalshares-compute-tool/repo")
WORKER = "js/methodOfEqualSharesWorker.js"
FRACTION = "js/libraries/fraction.min.js"

# The tool's defaults (js/main.js), except tie-breaking: the tool breaks no tie by default
# (it stops with an error); "minCost", "maxVotes" is what PartnerCity's ``equalshares``
# tie-breaking does before the lot order.
DEFAULT_PARAMS = {
    "tieBreaking": ["minCost", "maxVotes"],
    "completion": "add1u",
    "add1options": ["exhaustive", "integral"],
    "comparison": "none",
    "accuracy": "floats",
    "increment": 1,
}

GLUE = r"""
const vm = require("vm");
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const { worker, fraction, instance, params } = JSON.parse(input);
  const context = { console, performance, postMessage: () => {} };
  context.importScripts = () => vm.runInContext(fraction, context);
  vm.createContext(context);
  vm.runInContext(worker, context);
  try {
    const { winners, notes } = context.equalShares(instance, params);
    process.stdout.write(JSON.stringify({ winners, endowment: notes.endowment }));
  } catch (error) {
    process.stdout.write(JSON.stringify({ error: String(error && error.message || error) }));
  }
});
"""


def tool_location() -> Path:
    return Path(os.environ.get("EQUALSHARES_TOOL") or DEFAULT_MIRROR)


def _read(location: Path, name: str) -> str:
    if (location / name).is_file():
        return (location / name).read_text(encoding="utf-8")
    # A bare mirror: read the file from its HEAD commit.
    return subprocess.run(
        ["git", "--git-dir", str(location), "show", f"HEAD:{name}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@cache
def sources() -> tuple[str, str] | str:
    """(worker, fraction.js) sources, or the reason they cannot be read."""
    location = tool_location()
    if not location.exists():
        return (
            f"the equalshares.net compute tool is not at {location} (set EQUALSHARES_TOOL to a "
            "checkout of github.com/equalshares/equalshares-compute-tool)"
        )
    try:
        return _read(location, WORKER), _read(location, FRACTION)
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"cannot read {WORKER} from {location}: {exc}"


def unavailable() -> str | None:
    """Why the tool cannot run here, or ``None``."""
    if shutil.which("node") is None:
        return "Node.js is not installed (the equalshares.net tool is JavaScript)"
    found = sources()
    return found if isinstance(found, str) else None


def _number(value) -> str:
    """As the tool reads a .pb file: a decimal number (it parses costs with parseFloat)."""
    return str(value) if isinstance(value, int) else repr(float(value))


def instance_of(election) -> dict:
    """The tool's instance for a :class:`budgeting.rules.Election` (voters numbered 1..n)."""
    approvers: dict[str, list[str]] = {p: [] for p in election.project_ids}
    for i, ballot in enumerate(election.ballots, start=1):
        for j in ballot:
            approvers[election.project_ids[j]].append(str(i))
    return {
        "meta": {"budget": _number(election.budget)},
        "projects": {
            p: {"cost": _number(c)}
            for p, c in zip(election.project_ids, election.costs, strict=True)
        },
        "votes": {str(i): {} for i in range(1, election.num_voters + 1)},
        "approvers": approvers,
    }


def run_tool(election, **params) -> dict:
    """``{"winners": [...], "endowment": ...}`` or ``{"error": ...}`` from the tool's code."""
    reason = unavailable()
    if reason:
        raise RuntimeError(reason)
    worker, fraction = sources()
    payload = {
        "worker": worker,
        "fraction": fraction,
        "instance": instance_of(election),
        "params": DEFAULT_PARAMS | params,
    }
    proc = subprocess.run(
        ["node", "-e", GLUE],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"node failed: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout)
