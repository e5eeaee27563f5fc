"""Schemathesis over /api/openapi.json: no input the schema allows, or that breaks it, gets a 5xx.

Every operation is fed valid and invalid query strings and path parameters (a bounded,
derandomised number of examples, so the run is the same every time and takes seconds). CI runs
it on PostgreSQL, where NUL bytes and integers past bigint used to end in 500s.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode

from tests.budgeting.factories import process_create, project_create

pytestmark = pytest.mark.django_db

EXAMPLES = 40  # per operation and mode


@pytest.fixture
def wsgi_app():
    """Django as a WSGI app in this thread, inside the test's transaction. Like Django's test
    client, leave the test's connection open between requests (close_old_connections would
    close it, as it sits in an atomic block)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_no_api_operation_answers_a_server_error(wsgi_app):
    process = process_create()
    project_create(process)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8, [op.label for op in operations]
    server_errors = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def call(case):
                response = case.call()
                if response.status_code >= 500:
                    server_errors.append(
                        f"{case.method} {case.formatted_path} query={case.query} "
                        f"cookies={case.cookies} -> {response.status_code}"
                    )

            try:
                call()
            except Unsatisfiable:  # nothing to make invalid (no parameters)
                assert mode is GenerationMode.NEGATIVE, operation.label
    assert server_errors == [], "\n".join(server_errors)
