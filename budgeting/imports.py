"""Pabulib uploads from the admin: small files inline, large ones as a background task
(core.tasks) whose result row is the status page's source. Progress, when the cache is shared
between the worker and the web processes (Redis), shows as a bar."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks.base import TaskContext, TaskResult
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from budgeting.pabulib_io import PabulibImportError, process_import
from citizens.models import User
from core.tasks import background

INLINE_LIMIT = 2 * 1024 * 1024  # bytes; larger uploads run in the background
PROGRESS_TTL = 24 * 3600


def _folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "pabulib-imports"


def _progress_key(result_id: str) -> str:
    return f"budgeting:pb-import:{result_id}"


def import_start(*, data: bytes, title: str, actor) -> TaskResult:
    """Queue the import of an uploaded file; its TaskResult's id names the status page."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.pb"
    (folder / name).write_bytes(data)
    return pabulib_import_run.enqueue(
        name=name,
        title=title,
        actor_id=getattr(actor, "pk", None),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )


@background(takes_context=True, retries=[60, 600])
def pabulib_import_run(
    context: TaskContext, *, name: str, title: str, actor_id: int | None, language: str
) -> dict:
    """Import a stored upload. A file the importer refuses is an outcome, not a failure: it
    is reported to the page and not tried again; the stored file goes once it is settled."""
    path = _folder() / name
    key = _progress_key(context.task_result.id)

    def progress(stage, done, total):
        cache.set(key, {"stage": stage, "done": done, "total": total}, PROGRESS_TTL)

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    with translation.override(language):
        try:
            report = process_import(
                data=path.read_bytes(), title=title, actor=actor, progress=progress
            )
        except PabulibImportError as exc:
            path.unlink(missing_ok=True)
            return {"state": "refused", "error": str(exc)}
        path.unlink(missing_ok=True)
        return {
            "state": "done",
            "process_id": report.process.pk,
            "projects": report.projects,
            "ballots": report.ballots,
            "notes": [str(note) for note in report.notes],
        }


def status_of(result: TaskResult) -> dict:
    """What the status page shows for an import's task result."""
    if result.status == TaskResultStatus.SUCCESSFUL:
        return result.return_value
    if result.status == TaskResultStatus.FAILED:
        return {
            "state": "failed",
            "error": _(
                "The import stopped with an error after several tries. An administrator can "
                "see it in the task results."
            ),
        }
    if result.status == TaskResultStatus.RUNNING:
        return {"state": "running", **(cache.get(_progress_key(result.id)) or {})}
    # READY: waiting for the worker, or waiting to try again after an error.
    retrying = bool(getattr(getattr(result, "db_result", None), "traceback", ""))
    return {"state": "retrying" if retrying else "waiting"}


def status_get(result_id: str) -> dict | None:
    """The status of a queued import, or None when no such import exists."""
    try:
        return status_of(pabulib_import_run.get_result(result_id))
    except (TaskResultDoesNotExist, TaskResultMismatch, NotImplementedError):
        return None
