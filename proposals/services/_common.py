"""Helpers shared by the claim services: locking, deadlines, attachments.

Claims change state only through `core.fsm.fire` (the machine is `Claim.machine`)."""

import contextlib
import datetime as dt

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audit.services import audit_log
from proposals.models import Attachment, Claim, ProcedureConfig, TrackProcedure, private_storage


def lock_claim(claim: Claim) -> Claim:
    """The claim's row, locked until the transaction ends (PostgreSQL; SQLite serialises)."""
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("resource", "group")
        .get(pk=claim.pk)
    )


def track_rules(claim: Claim) -> TrackProcedure:
    return ProcedureConfig.get_solo().track(claim.track)


def days_from(now: dt.datetime, days: int) -> dt.datetime:
    return now + dt.timedelta(days=days)


def next_step(due_at: dt.datetime | None) -> dict:
    """What every claim transition sets besides the state (pass to `fire` as changes): the
    next step's due date, and a fresh overdue flag (the deadline runner flags once per step)."""
    return {"due_at": due_at, "overdue_flagged_at": None}


def format_date(value) -> str:
    return date_format(timezone.localtime(value), "DATE_FORMAT") if value else ""


def office_url(claim: Claim) -> str:
    return reverse("proposals:office-claim", args=[claim.pk])


def store_attachment(claim: Claim, upload, info, actor, stored: list[str]) -> Attachment:
    attachment = Attachment(
        claim=claim,
        original_name=info.original_name,
        content_type=info.content_type,
        size=info.size,
        kind=info.kind,
        uploaded_by=actor,
    )
    upload.seek(0)
    attachment.file.save(f"upload{info.extension}", upload, save=False)
    stored.append(attachment.file.name)
    attachment.save()
    audit_log(
        actor=actor,
        action="claim.attachment_add",
        obj=claim,
        after={"attachment": attachment.pk, "name": info.original_name, "type": info.content_type},
    )
    return attachment


class StoredFiles:
    """Collects files written during a transaction and removes them if it fails."""

    def __init__(self):
        self.names: list[str] = []

    def __enter__(self):
        return self.names

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            delete_files(self.names)
        return False


def delete_files(names) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            private_storage.delete(name)


def required_text(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message, code="required")
    return text
