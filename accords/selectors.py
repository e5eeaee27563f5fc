"""Reads for lists and pages. Each list is a constant number of queries, whatever its length."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import reverse

from accords.models import (
    Accord,
    AccordParty,
    AccordVersion,
    ActivityReport,
    Dispute,
    ReportState,
    Side,
    Signature,
    SupportItem,
    VersionComment,
)
from accords.rules import ACCORDS, REPORTS, VERSIONS, Action, public_accords

ANYONE = AnonymousUser()


def _count(model, **filters) -> Subquery:
    """A correlated COUNT(*) as a subquery, so the count costs no extra query per row."""
    inner = (
        model.objects.filter(**filters)
        .order_by()
        .annotate(_one=Value(1))
        .values("_one")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(inner, output_field=IntegerField()), 0)


def with_counts(qs: QuerySet) -> QuerySet:
    return qs.annotate(
        support_count=_count(SupportItem, version=OuterRef("current_version")),
        report_count=_count(ActivityReport, accord=OuterRef("pk"), state=ReportState.ACKNOWLEDGED),
        year=Coalesce(ExtractYear("start_date"), ExtractYear("created_at")),
    )


def accord_list(*, filters: dict | None = None, base: QuerySet | None = None) -> QuerySet:
    """The public registry, newest first (filters: state, district, kind, year, q).

    `base`: the accords the asking user may see (`ACCORDS.queryset(user, Action.VIEW)`)."""
    qs = base if base is not None else public_accords()
    qs = with_counts(qs.select_related("department", "current_version"))
    filters = filters or {}
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("district"):
        qs = qs.filter(district=filters["district"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("year"):
        year = int(filters["year"])
        qs = qs.filter(Q(start_date__year=year) | Q(start_date__isnull=True, created_at__year=year))
    if filters.get("q"):
        words = str(filters["q"]).split()[:8]
        for word in words:
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(reference__icontains=word)
                | Q(place_name__icontains=word)
                | Q(address__icontains=word)
                | Q(civic_label__icontains=word)
                | Q(district__icontains=word)
            )
    return qs.order_by("-created_at", "-id")


def accord_map_points(qs: QuerySet, limit: int = 500) -> list[dict]:
    """Markers for the registry map, in the shape `proposals/map.js` draws."""
    rows = qs.filter(latitude__isnull=False).values(
        "pk", "reference", "title", "state", "place_name", "latitude", "longitude"
    )[:limit]
    return [
        {
            "name": f"{r['reference']} · {r['title']}",
            "address": r["place_name"],
            "status": str(Accord.State(r["state"]).label),
            "lat": float(r["latitude"]),
            "lon": float(r["longitude"]),
            "url": reverse("accords:accord-detail", args=[r["pk"]]),
        }
        for r in rows
    ]


def registry_facets() -> dict:
    """Choices for the registry filters, from the accords that exist."""
    public = public_accords()
    districts = sorted(set(public.values_list("district", flat=True)) - {""})
    kinds = sorted(set(public.values_list("kind", flat=True)) - {""})
    years = (
        public.annotate(y=Coalesce(ExtractYear("start_date"), ExtractYear("created_at")))
        .values_list("y", flat=True)
        .distinct()
    )
    return {"districts": districts, "kinds": kinds, "years": sorted(set(years), reverse=True)}


def _parties_prefetch() -> Prefetch:
    return Prefetch(
        "parties",
        queryset=AccordParty.objects.select_related("department", "group", "user"),
    )


def accord_get(pk: int) -> Accord:
    """One accord with what its public page shows."""
    return (
        Accord.objects.select_related("department", "current_version", "claim", "resource")
        .prefetch_related(
            _parties_prefetch(),
            Prefetch(
                "current_version__support_items",
                queryset=SupportItem.objects.order_by("position", "id"),
            ),
            Prefetch(
                "current_version__signatures",
                queryset=Signature.objects.select_related(
                    "party__department", "party__group", "party__user"
                ),
            ),
        )
        .get(pk=pk)
    )


def signed_versions(accord: Accord) -> QuerySet:
    """The accord's versions anyone may read (signed ones, on a public accord)."""
    return VERSIONS.queryset(ANYONE, Action.VIEW, base=accord.versions.all()).order_by("-number")


def public_reports(accord: Accord) -> QuerySet:
    """The accord's reports anyone may read (acknowledged ones, on a public accord)."""
    return REPORTS.queryset(ANYONE, Action.VIEW, base=accord.reports.all()).prefetch_related(
        "photos"
    )


def workspace_versions(accord: Accord) -> QuerySet:
    return (
        accord.versions.select_related("created_by")
        .prefetch_related(
            "approvals",
            Prefetch("comments", queryset=VersionComment.objects.select_related("author")),
            Prefetch("signatures", queryset=Signature.objects.select_related("party")),
        )
        .order_by("-number")
    )


def version_get(accord: Accord, number: int) -> AccordVersion:
    return (
        accord.versions.select_related("accord")
        .prefetch_related(
            Prefetch("support_items", queryset=SupportItem.objects.order_by("position", "id")),
            Prefetch("signatures", queryset=Signature.objects.select_related("party")),
        )
        .get(number=number)
    )


def workspace_list(user) -> QuerySet:
    """The user's own accords (as a party or an officer of the department)."""
    mine = ACCORDS.queryset(user, Action.PARTICIPATE)
    return with_counts(mine.select_related("department", "current_version")).order_by(
        "-updated_at", "-id"
    )


def awaiting_city_signature(user) -> QuerySet:
    """Accords whose agreed version waits for the city's signature, that `user` may sign."""
    unsigned = AccordVersion.objects.filter(
        accord=OuterRef("pk"), status=AccordVersion.Status.AGREED
    ).exclude(signatures__party__side=Side.CITY)
    return ACCORDS.queryset(user, Action.SIGN_CITY).filter(Exists(unsigned)).order_by("pk")


def open_dispute(accord: Accord) -> Dispute | None:
    return accord.disputes.exclude(state="closed").first()
