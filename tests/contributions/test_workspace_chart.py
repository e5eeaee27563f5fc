"""The officer's dashboard: this year's hours per month as a chart (vendored Chart.js) and as
a table with the same numbers."""

import pytest
from django.utils.dates import MONTHS

from core.workspace import Panel
from tests.contributions.factories import active_world, confirmed_hours, today

pytestmark = pytest.mark.django_db


def test_the_officers_dashboard_shows_the_hours_per_month(client):
    world = active_world()
    confirmed_hours(world, "2")
    confirmed_hours(world, "1.5")
    client.force_login(world.officer)
    html = client.get("/workspace/").content.decode()
    assert 'data-testid="contributions-by-month"' in html
    assert 'data-testid="workspace-month-table"' in html
    month = str(MONTHS[today().month])
    assert f'<th scope="row">{month}</th><td>3.5</td>' in html
    assert 'id="workspace-month-data"' in html  # the chart's numbers (json_script)
    assert "/static/vendor/chartjs/chart.umd.min.js" in html


def test_a_panel_without_a_template_is_unchanged():
    panel = Panel(key="k", title="T")
    assert panel.template == "" and panel.context == {}
