"""Demo: an open voting session of the demo voting process, run by the demo facilitator.

Idempotent: the session is found by place and process. Each run draws a fresh pairing code
for a first tablet (printed by ``describe``); the console draws more ("Show a pairing code").
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from budgeting.demo import VOTING_TITLE
from budgeting.live import credentials
from budgeting.live.models import VotingSession
from budgeting.models import Process
from citizens.models import User

PLACE = "Biblioteca Salaborsa"
FACILITATOR = "facilitator@partnercity.local"
PAIRING_HOURS = 12

_pairing: dict[str, str] = {}  # what describe() prints after seed() in the same command


def _session(process: Process, facilitator: User) -> VotingSession:
    session = VotingSession.objects.filter(process=process, place_name=PLACE).first()
    if session is None:
        start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
        session = VotingSession.objects.create(
            process=process,
            place_name=PLACE,
            address="Piazza del Nettuno 3, Bologna",
            district="Centro",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=10),
            state=VotingSession.State.OPEN,
            opened_at=timezone.now(),
        )
    if not session.facilitators.filter(pk=facilitator.pk).exists():
        session.facilitators.add(facilitator)
    return session


def seed(stdout) -> None:
    process = Process.objects.filter(title=VOTING_TITLE, state=Process.State.VOTING).first()
    facilitator = User.objects.filter(email=FACILITATOR).first()
    if process is None or facilitator is None:
        stdout.write("Live voting demo skipped: no demo voting process or facilitator.")
        return
    with transaction.atomic():
        session = _session(process, facilitator)
        if session.state in VotingSession.PAIRING_STATES:
            code = credentials.pairing_code_new()
            session.pairing_code_hash = credentials.pairing_code_hash(code)
            session.pairing_code_expires_at = timezone.now() + dt.timedelta(hours=PAIRING_HOURS)
            session.save(update_fields=["pairing_code_hash", "pairing_code_expires_at"])
            _pairing["code"] = credentials.pairing_code_display(code)
            _pairing["until"] = f"{timezone.localtime(session.pairing_code_expires_at):%H:%M}"


def describe() -> str:
    session = (
        VotingSession.objects.filter(place_name=PLACE, process__title=VOTING_TITLE)
        .select_related("process")
        .first()
    )
    if session is None:
        return ""
    lines = [
        "Live hybrid voting (three browser windows):",
        f"  1. facilitator console  /budgeting/live/sessions/{session.pk}/  (log in as "
        f"{FACILITATOR}; “{session.place_name}”, {session.get_state_display()})",
        "  2. tablet               /budgeting/live/kiosk/  (a second window, or a real tablet)",
        f"  3. projector            /budgeting/live/processes/{session.process_id}/projector/",
    ]
    if _pairing:
        lines.append(
            f"  Pairing code for a first tablet: {_pairing['code']} (until {_pairing['until']}); "
            "the console shows more."
        )
    lines.append(
        "  Check voters in with the free census entries above, e.g. document GH5566778, "
        "born 1978-06-02; pick the tablet, vote on it, watch the projector."
    )
    return "\n".join(lines)
