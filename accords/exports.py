"""Open data: every public accord as CSV or JSON, streamed row by row.

The column names are a published interface (documented in the README); add new columns at
the end, never rename or remove one.
"""

import json
from collections.abc import Iterator

from django.db.models import QuerySet
from django.urls import reverse

from accords.models import Accord
from core import csv as safe_csv

EXPORT_COLUMNS = [
    "id",
    "reference",
    "title",
    "state",
    "kind",
    "place",
    "address",
    "district",
    "latitude",
    "longitude",
    "department",
    "civic_parties",
    "claim_reference",
    "start_date",
    "end_date",
    "signed_at",
    "version",
    "fingerprint",
    "support_items",
    "reports",
    "url",
    "pdf_url",
]


def export_row(accord: Accord, base_url: str) -> dict:
    version = accord.current_version
    return {
        "id": accord.pk,
        "reference": accord.reference,
        "title": accord.title,
        "state": accord.state,
        "kind": accord.kind,
        "place": accord.place_name,
        "address": accord.address,
        "district": accord.district,
        "latitude": float(accord.latitude) if accord.latitude is not None else None,
        "longitude": float(accord.longitude) if accord.longitude is not None else None,
        "department": accord.department.name,
        "civic_parties": accord.civic_label,
        "claim_reference": accord.claim.reference if accord.claim_id else "",
        "start_date": accord.start_date.isoformat() if accord.start_date else None,
        "end_date": accord.end_date.isoformat() if accord.end_date else None,
        "signed_at": accord.signed_at.isoformat() if accord.signed_at else None,
        "version": version.number if version else None,
        "fingerprint": version.fingerprint if version else "",
        "support_items": getattr(accord, "support_count", 0),
        "reports": getattr(accord, "report_count", 0),
        "url": base_url + accord.get_absolute_url(),
        "pdf_url": base_url + reverse("accords:version-pdf", args=[accord.pk, version.number])
        if version
        else "",
    }


def rows(qs: QuerySet, base_url: str) -> Iterator[dict]:
    for accord in qs.select_related("claim").iterator(chunk_size=500):
        yield export_row(accord, base_url)


def csv_stream(qs: QuerySet, base_url: str) -> Iterator[str]:
    """The registry as CSV, formula-like cells defused by the project's one CSV writer."""
    return safe_csv.stream(EXPORT_COLUMNS, rows(qs, base_url))


def json_stream(qs: QuerySet, base_url: str) -> Iterator[str]:
    yield "["
    first = True
    for row in rows(qs, base_url):
        yield ("" if first else ",") + "\n" + json.dumps(row, ensure_ascii=False)
        first = False
    yield "\n]\n"
