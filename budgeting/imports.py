"""Pabulib uploads from the admin: small files inline, large ones in a background thread whose
progress the status page polls from the cache (shared between workers when Redis is set)."""

import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from budgeting.pabulib_io import PabulibImportError, process_import

INLINE_LIMIT = 2 * 1024 * 1024  # bytes; larger uploads run in the background
STATUS_TTL = 24 * 3600


def _key(job: str) -> str:
    return f"budgeting:pb-import:{job}"


def status_get(job: str) -> dict | None:
    return cache.get(_key(job))


def _status_set(job: str, **values) -> None:
    cache.set(_key(job), (cache.get(_key(job)) or {}) | values, STATUS_TTL)


def import_start(*, data: bytes, title: str, actor) -> str:
    """Start a background import and return its job id (see status_get)."""
    job = uuid.uuid4().hex
    folder = Path(settings.MEDIA_ROOT) / "pabulib-imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{job}.pb"
    path.write_bytes(data)
    _status_set(job, state="running", stage="parse", done=0, total=0)

    def progress(stage, done, total):
        _status_set(job, stage=stage, done=done, total=total)

    def run():
        try:
            report = process_import(
                data=path.read_bytes(), title=title, actor=actor, progress=progress
            )
        except PabulibImportError as exc:
            _status_set(job, state="failed", error=str(exc))
        except Exception as exc:  # noqa: BLE001 - reported to the page, then logged
            _status_set(job, state="failed", error=repr(exc))
            raise
        else:
            _status_set(
                job,
                state="done",
                process_id=report.process.pk,
                projects=report.projects,
                ballots=report.ballots,
                notes=report.notes,
            )
        finally:
            path.unlink(missing_ok=True)
            connection.close()

    threading.Thread(target=run, name=f"pb-import-{job}", daemon=True).start()
    return job
