"""Background tasks: Django's tasks API (the `django-tasks` backport) on the database backend
(`django-tasks-db`), so the embedded default needs no extra server. docs/decisions/005-tasks.md.

- `background()` declares a task and how often a failure is tried again.
- `enqueue_on_commit()` enqueues it once the caller's transaction commits, so a rolled-back
  use case sends nothing, and the request only inserts a row.
- `manage.py db_worker` (core's version of django-tasks-db's command) runs the queue. A task
  that raises is put back in the queue after each delay of its policy; when they are used up
  it is marked FAILED, with its traceback, in the Django admin (Tasks › Task results).

The task's result row is its visible status: READY (waiting, or waiting to be tried again
after an error, shown in the row), RUNNING, SUCCESSFUL or FAILED; `attempts` counts the tries.
"""

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from traceback import format_exception
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.base import Task

logger = logging.getLogger(__name__)

_RETRY_DELAYS: dict[str, tuple[int, ...] | None] = {}


class PermanentError(Exception):
    """Raised by a task when trying again cannot help (the input itself is wrong)."""


def background(
    func: Callable | None = None, *, retries: Sequence[int] | None = None, **options: Any
) -> Task | Callable[[Callable], Task]:
    """Declare a background task (`@background` or `@background(retries=[60, 600])`).

    A failure is tried again after each delay in `retries` (seconds; default
    `settings.TASK_RETRY_DELAYS`), then the task is marked failed. Tasks must take
    JSON-serialisable arguments: pass ids, not model instances.
    """

    def decorate(function: Callable) -> Task:
        declared = task(**options)(function)
        _RETRY_DELAYS[declared.module_path] = None if retries is None else tuple(retries)
        return declared

    return decorate(func) if func is not None else decorate


def retry_delays(task_path: str) -> tuple[int, ...]:
    """The retry delays of a task; tasks not declared with `background()` are not retried."""
    if task_path not in _RETRY_DELAYS:
        return ()
    delays = _RETRY_DELAYS[task_path]
    return tuple(settings.TASK_RETRY_DELAYS) if delays is None else delays


def retry_delay_after(task_path: str, attempt: int, exc: BaseException) -> int | None:
    """Seconds to wait before trying again after failed attempt number `attempt` (1-based),
    or None when the task should be marked failed."""
    if isinstance(exc, PermanentError) or not isinstance(exc, Exception):
        return None
    delays = retry_delays(task_path)
    return delays[attempt - 1] if 0 < attempt <= len(delays) else None


def enqueue_on_commit(background_task: Task, *args: Any, **kwargs: Any) -> None:
    """Enqueue once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: background_task.enqueue(*args, **kwargs))


def schedule_retry(row, exc: BaseException, *, delay: int) -> None:
    """Put a database task result back in the queue after a failed attempt, keeping the error
    visible on the row (used by core's db_worker)."""
    row.status = TaskResultStatus.READY
    row.run_after = timezone.now() + dt.timedelta(seconds=delay)
    row.finished_at = timezone.now()
    row.exception_class_path = f"{type(exc).__module__}.{type(exc).__qualname__}"
    row.traceback = "".join(format_exception(exc))
    row.return_value = None
    row.save(
        update_fields=[
            "status",
            "run_after",
            "finished_at",
            "exception_class_path",
            "traceback",
            "return_value",
        ]
    )
    logger.warning(
        "Task id=%s path=%s attempt %s failed (%s); trying again in %ss",
        row.id,
        row.task_path,
        len(row.worker_ids),
        row.exception_class_path,
        delay,
    )
