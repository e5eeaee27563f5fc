import pytest

from tests.citizens.factories import resident_create

pytestmark = pytest.mark.django_db


def test_health(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_me_needs_login_and_describes_the_user(client):
    assert client.get("/api/me").status_code == 401
    user = resident_create(district="Navile")
    client.force_login(user)
    data = client.get("/api/me").json()
    assert data["email"] == user.email
    assert data["verified"] is True and data["district"] == "Navile"
    assert data["roles"] == ["resident"]


def test_openapi_description_and_docs(client):
    spec = client.get("/api/openapi.json").json()
    assert spec["info"]["title"] == "PartnerCity API"
    assert "/api/health" in spec["paths"] and "/api/me" in spec["paths"]
    assert client.get("/api/docs").status_code == 200
