"""The Chamber of the Commons shows each adhering group's contribution figures
(assemblies.slots "chamber.group"), in a constant number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assemblies import services as assembly_services
from assemblies.models import Adherence
from contributions import figures
from tests.citizens.factories import group_create, user_create
from tests.contributions.factories import active_world, confirmed_hours

pytestmark = pytest.mark.django_db


def _adhere(group):
    Adherence.objects.create(group=group, assembly=assembly_services.city_assembly())


def _page_queries(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("assemblies:chamber")).content.decode()
    return html, len(ctx.captured_queries)


def test_the_chamber_shows_each_groups_figures(client):
    world = active_world()
    confirmed_hours(world, "3")
    confirmed_hours(world, "1.5")
    _adhere(world.group)
    _adhere(group_create(representative=user_create()))
    html = client.get(reverse("assemblies:chamber")).content.decode()
    assert html.count('data-testid="chamber-group-figures"') == 2
    assert 'data-testid="group-hours">4.5<' in html
    assert 'data-testid="group-people">1<' in html
    assert "No confirmed contributions yet." in html


def test_for_groups_matches_for_group():
    world = active_world()
    confirmed_hours(world, "2")
    other = group_create(representative=user_create())
    found = figures.for_groups([world.group, other.pk])
    assert found[world.group.pk] == figures.for_group(world.group)
    assert found[world.group.pk].hours == Decimal("2.0")
    assert found[other.pk].is_empty


def test_query_count_is_the_same_for_2_and_10_groups(client):
    world = active_world()
    confirmed_hours(world, "2")
    _adhere(world.group)
    _adhere(group_create(representative=user_create()))
    client.get(reverse("assemblies:chamber"))
    html, two = _page_queries(client)
    assert html.count('data-testid="chamber-group-figures"') == 2
    for _ in range(8):
        _adhere(group_create(representative=user_create()))
    html, ten = _page_queries(client)
    assert html.count('data-testid="chamber-group-figures"') == 10
    assert ten == two
