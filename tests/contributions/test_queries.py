"""Lists and figures run a fixed number of queries, for 10 entries as for 1,000."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contributions.models import Contribution, EntryState, Kind
from tests.contributions.factories import active_world

pytestmark = pytest.mark.django_db


def _add(world, n):
    now = timezone.now()
    Contribution.objects.bulk_create(
        Contribution(
            accord=world.accord,
            kind=Kind.HOURS,
            person=world.member if i % 2 else world.rep,
            logged_by=world.member,
            on=timezone.localdate(),
            description=f"Work {i}",
            hours=1,
            show_name_publicly=i % 3 == 0,  # named entries read their person
            state=EntryState.CONFIRMED,
            decided_at=now,
            decided_by=world.rep,
        )
        for i in range(n)
    )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(ctx)


@pytest.mark.parametrize(
    "name",
    ["numbers", "export-csv", "export-json", "export-valueflows", "accord-log", "api", "accord"],
)
def test_query_counts_do_not_grow_with_the_entries(client, name):
    world = active_world()
    url = {
        "numbers": reverse("contributions:numbers"),
        "export-csv": reverse("contributions:export-csv"),
        "export-json": reverse("contributions:export-json"),
        "export-valueflows": reverse("contributions:export-valueflows"),
        "accord-log": reverse("contributions:accord-log", args=[world.accord.pk]),
        "api": f"/api/accords/{world.accord.pk}/contributions",
        "accord": world.accord.get_absolute_url(),
    }[name]
    _add(world, 10)
    few = _count(client, url)
    _add(world, 990)
    many = _count(client, url)
    assert few == many, (few, many)
