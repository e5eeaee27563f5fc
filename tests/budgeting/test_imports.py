"""Large Pabulib uploads are a background task: the admin's status page follows the task."""

import pytest

from budgeting import imports
from budgeting.models import Process, Project
from citizens.rules import Role
from tests.budgeting.test_pb_io import SMALL
from tests.citizens.factories import user_create

IMPORT_URL = "/django-admin/budgeting/process/import/"


@pytest.fixture
def large(monkeypatch, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(imports, "INLINE_LIMIT", 10)
    source = tmp_path / "big.pb"
    source.write_text(SMALL)
    return source


@pytest.mark.django_db(transaction=True)
def test_a_large_upload_waits_for_the_worker_and_the_status_page_follows_it(
    client, large, database_tasks, run_worker
):
    client.force_login(user_create(roles=[Role.ADMINISTRATOR]))
    with large.open("rb") as f:
        response = client.post(IMPORT_URL, {"file": f, "title": "Queued"})
    assert response.status_code == 302
    status_url = response["Location"]
    assert "Waiting for the background worker" in client.get(status_url).content.decode()
    assert not Process.objects.filter(title="Queued").exists()

    run_worker()
    html = client.get(status_url).content.decode()
    assert "Imported 3 projects and 4 ballots" in html
    assert Project.objects.filter(process__title="Queued").count() == 3
    assert not list((large.parent / "pabulib-imports").iterdir())  # the upload is gone


@pytest.mark.django_db(transaction=True)
def test_a_refused_file_is_reported_on_the_status_page_and_not_retried(
    client, large, database_tasks, run_worker
):
    large.write_text(SMALL.replace("a;60;Alpha", "a;sixty;Alpha"))
    client.force_login(user_create(roles=[Role.ADMINISTRATOR]))
    with large.open("rb") as f:
        status_url = client.post(IMPORT_URL, {"file": f})["Location"]
    run_worker()
    html = client.get(status_url).content.decode()
    assert "Line 13" in html and "not a number" in html


@pytest.mark.django_db
def test_a_large_upload_run_at_once_shows_its_outcome(client, large):
    client.force_login(user_create(roles=[Role.ADMINISTRATOR]))
    with large.open("rb") as f:
        response = client.post(IMPORT_URL, {"file": f, "title": "At once"})
    assert "Imported 3 projects and 4 ballots" in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_import_has_no_status_page(client):
    client.force_login(user_create(roles=[Role.ADMINISTRATOR]))
    assert client.get(IMPORT_URL + "not-a-task/").status_code == 404
