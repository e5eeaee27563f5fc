"""The results download cannot carry spreadsheet formulas from a project's title."""

import csv
import io

import pytest

from budgeting import services
from budgeting.models import Process
from tests.budgeting.factories import key, process_create, project_create
from tests.citizens.factories import officer_create

pytestmark = pytest.mark.django_db


def test_a_title_that_looks_like_a_formula_is_written_as_text(client):
    process = process_create(budget=30_000, result_rule=Process.ResultRule.GREEDY)
    evil = project_create(process, cost=10_000, title='=HYPERLINK("http://evil","Win")')
    services.ballot_store(
        process=process, channel="paper", project_ids=[evil.pk], idempotency_key=key()
    )
    process.state = Process.State.COUNTING
    process.save()
    officer = officer_create()
    services.result_compute(actor=officer, process=process)
    services.result_publish(actor=officer, process=process)
    text = client.get(f"/budgeting/{process.pk}/results.csv").content.decode()
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["title"] == '\'=HYPERLINK("http://evil","Win")'
