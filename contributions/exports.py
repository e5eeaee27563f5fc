"""Open data about contributions: aggregated figures (CSV, JSON) and the log's confirmed entries
as Valueflows JSON-LD (https://w3id.org/valueflows/; the context is vendored in
`contributions/valueflows/context.jsonld`).

Nobody is named unless they opted in on the entry (`show_name_publicly`): the aggregated files
never name anyone; the Valueflows events name the provider only for opted-in entries.
"""

import json
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet

from contributions import figures
from contributions.models import Contribution, Kind

CONTEXT_PATH = Path(__file__).parent / "valueflows" / "context.jsonld"
CONTEXT_URL = "https://w3id.org/valueflows/"

AGGREGATE_COLUMNS = [
    "accord_id",
    "accord_reference",
    "accord_title",
    "district",
    "resource_kind",
    "year",
    "hours",
    "people",
    "entries",
    "goods_entries",
    "goods_value_eur",
    "support_entries",
    "support_value_eur",
    "equivalent_value_eur_estimate",
    "hourly_rate_eur",
]


def context() -> dict:
    return json.loads(CONTEXT_PATH.read_text())["@context"]


def aggregate_rows(qs: QuerySet | None = None) -> list[dict]:
    """Per accord and year: the totals of its confirmed entries (one query)."""
    qs = figures.filtered() if qs is None else qs
    rows = (
        qs.values(
            "accord_id",
            "accord__reference",
            "accord__title",
            "accord__district",
            "accord__kind",
        )
        .annotate(year=figures.GROUPINGS["year"])
        .order_by("accord__reference", "year")
        .annotate(**figures._aggregates())
    )
    out = []
    for row in rows:
        t = figures._totals(row)
        out.append(
            {
                "accord_id": row["accord_id"],
                "accord_reference": row["accord__reference"] or "",
                "accord_title": row["accord__title"],
                "district": row["accord__district"],
                "resource_kind": row["accord__kind"],
                "year": row["year"],
                "hours": t.hours,
                "people": t.people,
                "entries": t.entries,
                "goods_entries": t.goods_entries,
                "goods_value_eur": t.goods_value,
                "support_entries": t.support_entries,
                "support_value_eur": t.support_value,
                "equivalent_value_eur_estimate": t.equivalent_value,
                "hourly_rate_eur": t.rate,
            }
        )
    return out


def public_name(entry: Contribution) -> str:
    """The contributor's name if they opted in on this entry, else "" (never an address)."""
    if not entry.show_name_publicly or entry.person is None:
        return ""
    return entry.person.display_name or ""


def _measure(value, unit: str) -> dict:
    return {"type": "Measure", "hasNumericalValue": str(value), "hasUnit": unit}


def _site() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")


def agreement(accord) -> dict:
    return {
        "id": f"{_site()}{accord.get_absolute_url()}",
        "type": "Agreement",
        "name": accord.title,
        "note": accord.reference or "",
    }


ACTIONS = {
    Kind.HOURS: "work",
    Kind.GOODS: "transfer",
    Kind.SUPPORT: "deliverService",
}


def event(entry: Contribution) -> dict:
    accord_url = f"{_site()}{entry.accord.get_absolute_url()}"
    data = {
        "id": f"{accord_url}#contribution-{entry.pk}",
        "type": "EconomicEvent",
        "action": ACTIONS[entry.kind],
        "hasPointInTime": f"{entry.on.isoformat()}T00:00:00",
        "note": entry.description,
        "inScopeOf": accord_url,
    }
    if entry.kind == Kind.HOURS:
        data["effortQuantity"] = _measure(entry.hours, "hour")
    elif entry.quantity is not None:
        data["resourceQuantity"] = _measure(entry.quantity, "one")
        if entry.value is not None:
            data["note"] = f"{entry.description} ({entry.unit}; {entry.value} EUR)"
    elif entry.value is not None:
        data["resourceQuantity"] = _measure(entry.value, "euro")
    if entry.reverses_id:
        data["corrects"] = f"{accord_url}#contribution-{entry.reverses_id}"
    if entry.kind == Kind.SUPPORT:
        data["provider"] = {"type": "Organization", "foafName": str(entry.accord.department)}
    else:
        name = public_name(entry)
        if name:
            data["provider"] = {"type": "Person", "foafName": name}
    return data


def valueflows(accords: list, entries: QuerySet) -> dict:
    """A JSON-LD document: the accords as vf:Agreement, their confirmed entries as events."""
    return {
        "@context": context(),
        "@graph": [
            *(agreement(a) for a in accords),
            *(
                event(e)
                for e in entries.select_related("accord__department", "person").order_by(
                    "accord_id", "on", "pk"
                )
            ),
        ],
    }
