"""What the contributions app shows in the assemblies' pages (assemblies.slots).

"chamber.group": each adhering group's card in the Chamber of the Commons gets the figures of
what the group's accords received from the commons. The figures of every group adhering to
the chamber are read in one query, the first time a card asks, and kept on the request: the
page's query count does not grow with the number of groups.
"""

from contributions import figures


def chamber_group(request, row) -> dict:
    """`row` is an `assemblies.Adherence` (with `.group`)."""
    from assemblies.models import Adherence

    cache = getattr(request, "_chamber_group_figures", {})
    if row.assembly_id not in cache:
        cache[row.assembly_id] = figures.for_groups(
            Adherence.objects.filter(assembly_id=row.assembly_id).values("group_id")
        )
        if request is not None:
            request._chamber_group_figures = cache
    totals = cache[row.assembly_id].get(row.group_id)
    return {"totals": totals or figures.Totals(rate=figures.hourly_rate())}
