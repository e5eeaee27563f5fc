"""The API (/api/assemblies, /api/meetings, with iCal links) and the CSV of meetings."""

import csv
import io

import pytest
from django.urls import reverse

from assemblies import services
from tests.assemblies.factories import assembly_make, meeting_make, registration_make
from tests.citizens.factories import user_create

pytestmark = pytest.mark.django_db


def test_api_assemblies(client, assembly, member):
    services.city_assembly()
    data = client.get("/api/assemblies").json()
    slugs = {row["slug"] for row in data["items"]}
    assert {"commons", assembly.slug} <= slugs
    row = next(r for r in data["items"] if r["slug"] == assembly.slug)
    assert row["members"] == 2
    assert row["ical_url"].endswith(f"/assemblies/{assembly.slug}/calendar.ics")
    detail = client.get(f"/api/assemblies/{assembly.slug}").json()
    assert detail["charter"]["version"] == 1
    assert client.get("/api/assemblies/nope").status_code == 404
    assert client.get("/api/assemblies?kind=city").json()["count"] == 1


def test_api_meetings_with_ical_links(client, assembly):
    meeting = meeting_make(assembly, capacity=5)
    registration_make(meeting, user_create())
    data = client.get("/api/meetings").json()
    [row] = data["items"]
    assert row["registered"] == 1 and row["capacity"] == 5
    assert row["ical_url"].endswith(reverse("assemblies:meeting-ics", args=[meeting.pk]))
    assert "online_url" not in row
    detail = client.get(f"/api/meetings/{meeting.pk}").json()
    assert detail["agenda"] == []
    assert client.get("/api/meetings/999999").status_code == 404
    assert client.get(f"/api/meetings?assembly={assembly.slug}").json()["count"] == 1
    assert client.get("/api/meetings?assembly=other").json()["count"] == 0


@pytest.mark.parametrize(
    ("since", "status"),
    [
        ("2000-01-01T00:00:00Z", 200),
        ("2000-01-01T00:00:00", 200),  # naive: the site's time zone
        # An offset PostgreSQL refuses (it allows about 16 hours): read as UTC first.
        ("0340-08-09T10:14:11+22:27", 200),
        ("0001-01-01T00:00:00+23:00", 422),  # before year 1 in UTC
        ("not a date", 422),
    ],
)
def test_api_meetings_date_filters_never_fail_in_the_database(client, assembly, since, status):
    meeting_make(assembly)
    assert client.get("/api/meetings", {"since": since, "until": since}).status_code == status


def test_api_meetings_query_count_is_flat(client, django_assert_max_num_queries):
    meeting_make(assembly_make())
    client.get("/api/meetings")
    with django_assert_max_num_queries(10) as few:
        client.get("/api/meetings")
    for _ in range(6):
        meeting_make(assembly_make())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/meetings").json()["count"] == 7


def test_meetings_csv(client, assembly):
    meeting = meeting_make(assembly, title="=HYPERLINK(1)")
    registration_make(meeting, user_create(), checked_in_at=meeting.starts_at)
    response = client.get(reverse("assemblies:meeting-csv"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 1
    assert rows[0]["registered"] == "1" and rows[0]["attended"] == "1"
    assert not rows[0]["title"].startswith("=")  # formula injection is neutralised
    assert rows[0]["ical"] == reverse("assemblies:meeting-ics", args=[meeting.pk])
