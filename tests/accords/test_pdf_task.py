"""The PDF of a signed version is rendered by a background task, then served from its file."""

import pytest
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accords.pdf import pdf_path
from tests.accords.factories import World


@pytest.fixture
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path


@pytest.mark.django_db(transaction=True)
def test_the_first_request_queues_the_pdf_and_a_later_one_downloads_it(
    client, private_media, database_tasks, run_worker
):
    world = World()
    world.active()
    url = reverse("accords:version-pdf", args=[world.accord.pk, 2])

    response = client.get(url)
    assert response.status_code == 202 and "Preparing the PDF" in response.content.decode()
    client.get(url)  # asking again does not queue a second rendering
    renders = DBTaskResult.objects.filter(task_path="accords.pdf.version_pdf_render")
    assert renders.count() == 1

    run_worker()
    assert renders.get().status == TaskResultStatus.SUCCESSFUL
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_the_rendered_pdf_is_kept_outside_the_public_media_folder(client, private_media, settings):
    world = World()
    world.active()
    client.get(reverse("accords:version-pdf", args=[world.accord.pk, 2]))
    path = pdf_path(world.accord.current_version, "en")
    assert path.exists() and str(settings.MEDIA_ROOT) not in str(path.parent)
