"""What the commons give back, in figures: sums of confirmed entries of the contribution log.

Every figure counts confirmed entries only; a correction (an entry that reverses another)
carries the opposite amounts, so the sums net it out, and neither the corrected entry nor its
correction counts as an entry or a person. The equivalent value of the hours is an estimate
at `settings.CONTRIBUTIONS_HOURLY_RATE` euros per hour.

Each function runs a fixed number of queries, however many entries there are.
"""

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear

from contributions.models import Contribution, EntryState, Kind

ZERO = Decimal(0)
TENTH = Decimal("0.1")
CENT = Decimal("0.01")
DEC = DecimalField(max_digits=14, decimal_places=2)


def hourly_rate() -> Decimal:
    return Decimal(str(getattr(settings, "CONTRIBUTIONS_HOURLY_RATE", "15")))


def confirmed() -> QuerySet:
    return Contribution.objects.filter(state=EntryState.CONFIRMED)


def confirmed_hours(accord, start: dt.date, end: dt.date) -> Decimal:
    """The confirmed volunteer hours of an accord between two dates (both included)."""
    total = (
        confirmed()
        .filter(accord=accord, kind=Kind.HOURS, on__gte=start, on__lte=end)
        .aggregate(h=Coalesce(Sum("hours"), Value(ZERO), output_field=DEC))["h"]
    )
    return Decimal(total).quantize(TENTH)


# Entries that count as entries (and their people): not a correction, not corrected.
COUNTED = Q(reverses__isnull=True, reversed_by__isnull=True)


def _aggregates() -> dict:
    return {
        "hours": Coalesce(Sum("hours", filter=Q(kind=Kind.HOURS)), Value(ZERO), output_field=DEC),
        "people": Count("person", filter=COUNTED & Q(kind=Kind.HOURS), distinct=True),
        "entries": Count("pk", filter=COUNTED),
        "goods_entries": Count("pk", filter=COUNTED & Q(kind=Kind.GOODS)),
        "goods_value": Coalesce(
            Sum("value", filter=Q(kind=Kind.GOODS)), Value(ZERO), output_field=DEC
        ),
        "support_entries": Count("pk", filter=COUNTED & Q(kind=Kind.SUPPORT)),
        "support_value": Coalesce(
            Sum("value", filter=Q(kind=Kind.SUPPORT)), Value(ZERO), output_field=DEC
        ),
    }


@dataclass
class Totals:
    hours: Decimal = ZERO
    people: int = 0
    entries: int = 0
    goods_entries: int = 0
    goods_value: Decimal = ZERO
    support_entries: int = 0
    support_value: Decimal = ZERO
    rate: Decimal = ZERO
    label: str = ""

    @property
    def equivalent_value(self) -> Decimal:
        """An estimate: the hours at the configured hourly rate."""
        return (Decimal(self.hours) * self.rate).quantize(Decimal("0.01"))

    def as_dict(self) -> dict:
        data = asdict(self)
        data["equivalent_value"] = self.equivalent_value
        return data

    @property
    def is_empty(self) -> bool:
        return not (self.entries or self.hours)


def _totals(row: dict, label: str = "") -> Totals:
    rate = hourly_rate()
    return Totals(
        hours=Decimal(row.get("hours") or ZERO).quantize(TENTH),
        people=row.get("people") or 0,
        entries=row.get("entries") or 0,
        goods_entries=row.get("goods_entries") or 0,
        goods_value=Decimal(row.get("goods_value") or ZERO).quantize(CENT),
        support_entries=row.get("support_entries") or 0,
        support_value=Decimal(row.get("support_value") or ZERO).quantize(CENT),
        rate=rate,
        label=label,
    )


def totals(qs: QuerySet | None = None) -> Totals:
    """One query: the totals of the confirmed entries of `qs` (default: all)."""
    qs = confirmed() if qs is None else qs.filter(state=EntryState.CONFIRMED)
    return _totals(qs.aggregate(**_aggregates()))


GROUPINGS = {
    "year": ExtractYear("on"),
    "month": ExtractMonth("on"),
    "district": F("accord__district"),
    "resource": F("accord__kind"),
    "accord": F("accord__reference"),
}


def breakdown(qs: QuerySet | None, by: str) -> list[Totals]:
    """One query: the totals per year, district, kind of resource or accord."""
    qs = confirmed() if qs is None else qs.filter(state=EntryState.CONFIRMED)
    key = GROUPINGS[by]
    rows = qs.annotate(group=key).values("group").order_by("group").annotate(**_aggregates())
    return [_totals(row, label=str(row["group"] or "")) for row in rows]


def filtered(*, year: int | None = None, district: str = "", resource: str = "") -> QuerySet:
    """The confirmed entries of public accords, filtered as the "Commons in numbers" page is."""
    from contributions.rules import PUBLIC

    qs = confirmed().filter(accord__state__in=sorted(PUBLIC))
    if year:
        qs = qs.filter(on__year=year)
    if district:
        qs = qs.filter(accord__district=district)
    if resource:
        qs = qs.filter(accord__kind=resource)
    return qs


def for_accord(accord) -> dict:
    """The accord page's figures: totals and the totals per year."""
    qs = confirmed().filter(accord=accord)
    return {"totals": totals(qs), "by_year": breakdown(qs, "year")}


def for_group(civic_group) -> Totals:
    """What a civic group's accords received from the commons: hours, people, entries (and the
    rest of `Totals`), over the accords where the group is a civic party. For the Chamber of
    the Commons' directory."""
    from accords.models import AccordParty, Side

    accords = AccordParty.objects.filter(group=civic_group, side=Side.CIVIC).values("accord_id")
    return totals(confirmed().filter(accord__in=accords))


def for_groups(groups) -> dict[int, Totals]:
    """`for_group` for many groups in one query: {group id: Totals} (every group given is a
    key; a group without entries gets empty totals). `groups` are groups, ids or a queryset of
    ids. For the Chamber of the Commons, whose page lists many groups."""
    from accords.models import Side

    ids = groups if isinstance(groups, QuerySet) else [getattr(g, "pk", g) for g in groups]
    rows = (
        confirmed()
        .filter(accord__parties__group_id__in=ids, accord__parties__side=Side.CIVIC)
        .annotate(group=F("accord__parties__group_id"))
        .values("group")
        .order_by("group")
        .annotate(**_aggregates())
    )
    found = {row["group"]: _totals(row) for row in rows}
    if not isinstance(groups, QuerySet):
        for group_id in ids:
            found.setdefault(group_id, _totals({}))
    return found


def chart_data(rows: list[Totals]) -> dict:
    """What the charts draw (passed to the page with `json_script`, read by charts.js)."""
    return {
        "labels": [r.label for r in rows],
        "hours": [float(r.hours) for r in rows],
        "people": [r.people for r in rows],
        "goods_value": [float(r.goods_value) for r in rows],
        "support_value": [float(r.support_value) for r in rows],
    }
