import datetime as dt
import itertools

from django.utils import timezone

from budgeting.live import credentials, services
from budgeting.live.models import Tablet, VotingSession
from citizens.rules import Role
from tests.budgeting.factories import process_create, project_create
from tests.citizens.factories import census_person, user_create

_seq = itertools.count(1)


def facilitator_create(**kwargs):
    return user_create(roles=[Role.FACILITATOR], **kwargs)


def session_make(process=None, *, facilitators=(), state=VotingSession.State.OPEN, **fields):
    """A session of a process in voting (by default open, one hour in, five to go)."""
    process = process or process_create()
    now = timezone.now()
    defaults = {
        "place_name": f"Library {next(_seq)}",
        "starts_at": now - dt.timedelta(hours=1),
        "ends_at": now + dt.timedelta(hours=5),
    }
    if state == VotingSession.State.RECONCILED:
        signer = facilitators[0] if facilitators else facilitator_create()
        defaults |= {"reconciled_at": now, "reconciled_by": signer}
    session = VotingSession.objects.create(process=process, state=state, **(defaults | fields))
    session.facilitators.set(facilitators)
    return session


def tablet_make(session, *, label=None, connected=True) -> tuple[Tablet, str]:
    """A paired tablet and its raw device credential (as if it had entered a pairing code)."""
    credential = credentials.device_credential_new()
    tablet = Tablet.objects.create(
        session=session,
        label=label or f"Tablet {next(_seq)}",
        credential_hash=credentials.device_credential_hash(credential),
        connections=1 if connected else 0,
        state=Tablet.State.IDLE if connected else Tablet.State.OFFLINE,
        last_seen=timezone.now() if connected else None,
    )
    return tablet, credential


def checkin(session, facilitator, *, tablet=None, district="Centro", birth_date="1980-01-01"):
    """Check a new census person in; returns (CheckinResult, raw ballot token)."""
    doc, birth, _record = census_person(district=district, birth_date=birth_date)
    result = services.checkin_create(
        actor=facilitator, session=session, document_id=doc, birth_date=birth, tablet=tablet
    )
    return result, credentials.token_from_nonce(result.issued.token.nonce)


def raw_token(token) -> str:
    return credentials.token_from_nonce(token.nonce)


def resident_with_document(district="Centro", birth_date="1980-01-01"):
    """A verified resident and the document and birth date a facilitator would type."""
    doc, birth, record = census_person(district=district, birth_date=birth_date)
    return user_create(census=record, roles=[Role.RESIDENT]), doc, birth


def ready_to_cast():
    """A process with one project, a session with its facilitator, and a tablet holding a
    token: (project, tablet, raw device credential, raw token, facilitator)."""
    process = process_create()
    project = project_create(process, cost=10_000)
    facilitator = facilitator_create()
    session = session_make(process, facilitators=[facilitator])
    tablet, credential = tablet_make(session)
    _result, token = checkin(session, facilitator, tablet=tablet)
    return project, tablet, credential, token, facilitator
