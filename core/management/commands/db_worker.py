"""django-tasks-db's worker, with retries: a task declared with `core.tasks.background()`
that raises is put back in the queue after each delay of its policy instead of being marked
failed at once. Same options as the library's command (`--help`); it replaces it because core
comes first in INSTALLED_APPS."""

from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from core.tasks import retry_delay_after, schedule_retry


class Worker(db_worker.Worker):
    def run_task(self, db_task_result: DBTaskResult) -> None:
        # The library's worker records a failure with `set_failed`; while tries remain, this
        # row records it as "try again later" instead. `worker_ids` already counts this try.
        attempt = len(db_task_result.worker_ids)

        def failed(exc: BaseException) -> None:
            delay = retry_delay_after(db_task_result.task_path, attempt, exc)
            if delay is None:
                DBTaskResult.set_failed(db_task_result, exc)
            else:
                schedule_retry(db_task_result, exc, delay=delay)

        db_task_result.set_failed = failed
        super().run_task(db_task_result)


class Command(db_worker.Command):
    help = db_worker.Command.help + " (retrying failed tasks, see core.tasks)"

    def handle(self, *args, **options):
        # The library's handle() builds its module's Worker; point that name at ours for the run.
        original = db_worker.Worker
        db_worker.Worker = Worker
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original
