"""Factories for the claims app: resources, claims driven to any state through the services."""

import datetime as dt
import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from proposals import services
from proposals.models import Claim, UrbanResource
from tests.citizens.factories import officer_create, resident_create

_seq = itertools.count(1)
S = Claim.State


def resource_create(*, district="Centro", **fields) -> UrbanResource:
    n = next(_seq)
    defaults = {
        "name": f"Resource {n}",
        "kind": UrbanResource.Kind.GREEN_AREA,
        "address": f"Via Test {n}, Bologna",
        "district": district,
        "latitude": "44.490000",
        "longitude": "11.350000",
    }
    defaults.update(fields)
    return UrbanResource.objects.create(**defaults)


def claim_data(**overrides) -> dict:
    n = next(_seq)
    data = {
        "title": f"Caring for the garden {n}",
        "summary": "We water the plants and open the garden on Sundays.",
        "motivation": "The garden is neglected.",
        "objectives": "A clean, open, lively garden.",
        "activities": "Watering, weeding, reading corner.",
        "schedule": "Every Sunday from April to October.",
        "intensity": Claim.Intensity.CONTINUOUS_CARE,
        "field": Claim.Field.PUBLIC_SPACE,
        "resources_offered": "Ten volunteers and their tools.",
        "support_requested": "Water and a shed for tools.",
        "requested_duration_months": 24,
        "track": Claim.Track.ORDINARY,
    }
    data.update(overrides)
    if "resource" not in data and "location_address" not in data:
        data["resource"] = resource_create()
    return data


def png_bytes(size=(8, 8), color=(30, 120, 60)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def png_upload(name="photo.png", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(**kwargs), content_type="image/png")


def pdf_upload(name="plan.pdf") -> SimpleUploadedFile:
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def close_consultation_now(claim: Claim) -> Claim:
    """Pretend the consultation's time is up, then let the deadline runner close it."""
    Claim.objects.filter(pk=claim.pk).update(
        consultation_ends_at=timezone.now() - dt.timedelta(minutes=1)
    )
    return services.claim_consultation_close(claim=claim)


def claim_in_state(
    state: str,
    *,
    author=None,
    officer=None,
    track=Claim.Track.ORDINARY,
    uploads=(),
    group=None,
    **data,
) -> Claim:
    """A claim brought to `state` the way real users would: through the services."""
    author = author or resident_create()
    claim = services.claim_create(
        author=author, data=claim_data(track=track, **data), group=group, uploads=uploads
    )
    if state == S.DRAFT:
        return claim
    claim = services.claim_submit(actor=author, claim=claim)
    if state == S.WITHDRAWN:
        return services.claim_withdraw(actor=author, claim=claim, reason="We changed our mind.")
    if state == S.SUBMITTED:
        return claim
    officer = officer or officer_create()
    claim = services.claim_screening_start(actor=officer, claim=claim)
    if state == S.SCREENING:
        return claim
    if state == S.AWAITING_DOCUMENTS:
        return services.claim_request_documents(
            actor=officer, claim=claim, reason="Send the insurance."
        )
    claim = services.claim_screen(actor=officer, claim=claim, outcome="admissible")
    if state == S.CONSULTATION:
        return claim
    claim = close_consultation_now(claim)
    if state == S.TECHNICAL_REVIEW:
        return claim
    if state == S.REJECTED:
        return services.claim_decide(
            actor=officer, claim=claim, approve=False, reasons="Not compatible."
        )
    if track == Claim.Track.COMPLEX:
        claim = services.claim_refer_to_executive(actor=officer, claim=claim)
        if state == S.EXECUTIVE_DELIBERATION:
            return claim
    if state == S.APPROVED:
        return services.claim_decide(
            actor=officer, claim=claim, approve=True, reasons="A good plan for the garden."
        )
    raise ValueError(f"cannot build a claim in state {state!r} on track {track!r}")
