"""The officer workspace: the queue, a claim's file, the review inbox, the admin config."""

import datetime as dt

import pytest
from django.utils import timezone

from citizens.rules import Role
from proposals import services
from proposals.models import Claim, ProcedureConfig, ReviewRequest
from tests.citizens.factories import department_create, officer_create, resident_create, user_create
from tests.proposals.factories import claim_in_state, resource_create

pytestmark = pytest.mark.django_db
S = Claim.State


def test_only_officers_enter_the_office(client):
    assert client.get("/office/").status_code == 302
    client.force_login(resident_create())
    assert client.get("/office/").status_code == 403
    assert client.get("/office/reviews/").status_code == 403
    client.force_login(officer_create())
    assert client.get("/office/").status_code == 200


def test_the_queue_puts_overdue_claims_first_then_by_due_date(client):
    officer = officer_create()
    soon = claim_in_state(S.SUBMITTED, title="Due soon")
    later = claim_in_state(S.CONSULTATION, title="Due later")
    late = claim_in_state(S.SUBMITTED, title="Already late")
    Claim.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    Claim.objects.filter(pk=soon.pk).update(due_at=timezone.now() + dt.timedelta(days=1))
    claim_in_state(S.DRAFT, title="Draft")
    claim_in_state(S.APPROVED, title="Done")
    client.force_login(officer)
    html = client.get("/office/").content.decode()
    assert html.index("Already late") < html.index("Due soon") < html.index("Due later")
    assert "Draft" not in html and "Done" not in html
    html = client.get("/office/?overdue=on").content.decode()
    assert "Already late" in html and "Due soon" not in html
    html = client.get(f"/office/?state=consultation&district={later.district}").content.decode()
    assert "Due later" in html and "Already late" not in html


def test_the_queue_filters_by_department_asked_and_district(client):
    officer = officer_create()
    parks = department_create("Parks")
    asked = claim_in_state(S.CONSULTATION, officer=officer, title="Asked parks")
    claim_in_state(S.CONSULTATION, officer=officer, title="Nobody asked")
    services.review_request(actor=officer, claim=asked, department=parks)
    navile = claim_in_state(
        S.SUBMITTED, title="In Navile", resource=resource_create(district="Navile")
    )
    client.force_login(officer)
    html = client.get(f"/office/?department={parks.pk}").content.decode()
    assert "Asked parks" in html and "Nobody asked" not in html
    html = client.get("/office/?district=Navile").content.decode()
    assert navile.title in html and "Asked parks" not in html


def test_an_officer_screens_asks_a_department_and_decides_through_the_file(client):
    officer = officer_create()
    parks = department_create("Parks")
    parks_officer = officer_create(department=parks)
    claim = claim_in_state(S.SUBMITTED)
    client.force_login(officer)
    url = f"/office/claims/{claim.pk}/"
    assert "Start the admissibility check" in client.get(url).content.decode()
    assert client.post(url, {"action": "screening_start"}).status_code == 302
    # Inadmissible without reasons: the form says what is missing.
    response = client.post(
        url, {"action": "screen", "screen-outcome": "inadmissible", "screen-track": "ordinary"}
    )
    assert response.status_code == 400
    assert "Write the reasons" in response.content.decode()
    client.post(
        url, {"action": "screen", "screen-outcome": "admissible", "screen-track": "ordinary"}
    )
    claim.refresh_from_db()
    assert claim.state == S.CONSULTATION
    response = client.post(
        url,
        {
            "action": "review_request",
            "review-department": parks.pk,
            "review-due_date": "2000-01-01",
        },
    )
    assert response.status_code == 400 and "in the future" in response.content.decode()
    client.post(url, {"action": "review_request", "review-department": parks.pk})
    review = ReviewRequest.objects.get(claim=claim)
    # Deciding too early is refused with the reason, not a crash.
    response = client.post(
        url, {"action": "decide", "decide-decision": "approve", "decide-reasons": "Good"}
    )
    assert response.status_code == 400
    # The parks officer finds it in the inbox and answers.
    client.force_login(parks_officer)
    assert claim.title in client.get("/office/reviews/").content.decode()
    answer_url = f"/office/reviews/{review.pk}/"
    response = client.post(answer_url, {"opinion": "favourable"})
    assert response.status_code == 400
    checks = {f"check_{i.key}": "ok" for i in ProcedureConfig.get_solo().active_checklist()}
    response = client.post(answer_url, {"opinion": "favourable", **checks})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == "answered"
    # Another department cannot answer.
    client.force_login(officer_create())
    assert client.get(answer_url).status_code == 403
    # Back to the handler: after the consultation, approve with reasons.
    Claim.objects.filter(pk=claim.pk).update(
        consultation_ends_at=timezone.now() - dt.timedelta(minutes=1)
    )
    services.claim_consultation_close(claim=claim)
    client.force_login(officer)
    response = client.post(
        url, {"action": "decide", "decide-decision": "approve", "decide-reasons": ""}
    )
    assert response.status_code == 400
    response = client.post(
        url, {"action": "decide", "decide-decision": "approve", "decide-reasons": "Good plan."}
    )
    claim.refresh_from_db()
    assert claim.state == S.APPROVED and claim.decision_reasons == "Good plan."


def test_officers_turn_a_new_location_into_a_resource(client):
    officer = officer_create()
    claim = claim_in_state(
        S.SUBMITTED, resource=None, location_address="Via Nuova 3", district="Navile"
    )
    client.force_login(officer)
    html = client.get(f"/office/claims/{claim.pk}/resource/").content.decode()
    assert "Via Nuova 3" in html
    response = client.post(
        f"/office/claims/{claim.pk}/resource/",
        {
            "name": "Giardino Nuovo",
            "kind": "green_area",
            "address": "Via Nuova 3",
            "district": "Navile",
            "owner": "municipal",
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.resource.name == "Giardino Nuovo" and claim.resource.source_claim == claim


def test_drafts_are_not_in_the_office(client):
    client.force_login(officer_create())
    assert client.get(f"/office/claims/{claim_in_state(S.DRAFT).pk}/").status_code == 403


def test_the_procedure_configuration_is_a_singleton_for_administrators(client):
    admin = user_create(roles=[Role.ADMINISTRATOR])
    client.force_login(officer_create())
    assert client.get("/django-admin/proposals/procedureconfig/").status_code == 302
    client.force_login(admin)
    response = client.get("/django-admin/proposals/procedureconfig/")
    config = ProcedureConfig.get_solo()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/procedureconfig/{config.pk}/change/")
    html = client.get(response["Location"]).content.decode()
    assert "Consultation length (days)" in html and "Maximum accord duration (months)" in html
    assert client.get("/django-admin/proposals/procedureconfig/add/").status_code == 403
    # An administrator changes a deadline in the admin; the workflow uses it at once.
    change_url = response["Location"]
    tracks = list(config.tracks.order_by("id"))
    items = list(config.checklist.order_by("id"))
    data = {
        "city_name": "Bologna",
        "screening_department": "",
        "tracks-TOTAL_FORMS": "2",
        "tracks-INITIAL_FORMS": "2",
        "tracks-MIN_NUM_FORMS": "0",
        "tracks-MAX_NUM_FORMS": "2",
        "checklist-TOTAL_FORMS": str(len(items)),
        "checklist-INITIAL_FORMS": str(len(items)),
        "checklist-MIN_NUM_FORMS": "0",
        "checklist-MAX_NUM_FORMS": "1000",
    }
    for i, t in enumerate(tracks):
        for name in (
            "screening_days",
            "documents_days",
            "consultation_days",
            "review_days",
            "decision_days",
            "max_accord_months",
        ):
            data[f"tracks-{i}-{name}"] = getattr(t, name)
        data[f"tracks-{i}-executive_days"] = t.executive_days or ""
        data[f"tracks-{i}-id"] = t.pk
        data[f"tracks-{i}-config"] = config.pk
        if t.track == "ordinary":
            data[f"tracks-{i}-consultation_days"] = 20
    for i, item in enumerate(items):
        data.update(
            {
                f"checklist-{i}-id": item.pk,
                f"checklist-{i}-config": config.pk,
                f"checklist-{i}-key": item.key,
                f"checklist-{i}-label": item.label,
                f"checklist-{i}-position": item.position,
                f"checklist-{i}-is_active": "on",
            }
        )
    response = client.post(change_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ProcedureConfig.get_solo().track("ordinary").consultation_days == 20


def test_the_defaults_and_the_accord_limit_api():
    config = ProcedureConfig.get_solo()
    ordinary, complex_ = config.track("ordinary"), config.track("complex")
    assert (ordinary.consultation_days, ordinary.decision_days, ordinary.max_accord_months) == (
        15,
        30,
        36,
    )
    assert (complex_.consultation_days, complex_.decision_days, complex_.executive_days) == (
        30,
        60,
        30,
    )
    assert complex_.max_accord_months == 108
    assert ordinary.accord_end_limit(dt.date(2026, 1, 31)) == dt.date(2029, 1, 30)
    assert complex_.accord_end_limit(dt.date(2024, 2, 29)) == dt.date(2033, 2, 27)
    with pytest.raises(KeyError):
        config.track("express")


def test_the_claims_audit_trail_in_the_office_reads_as_words_not_codes(client):
    officer = officer_create()
    claim = claim_in_state(S.SUBMITTED)
    client.force_login(officer)
    url = f"/office/claims/{claim.pk}/"
    client.post(url, {"action": "screening_start"})
    page = client.get(url).content.decode()
    assert "Start the admissibility check" in page
    assert "claim.screening_start" not in page


def test_during_consultation_the_officer_is_told_when_the_decision_section_appears(client):
    claim = claim_in_state(S.CONSULTATION)
    client.force_login(officer_create())
    html = client.get(f"/office/claims/{claim.pk}/").content.decode()
    assert 'data-testid="decision-hint"' in html
    assert "once the public consultation closes" in html
    assert 'data-testid="decide"' not in html
    # Once deciding, the form replaces the hint.
    technical = claim_in_state(S.TECHNICAL_REVIEW)
    html = client.get(f"/office/claims/{technical.pk}/").content.decode()
    assert 'data-testid="decision-hint"' not in html


def test_cancelling_a_review_that_is_not_a_number_is_not_found_and_keeps_the_review(client):
    officer = officer_create()
    parks = department_create("Parks")
    claim = claim_in_state(S.CONSULTATION, officer=officer)
    services.review_request(actor=officer, claim=claim, department=parks, message="Please.")
    review = ReviewRequest.objects.get(claim=claim)
    client.force_login(officer)
    url = f"/office/claims/{claim.pk}/"
    # The review's id is a hidden field: missing or junk raised ValueError (a 500).
    for junk in ("", "junk\x00", "²", "1.5"):
        data = {"action": "review_cancel", "review": junk, "cancel-reason": "Not needed"}
        assert client.post(url, data).status_code == 404
    review.refresh_from_db()
    assert review.state == "pending"
    data = {"action": "review_cancel", "review": review.pk, "cancel-reason": "Not needed"}
    assert client.post(url, data).status_code == 302
    review.refresh_from_db()
    assert review.state == "cancelled"
