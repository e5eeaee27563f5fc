"""GET /api/resources, /api/claims: public fields only, paginated, filterable."""

import pytest

from proposals import services
from proposals.models import Claim
from tests.citizens.factories import resident_create
from tests.proposals.factories import claim_in_state, resource_create

pytestmark = pytest.mark.django_db
S = Claim.State


def test_resources_are_listed_with_their_derived_status(client):
    park = resource_create(name="Parco", district="Navile")
    resource_create(name="Piazza", district="Centro", kind="square")
    claim_in_state(S.SUBMITTED, resource=park)
    data = client.get("/api/resources").json()
    assert data["count"] == 2
    by_name = {r["name"]: r for r in data["items"]}
    assert by_name["Parco"]["status"] == "claimed" and by_name["Piazza"]["status"] == "available"
    assert by_name["Parco"]["url"] == park.get_absolute_url()
    assert [r["name"] for r in client.get("/api/resources?district=Centro").json()["items"]] == [
        "Piazza"
    ]
    assert client.get("/api/resources?status=claimed").json()["count"] == 1
    assert client.get("/api/resources?kind=square").json()["count"] == 1
    assert client.get(f"/api/resources/{park.pk}").json()["name"] == "Parco"
    assert client.get("/api/resources/999999").status_code == 404
    assert client.get("/api/resources?status=bogus").status_code == 422


def test_claims_list_public_fields_and_never_drafts(client):
    author = resident_create(display_name="Rita")
    public = claim_in_state(S.CONSULTATION, author=author, title="Visible")
    draft = claim_in_state(S.DRAFT, author=author, title="Hidden draft")
    data = client.get("/api/claims").json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["title"] == "Visible" and item["proposed_by"] == "Rita"
    assert item["reference"] == public.reference and item["state"] == "consultation"
    for private in ("email", "created_by", "handler", "withdrawal_reason"):
        assert private not in item
    assert author.email not in client.get("/api/claims").content.decode()
    assert client.get(f"/api/claims/{draft.pk}").status_code == 404
    detail = client.get(f"/api/claims/{public.pk}").json()
    assert detail["motivation"] == public.motivation and detail["decision_reasons"] == ""


def test_claims_filter_by_state_district_and_paginate(client):
    author = resident_create()
    for _ in range(3):
        claim_in_state(S.SUBMITTED, author=author, resource=resource_create(district="Navile"))
    approved = claim_in_state(S.APPROVED, author=author)
    assert client.get("/api/claims?state=submitted").json()["count"] == 3
    assert client.get("/api/claims?district=Navile").json()["count"] == 3
    data = client.get("/api/claims?state=approved").json()
    assert [c["id"] for c in data["items"]] == [approved.pk]
    detail = client.get(f"/api/claims/{approved.pk}").json()
    assert detail["decision_reasons"] == "A good plan for the garden."
    page = client.get("/api/claims?page=2&page_size=2").json()
    assert page["count"] == 4 and len(page["items"]) == 2
    assert client.get("/api/claims?state=nonsense").status_code == 422


def test_competing_claims_are_in_the_detail(client):
    resource = resource_create()
    first = claim_in_state(S.CONSULTATION, resource=resource)
    second = claim_in_state(S.SUBMITTED, resource=resource)
    assert client.get(f"/api/claims/{first.pk}").json()["competing_claims"] == [second.pk]
    services.support_add(user=resident_create(), claim=first)
    assert client.get(f"/api/claims/{first.pk}").json()["supports"] == 1


def test_the_openapi_description_lists_the_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/resources",
        "/api/resources/{resource_id}",
        "/api/claims",
        "/api/claims/{claim_id}",
    ):
        assert path in paths
