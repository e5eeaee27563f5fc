"""GET /api/accords/{id}/contributions: an accord's contribution figures and its confirmed
entries (the contributor named only when they opted in)."""

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from ninja import Router, Schema

from accords.models import Accord
from accords.rules import ACCORDS
from accords.rules import Action as AccordAction
from contributions import exports, figures
from core.api import Id

router = Router(tags=["contributions"])


class TotalsOut(Schema):
    label: str = ""
    hours: float
    people: int
    entries: int
    goods_entries: int
    goods_value: float
    support_entries: int
    support_value: float
    equivalent_value_estimate: float
    hourly_rate: float


class EntryOut(Schema):
    date: dt.date
    kind: str
    description: str
    hours: float | None
    quantity: float | None
    unit: str
    value: float | None
    corrects_entry: int | None
    contributor: str | None
    id: int


class ContributionsOut(Schema):
    accord_id: int
    reference: str
    totals: TotalsOut
    by_year: list[TotalsOut]
    entries: list[EntryOut]
    valueflows_url: str


def _totals(t: figures.Totals) -> dict:
    return {
        "label": t.label,
        "hours": float(t.hours),
        "people": t.people,
        "entries": t.entries,
        "goods_entries": t.goods_entries,
        "goods_value": float(t.goods_value),
        "support_entries": t.support_entries,
        "support_value": float(t.support_value),
        "equivalent_value_estimate": float(t.equivalent_value),
        "hourly_rate": float(t.rate),
    }


def _float(value):
    return None if value is None else float(value)


MAX_ENTRIES = 1000


@router.get("/{id}/contributions", response=ContributionsOut)
def accord_contributions(request, id: Id):
    """The accord's figures and its latest confirmed entries (at most 1,000; the Valueflows
    export has them all)."""
    accord = Accord.objects.filter(pk=id).select_related("department").first()
    if accord is None or not ACCORDS.allows(AnonymousUser(), AccordAction.VIEW, accord):
        raise Http404
    data = figures.for_accord(accord)
    entries = (
        figures.confirmed()
        .filter(accord=accord)
        .select_related("person")
        .order_by("-on", "-pk")[:MAX_ENTRIES]
    )
    return {
        "accord_id": accord.pk,
        "reference": accord.reference or "",
        "totals": _totals(data["totals"]),
        "by_year": [_totals(t) for t in data["by_year"]],
        "entries": [
            {
                "id": e.pk,
                "date": e.on,
                "kind": e.kind,
                "description": e.description,
                "hours": _float(e.hours),
                "quantity": _float(e.quantity),
                "unit": e.unit,
                "value": _float(e.value),
                "corrects_entry": e.reverses_id,
                "contributor": exports.public_name(e) or None,
            }
            for e in entries
        ],
        "valueflows_url": f"/contributions/accords/{accord.pk}/valueflows.jsonld",
    }
