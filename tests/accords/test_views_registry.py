"""The public registry, open data exports, the API, the PDF and the integrity check."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from accords import services
from accords.exports import EXPORT_COLUMNS
from accords.models import Accord, AccordState
from tests.accords.factories import World
from tests.citizens.factories import PASSWORD

pytestmark = pytest.mark.django_db


def make_accords(n: int) -> list[World]:
    worlds = []
    for i in range(n):
        world = World()
        if i % 3 == 0:
            world.start()  # drafting
        else:
            world.active()
        worlds.append(world)
    return worlds


def test_the_registry_lists_public_accords_with_filters_and_search(client):
    active, drafting, cancelled = World(), World(), World()
    active.active()
    drafting.start()
    cancelled.start()
    services.accord_cancel(actor=cancelled.officer, accord=cancelled.accord, reason="Dup")
    response = client.get(reverse("accords:accord-list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert active.accord.title in body and drafting.accord.title in body
    assert cancelled.accord.reference not in body
    assert active.accord.current_version.fingerprint[:16] in body
    response = client.get(reverse("accords:accord-list"), {"state": "active"})
    assert active.accord.reference in response.content.decode()
    assert drafting.accord.reference not in response.content.decode()
    response = client.get(reverse("accords:accord-list"), {"q": active.accord.reference})
    assert response.context["page"].paginator.count == 1
    year = active.accord.start_date.year
    response = client.get(
        reverse("accords:accord-list"), {"district": "Centro", "kind": "green_area", "year": year}
    )
    assert response.context["page"].paginator.count == 2
    response = client.get(reverse("accords:accord-list"), {"q": "nothing-matches-this"})
    assert "No accord matches these filters." in response.content.decode()
    # Junk in the filters is ignored, never a server error.
    response = client.get(
        reverse("accords:accord-list"), {"year": "abc", "state": "<x>", "page": "999"}
    )
    assert response.status_code == 200


def test_the_registry_is_usable_without_any_accord(client):
    response = client.get(reverse("accords:accord-list"))
    assert "No accord has been started yet" in response.content.decode()


def test_registry_queries_do_not_grow_with_the_number_of_accords(
    client, django_assert_max_num_queries
):
    make_accords(2)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("accords:accord-list"))
    make_accords(5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("accords:accord-list"))
    assert response.context["page"].paginator.count == 7


def test_the_detail_shows_the_signed_text_fingerprint_support_and_reports(client):
    world = World()
    world.active()
    accord = world.accord
    body = client.get(accord.get_absolute_url()).content.decode()
    assert accord.current_version.fingerprint in body
    assert "Rakes and shovels" in body and world.group.name in body
    assert "Keep the garden clean and open." in body
    assert "@" not in body.split("<main")[1].split("</main>")[0]  # no email addresses


def test_a_draft_shows_no_text_and_a_cancelled_accord_is_not_public(client):
    world = World()
    world.start()
    body = client.get(world.accord.get_absolute_url()).content.decode()
    assert "being co-designed" in body
    version = world.accord.versions.get()
    assert client.get(version.get_absolute_url()).status_code == 404
    services.accord_cancel(actor=world.officer, accord=world.accord, reason="Dup")
    assert client.get(world.accord.get_absolute_url()).status_code == 404


def test_exports_parse_and_list_every_public_accord(client, django_assert_max_num_queries):
    worlds = make_accords(3)
    cancelled = World()
    cancelled.start()
    services.accord_cancel(actor=cancelled.officer, accord=cancelled.accord, reason="Dup")
    with django_assert_max_num_queries(3):
        response = client.get(reverse("accords:accord-export-csv"))
        text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == EXPORT_COLUMNS
    assert {r["reference"] for r in rows} == {w.accord.reference for w in worlds}
    active = next(r for r in rows if r["state"] == "active")
    accord = Accord.objects.get(reference=active["reference"])
    assert active["fingerprint"] == accord.current_version.fingerprint
    assert active["support_items"] == "3" and active["url"].endswith(f"/accords/{accord.pk}/")
    with django_assert_max_num_queries(3):
        response = client.get(reverse("accords:accord-export-json"))
        data = json.loads(b"".join(response.streaming_content))
    assert {r["reference"] for r in data} == {w.accord.reference for w in worlds}
    assert all(list(r) == EXPORT_COLUMNS for r in data)


def test_exports_keep_a_constant_number_of_queries(client, django_assert_num_queries):
    make_accords(1)
    with django_assert_num_queries(1):
        b"".join(client.get(reverse("accords:accord-export-csv")).streaming_content)
    make_accords(4)
    with django_assert_num_queries(1):
        b"".join(client.get(reverse("accords:accord-export-json")).streaming_content)


def test_csv_cells_cannot_become_spreadsheet_formulas(client):
    world = World()
    world.start()
    world.edit(title='=HYPERLINK("http://evil")')
    text = b"".join(client.get(reverse("accords:accord-export-csv")).streaming_content)
    assert "'=HYPERLINK" in text.decode()


def test_api_list_and_detail(client, django_assert_max_num_queries):
    worlds = make_accords(2)
    with django_assert_max_num_queries(3) as few:
        data = client.get("/api/accords").json()
    assert data["count"] == 2 and set(data["items"][0]) == set(EXPORT_COLUMNS)
    make_accords(4)
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = client.get("/api/accords?limit=100").json()
    assert data["count"] == 6
    assert client.get("/api/accords?state=active").json()["count"] == 3
    active = next(w for w in worlds if w.accord.state == AccordState.ACTIVE)
    detail = client.get(f"/api/accords/{active.accord.pk}").json()
    assert detail["fingerprint"] == active.accord.current_version.fingerprint
    assert {p["side"] for p in detail["parties"]} == {"city", "civic"}
    assert len(detail["support"]) == 3 and len(detail["signatures"]) == 2
    assert client.get("/api/accords/999999").status_code == 404
    spec = client.get("/api/openapi.json").json()
    assert "/api/accords" in spec["paths"] and "/api/accords/{accord_id}" in spec["paths"]


def test_the_pdf_shows_parties_a_commitment_and_the_fingerprint(client):
    world = World()
    world.active()
    version = world.accord.current_version
    response = client.get(reverse("accords:version-pdf", args=[world.accord.pk, 1 + 1]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert world.group.name in flat and world.department.name in flat
    assert "Our time and our own tools." in flat  # the civic actors' commitment
    assert version.fingerprint in flat.replace(" ", "") or version.fingerprint in text.replace(
        "\n", ""
    )
    assert "Rita Rep" in flat  # a signature


def test_no_pdf_for_unsigned_versions(client):
    world = World()
    world.start()
    client.force_login(world.officer)
    assert client.get(reverse("accords:version-pdf", args=[world.accord.pk, 1])).status_code == 404


def test_the_canonical_json_hashes_to_the_published_fingerprint(client):
    import hashlib

    world = World()
    world.active()
    version = world.accord.current_version
    body = client.get(
        reverse("accords:version-canonical", args=[world.accord.pk, version.number])
    ).content
    assert hashlib.sha256(body).hexdigest() == version.fingerprint
    assert json.loads(body)["accord"] == world.accord.reference


def test_accords_verify_passes_then_names_the_tampered_accord(capsys):
    world = World()
    world.active()
    other = World()
    other.active()
    call_command("accords_verify")
    assert "verified" in capsys.readouterr().out
    version = world.accord.current_version
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accords_accordversion SET city_commitments = %s WHERE id = %s",
            ["The city commits to nothing.", version.pk],
        )
    with pytest.raises(CommandError) as failure:
        call_command("accords_verify")
    assert failure.value.returncode == 1
    assert world.accord.reference in str(failure.value)
    assert other.accord.reference not in str(failure.value)
    assert world.accord.reference in capsys.readouterr().err


def test_tampering_a_support_item_is_caught_too():
    world = World()
    world.active()
    item = world.accord.current_version.support_items.first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accords_supportitem SET value = 99999 WHERE id = %s", [item.pk])
    with pytest.raises(CommandError, match=world.accord.reference):
        call_command("accords_verify")


def test_signing_through_the_page(client):
    world = World()
    world.start()
    world.agree()
    client.force_login(world.rep)
    url = reverse("accords:accord-sign", args=[world.accord.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"credential": "wrong", "confirm": "on"})
    assert response.status_code == 400 and "password is not correct" in response.content.decode()
    response = client.post(url, {"credential": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert world.accord.versions.get().signatures.count() == 1


def test_a_version_page_shows_the_version_and_its_state(client):
    world = World()
    world.active()
    version = world.accord.current_version
    url = reverse("accords:version-detail", args=[world.accord.pk, version.number])
    response = client.get(url)  # the public page of a signed version
    assert response.status_code == 200
    page = response.content.decode()
    assert version.title in page and version.fingerprint in page
    client.force_login(world.officer)  # and the co-design side's view of it
    assert client.get(url).status_code == 200


def test_an_accord_id_beyond_the_database_integers_is_not_found(client):
    # 20 digits reach the view through <int:pk>; a lookup on the foreign key column overflowed
    # SQLite's integers (OverflowError, a 500) instead of finding nothing.
    world = World()
    world.active()
    huge = "99999999999999999999"
    assert client.get(f"/accords/{huge}/photos/1/").status_code == 404
