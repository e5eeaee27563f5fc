"""Places in the assemblies' pages that other apps fill (the records app: decisions, minutes
and formal opinions; the motions app: live motions; the contributions: figures in the
Chamber of the Commons), without the assemblies app knowing them.

An app registers, in its `ready()`:

    from assemblies import slots
    slots.register("assembly.records", "assembly_records/includes/assembly_panel.html",
                   context=lambda request, obj: {"decisions": ...}, order=10)

and the page renders `{% assembly_slot "assembly.records" assembly %}` ({% load assemblies %}):
each registered template, in order, with `request`, `object` and what `context` returns.

Slots offered:
- "assembly.records": the assembly page, after its meetings (decisions and opinions);
- "meeting.records": the meeting page, after the agenda (attendance, minutes, decisions);
- "meeting.motions": the meeting page, beside the agenda (live motions);
- "meeting.chair": the meeting's door/chair page (the chair's tools: consoles, tablets);
- "chamber.group": each group's card in the Chamber of the Commons (contributions figures);
- "chamber.head": the Chamber's page, under its introduction.
"""

from collections.abc import Callable
from dataclasses import dataclass

SLOTS = (
    "assembly.records",
    "meeting.records",
    "meeting.motions",
    "meeting.chair",
    "chamber.group",
    "chamber.head",
)


@dataclass(frozen=True)
class Filler:
    template: str
    context: Callable | None = None
    order: int = 100


_fillers: dict[str, list[Filler]] = {}


def register(slot: str, template: str, *, context: Callable | None = None, order: int = 100):
    if slot not in SLOTS:
        raise ValueError(f"unknown slot {slot!r}; offered: {', '.join(SLOTS)}")
    fillers = _fillers.setdefault(slot, [])
    if all(f.template != template for f in fillers):
        fillers.append(Filler(template, context, order))
        fillers.sort(key=lambda f: f.order)


def fillers(slot: str) -> list[Filler]:
    return list(_fillers.get(slot, ()))
