"""Public registry: list, detail, versions (text, canonical JSON, PDF), comparison, exports."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from accords import diff, exports, selectors
from accords import fingerprint as fp
from accords.forms import RegistryFilterForm
from accords.models import Accord, AccordVersion, ReportPhoto
from accords.pdf import version_pdf_file, version_sections
from accords.rules import ACCORDS, Action, public_accords
from accords.views._helpers import accord_or_404
from audit.models import AuditEntry
from core.policy import allows

PAGE_SIZE = 20

# Audit actions shown on the public timeline (who did it is not shown).
TIMELINE = {
    "accord.start": "started",
    "accord.version.agree": "agreed",
    "accord.sign": "signed",
    "accord.activate": "activated",
    "accord.amendment.in_force": "amended",
    "accord.suspend": "suspended",
    "accord.resume": "resumed",
    "accord.terminate": "terminated",
    "accord.expire": "expired",
    "accord.archive": "archived",
    "accord.report.acknowledge": "report",
    "accord.dispute.open": "dispute_opened",
    "accord.dispute.close": "dispute_closed",
}


def kind_labels() -> dict[str, str]:
    from proposals.models import UrbanResource

    return {k.value: str(k.label) for k in UrbanResource.Kind}


@require_GET
def accord_list(request):
    facets = selectors.registry_facets()
    labels = kind_labels()
    form = RegistryFilterForm(request.GET or None, facets=facets, kind_labels=labels)
    filters = {}
    if form.is_bound:
        form.is_valid()  # a wrong value drops that filter only; the others still apply
        filters = form.cleaned_data
    qs = selectors.accord_list(filters=filters, base=ACCORDS.queryset(request.user, Action.VIEW))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for accord in page:
        accord.kind_label = labels.get(accord.kind, accord.kind)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accords/accord_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "map_points": selectors.accord_map_points(qs),
            "filtered": bool(filters and any(filters.values())),
        },
    )


def _timeline(accord):
    entries = AuditEntry.objects.for_object(accord).filter(action__in=list(TIMELINE))
    return [
        {"at": e.at, "what": TIMELINE[e.action], "after": e.after or {}, "reason": e.reason}
        for e in entries.order_by("at", "id")
    ]


@require_GET
def accord_detail(request, pk: int):
    try:
        accord = selectors.accord_get(pk)
    except Accord.DoesNotExist:
        raise Http404 from None
    if not (
        allows(request.user, Action.VIEW, accord)
        or allows(request.user, Action.VIEW_WORKSPACE, accord)
    ):
        raise Http404
    version = accord.current_version
    return render(
        request,
        "accords/accord_detail.html",
        {
            "accord": accord,
            "version": version,
            "sections": version_sections(version) if version else [],
            "support": list(version.support_items.all()) if version else [],
            "signatures": list(version.signatures.all()) if version else [],
            "reports": selectors.public_reports(accord),
            "signed_versions": selectors.signed_versions(accord),
            "timeline": _timeline(accord),
            "kind_label": kind_labels().get(accord.kind, accord.kind),
            "actions": ACCORDS.actions(request.user, accord),
            "dispute": selectors.open_dispute(accord),
        },
    )


def _version(request, pk: int, number: int) -> AccordVersion:
    accord = accord_or_404(pk)
    try:
        version = selectors.version_get(accord, number)
    except AccordVersion.DoesNotExist:
        raise Http404 from None
    if not allows(request.user, Action.VIEW, version):
        if request.user.is_authenticated:
            raise PermissionDenied
        raise Http404
    return version


@require_GET
def version_detail(request, pk: int, number: int):
    version = _version(request, pk, number)
    return render(
        request,
        "accords/version_detail.html",
        {
            "accord": version.accord,
            "version": version,
            "sections": version_sections(version),
            "parties": [diff.party_line(p) for p in version.parties],
            "support": list(version.support_items.all()),
            "signatures": list(version.signatures.all()),
            "in_workspace": bool(allows(request.user, Action.VIEW_WORKSPACE, version.accord)),
        },
    )


@require_GET
def version_canonical(request, pk: int, number: int):
    """Exactly the bytes the fingerprint is computed on (see accords.fingerprint)."""
    version = _version(request, pk, number)
    response = HttpResponse(fp.canonical_bytes(version), content_type="application/json")
    response["Content-Disposition"] = (
        f'inline; filename="{version.accord.reference}-v{version.number}.json"'
    )
    return response


@require_GET
def version_pdf_view(request, pk: int, number: int):
    version = _version(request, pk, number)
    if not version.is_signed:
        raise Http404
    path = version_pdf_file(version, language=translation.get_language())
    if path is None:
        response = render(
            request, "accords/version_pdf_pending.html", {"version": version}, status=202
        )
        response["Retry-After"] = "3"
        return response
    response = HttpResponse(path.read_bytes(), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{version.accord.reference}-v{version.number}.pdf"'
    )
    return response


@require_GET
def version_compare(request, pk: int):
    accord = accord_or_404(pk)
    versions = list(accord.versions.order_by("number"))
    if not versions:
        raise Http404
    visible = [v for v in versions if allows(request.user, Action.VIEW, v)]
    if len(visible) < 2:
        if not request.user.is_authenticated:
            raise Http404
        raise PermissionDenied
    numbers = {v.number: v for v in visible}

    def pick(name, default):
        try:
            return numbers.get(int(request.GET.get(name, default)), numbers[default])
        except (TypeError, ValueError):
            return numbers[default]

    numbers_sorted = sorted(numbers)
    old = pick("a", numbers_sorted[-2])
    new = pick("b", numbers_sorted[-1])
    sections = diff.compare(old, new)
    return render(
        request,
        "accords/version_compare.html",
        {
            "accord": accord,
            "old": old,
            "new": new,
            "versions": visible,
            "changed": [s for s in sections if s.changed],
            "unchanged": [s for s in sections if not s.changed],
            "in_workspace": bool(allows(request.user, Action.VIEW_WORKSPACE, accord)),
        },
    )


def _export_qs():
    """Open data: the public registry, whoever downloads it."""
    return selectors.with_counts(
        public_accords().select_related("department", "current_version")
    ).order_by("id")


@require_GET
def export_csv(request):
    response = StreamingHttpResponse(
        exports.csv_stream(_export_qs(), request.build_absolute_uri("/")[:-1]),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="accords-{stamp}.csv"'
    return response


@require_GET
def export_json(request):
    response = StreamingHttpResponse(
        exports.json_stream(_export_qs(), request.build_absolute_uri("/")[:-1]),
        content_type="application/json",
    )
    response["Content-Disposition"] = 'inline; filename="accords.json"'
    return response


@require_GET
def report_photo(request, pk: int, photo_pk: int):
    # Through the accord's pk, not the column report__accord_id: an id past the database's
    # integers then finds nothing (404) instead of overflowing the driver (500).
    photo = get_object_or_404(
        ReportPhoto.objects.select_related("report__accord"), pk=photo_pk, report__accord__pk=pk
    )
    if not allows(request.user, Action.VIEW, photo.report):
        raise Http404
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    extension = photo.file.name.rsplit(".", 1)[-1]
    response = FileResponse(handle, content_type=photo.content_type)
    response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, max-age=3600"
    return response
