"""Read-only API of the public registry: GET /api/accords and GET /api/accords/{id}.

The list has the same fields as the CSV/JSON export (see accords.exports.EXPORT_COLUMNS).
"""

import datetime as dt

from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from accords import exports, selectors
from accords.models import Accord
from accords.pdf import version_sections
from accords.rules import ACCORDS, Action
from core.api import BoundedLimitOffset, Id, QueryText
from core.policy import allows

router = Router(tags=["accords"])


class AccordOut(Schema):
    id: int
    reference: str
    title: str
    state: str
    kind: str
    place: str
    address: str
    district: str
    latitude: float | None
    longitude: float | None
    department: str
    civic_parties: str
    claim_reference: str
    start_date: dt.date | None
    end_date: dt.date | None
    signed_at: dt.datetime | None
    version: int | None
    fingerprint: str
    support_items: int
    reports: int
    url: str
    pdf_url: str


class PartyOut(Schema):
    side: str
    kind: str
    name: str
    registration_number: str = ""
    representatives: list[str] = []


class SupportOut(Schema):
    kind: str
    description: str
    quantity: str | None
    unit: str
    value: str | None
    status: str
    delivered_on: dt.date | None
    returned_on: dt.date | None


class SignatureOut(Schema):
    party: str
    side: str
    signer: str
    signed_at: dt.datetime
    fingerprint: str


class SectionOut(Schema):
    title: str
    text: str


class ReportOut(Schema):
    period_start: dt.date
    period_end: dt.date
    activities: str
    volunteer_hours: float
    participants: int
    resources_used: str
    acknowledged_at: dt.datetime | None


class AccordDetailOut(AccordOut):
    parties: list[PartyOut]
    sections: list[SectionOut]
    support: list[SupportOut]
    signatures: list[SignatureOut]
    activity_reports: list[ReportOut]
    canonical_url: str
    suspension_reason: str
    termination_reason: str


class Filters(Schema):
    state: QueryText | None = None
    district: QueryText | None = None
    kind: QueryText | None = None
    # No accord predates 1900; year 1 overflows the time-zone shift of a year lookup (500).
    year: int | None = Field(None, ge=1900, le=9999)
    q: QueryText | None = None


def _base(request) -> str:
    return request.build_absolute_uri("/")[:-1]


@router.get("", response=list[AccordOut], url_name="accord-list")
@paginate(BoundedLimitOffset)
def accord_list(request, filters: Query[Filters]):
    qs = selectors.accord_list(
        filters=filters.dict(exclude_none=True), base=ACCORDS.queryset(request.user, Action.VIEW)
    ).select_related("claim")
    base = _base(request)
    # Pagination slices the queryset; the rows are built from the slice in one query.
    return _Rows(qs, base)


class _Rows:
    """A lazily-sliced list of export rows (keeps pagination to a COUNT and one SELECT)."""

    def __init__(self, qs, base):
        self.qs, self.base = qs, base

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [exports.export_row(a, self.base) for a in self.qs[item]]


def _decimal(value):
    return None if value is None else f"{value:.2f}"


@router.get("/{int:accord_id}", response=AccordDetailOut, url_name="accord-detail")
def accord_detail(request, accord_id: Id):
    try:
        accord = selectors.accord_get(accord_id)
    except Accord.DoesNotExist:
        raise Http404 from None
    if not allows(request.user, Action.VIEW, accord):
        raise Http404
    version = accord.current_version
    support = list(version.support_items.all()) if version else []
    reports = list(selectors.public_reports(accord))
    accord.support_count, accord.report_count = len(support), len(reports)
    base = _base(request)
    row = exports.export_row(accord, base)
    return {
        **row,
        "parties": version.parties
        if version
        else [{"side": p.side, "kind": p.kind, "name": p.name} for p in accord.parties.all()],
        "sections": [{"title": title, "text": text} for title, text in version_sections(version)]
        if version
        else [],
        "support": [
            {
                "kind": i.kind,
                "description": i.description,
                "quantity": _decimal(i.quantity),
                "unit": i.unit,
                "value": _decimal(i.value),
                "status": i.status,
                "delivered_on": i.delivered_on,
                "returned_on": i.returned_on,
            }
            for i in support
        ],
        "signatures": [
            {
                "party": s.party.name,
                "side": s.party.side,
                "signer": s.signer_name,
                "signed_at": s.signed_at,
                "fingerprint": s.fingerprint,
            }
            for s in version.signatures.all()
        ]
        if version
        else [],
        "activity_reports": [
            {
                "period_start": r.period_start,
                "period_end": r.period_end,
                "activities": r.activities,
                "volunteer_hours": float(r.volunteer_hours),
                "participants": r.participants,
                "resources_used": r.resources_used,
                "acknowledged_at": r.acknowledged_at,
            }
            for r in reports
        ],
        "canonical_url": base + f"/accords/{accord.pk}/versions/{version.number}/canonical.json"
        if version
        else "",
        "suspension_reason": accord.suspension_reason,
        "termination_reason": accord.termination_reason,
    }
