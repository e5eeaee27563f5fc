"""Demo: an open voting session of the demo voting process, run by the demo facilitator.

Idempotent: the session is found by place and process. The officer plans it the day voting
opened and the facilitator opens it today, through the live services (audited). Each run draws
a fresh pairing code for a first tablet through the service (printed by ``describe``); the
console draws more ("Show a pairing code").
"""

import datetime as dt

from django.utils import timezone

from budgeting.demo import VOTING_TITLE
from budgeting.live import services
from budgeting.live.models import VotingSession
from budgeting.models import Process
from citizens.models import User
from core.clock import travel_to

PLACE = "Biblioteca Salaborsa"
FACILITATOR = "facilitator@partnercity.local"

_pairing: dict[str, str] = {}  # what describe() prints after seed() in the same command


def _session(process: Process, facilitator: User) -> VotingSession:
    session = VotingSession.objects.filter(process=process, place_name=PLACE).first()
    if session is None:
        officer = User.objects.get(email="officer@partnercity.local")
        start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
        with travel_to(max(process.voting_opens_at, start - dt.timedelta(days=2))):
            session = services.session_create(
                actor=officer,
                process=process,
                place_name=PLACE,
                address="Piazza del Nettuno 3, Bologna",
                district="Centro",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=10),
                facilitators=[facilitator],
            )
    if session.state == VotingSession.State.PLANNED:
        session = services.session_open(actor=facilitator, session=session)
    return session


def seed(stdout) -> None:
    process = Process.objects.filter(title=VOTING_TITLE, state=Process.State.VOTING).first()
    facilitator = User.objects.filter(email=FACILITATOR).first()
    if process is None or facilitator is None:
        stdout.write("Live voting demo skipped: no demo voting process or facilitator.")
        return
    session = _session(process, facilitator)
    if session.state in VotingSession.PAIRING_STATES:
        code, until = services.pairing_code_issue(actor=facilitator, session=session)
        _pairing["code"] = code
        _pairing["until"] = f"{timezone.localtime(until):%H:%M}"


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
