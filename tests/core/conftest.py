"""Fixtures to run tasks on the real database backend with a real worker pass."""

import signal

import pytest
from django.core.management import call_command

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_tasks(settings):
    """Tasks go to the database queue instead of running at once."""
    settings.TASKS = DATABASE_TASKS
    return settings


@pytest.fixture
def run_worker():
    """Run `manage.py db_worker --batch`: every task that is due, then return."""

    def run():
        saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        try:
            call_command(
                "db_worker",
                "--batch",
                "--no-reload",
                "--no-startup-delay",
                "--queue-name",
                "*",
                verbosity=0,
            )
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)

    return run
