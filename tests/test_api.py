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
    docs = client.get("/api/docs", HTTP_ACCEPT_LANGUAGE="it")
    assert docs.status_code == 200
    html = docs.content.decode()
    # Swagger UI from this site's static files (django-ninja's), never a CDN; with a language.
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn." not in html
    assert '<html lang="it">' in html


BIGINT_PLUS_ONE = "9223372036854775808"


@pytest.mark.parametrize(
    "url",
    [
        "/api/accords?year=10000",
        "/api/accords?year=-1",
        "/api/accords?year=0",
        "/api/accords?year=1",
        f"/api/claims?page={BIGINT_PLUS_ONE}",
        f"/api/claims?page_size={BIGINT_PLUS_ONE}",
        f"/api/resources?page={BIGINT_PLUS_ONE}",
        f"/api/processes?offset={BIGINT_PLUS_ONE}",
        f"/api/processes?limit={BIGINT_PLUS_ONE}",
        f"/api/accords?offset={BIGINT_PLUS_ONE}",
        f"/api/accords?limit={BIGINT_PLUS_ONE}",
        "/api/accords?limit=0",
        "/api/processes?offset=-1",
        f"/api/claims?resource={BIGINT_PLUS_ONE}",
        "/api/claims?district=%00",
        "/api/resources?district=%00",
        "/api/accords?q=%00",
        "/api/accords?q=a%0Db",
        "/api/accords?district=%1F",
        "/api/accords?state=%7F",
        "/api/accords?q=" + "a" * 201,
    ],
)
def test_out_of_range_or_control_characters_in_a_query_are_refused_with_422(client, url):
    response = client.get(url)
    assert response.status_code == 422, response.content


@pytest.mark.parametrize(
    "url",
    [
        f"/api/processes/{BIGINT_PLUS_ONE}",
        f"/api/processes/{BIGINT_PLUS_ONE}/results",
        f"/api/claims/{BIGINT_PLUS_ONE}",
        f"/api/resources/{BIGINT_PLUS_ONE}",
        f"/api/accords/{BIGINT_PLUS_ONE}",
        "/api/accords/" + "9" * 40,
    ],
)
def test_an_id_beyond_the_database_range_is_a_client_error(client, url):
    assert 400 <= client.get(url).status_code < 500


def test_bounded_queries_still_work(client):
    assert client.get("/api/accords?year=2026&q=park&limit=1000&offset=5").status_code == 200
    assert client.get("/api/claims?page=3&district=Navile").json()["items"] == []
    assert client.get("/api/processes?limit=1&offset=1000000000").json()["items"] == []
