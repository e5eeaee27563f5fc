"""The online ballot answers malformed project ids with a form error, never a 500."""

import re

import pytest

from tests.budgeting.factories import process_create, project_create
from tests.citizens.factories import resident_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("bad_id", ["9" * 40, "9223372036854775808", "-1", "0", "abc"])
def test_a_ballot_naming_an_impossible_project_id_is_refused_with_400(client, bad_id):
    process = process_create(budget=50_000)
    project = project_create(process, cost=10_000)
    client.force_login(resident_create())
    url = f"/budgeting/{process.pk}/vote/"
    key = re.search(r'name="key" value="([0-9a-f]+)"', client.get(url).content.decode())[1]
    response = client.post(url, {"key": key, "projects": [project.pk, bad_id]})
    assert response.status_code == 400
