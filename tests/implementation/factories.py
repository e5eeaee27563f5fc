"""Funded projects (selected in published results) and their implementations."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from budgeting.models import Process, Result, ResultLine
from implementation import services
from tests.budgeting.factories import process_create, project_create


def published_process(**fields) -> Process:
    """A process whose results are published (one city-wide result, no winner yet)."""
    process = process_create(state=Process.State.RESULTS, **fields)
    Result.objects.create(
        process=process,
        rule=Process.ResultRule.GREEDY,
        budget=process.budget,
        spent=0,
        ballots_counted=10,
        published_at=timezone.now(),
    )
    return process


def winner_create(process: Process, *, selected: bool = True, **fields):
    """A project of a published process; `selected=False`: it lost (not funded)."""
    project = project_create(process, **fields)
    ResultLine.objects.create(
        result=process.results.get(),
        project=project,
        votes=5,
        selected=selected,
        position=project.pk if selected else None,
    )
    return project


def implementation_create(*, officer, process=None, department=None, **fields):
    process = process or published_process()
    project = winner_create(process, **fields)
    impl = services.implementation_open_project(actor=officer, project=project)
    if department is not None:
        services.implementation_assign(actor=officer, implementation=impl, department=department)
        impl.refresh_from_db()
    return impl


def png(name="photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 40)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")
