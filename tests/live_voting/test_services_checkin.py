"""Check-in: census, eligibility, one participation across channels and sessions, tokens."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from audit.models import AuditEntry
from budgeting import services as pb_services
from budgeting.eligibility import Ineligible
from budgeting.live import credentials, selectors, services
from budgeting.live.models import BallotToken, Tablet, VotingSession
from budgeting.live.services import LiveError
from budgeting.models import Ballot, Channel, Participation, Process
from budgeting.services import AlreadyVoted
from tests.budgeting.factories import key, process_create, project_create
from tests.citizens.factories import census_person
from tests.live_voting.factories import (
    checkin,
    facilitator_create,
    resident_with_document,
    session_make,
    tablet_make,
)

pytestmark = pytest.mark.django_db
S = VotingSession.State
T = BallotToken.State


@pytest.fixture
def facilitator():
    return facilitator_create()


@pytest.fixture
def process():
    return process_create(budget=50_000)


@pytest.fixture
def session(process, facilitator):
    return session_make(process, facilitators=[facilitator])


def test_check_in_records_an_in_person_participation_and_a_token_with_no_link(session, facilitator):
    tablet, _credential = tablet_make(session)
    doc, birth, record = census_person(district="Navile", birth_date="1990-05-01")
    result = services.checkin_create(
        actor=facilitator, session=session, document_id=doc, birth_date=birth, tablet=tablet
    )
    participation = result.participation
    assert participation.channel == Channel.IN_PERSON and participation.session_id == session.pk
    assert participation.recorded_by == facilitator and participation.census_record == record
    assert participation.ballot is None
    token = result.issued.token
    assert token.session == session and token.tablet == tablet and token.state == T.ISSUED
    assert result.issued.short_code is None
    # The token names no person and no participation; it stores no raw secret.
    names = {f.name for f in BallotToken._meta.get_fields()}
    assert not names & {"participation", "census_record", "user", "person"}
    raw = credentials.token_from_nonce(token.nonce)
    assert raw not in token.token_hash and token.token_hash == credentials.token_hash(raw)
    assert selectors.tablets_of(session)[0]["state"] == Tablet.State.VOTING
    entry = AuditEntry.objects.get(action="pb_live.checkin")
    assert entry.actor == facilitator and entry.after["participation"] == participation.pk
    assert "token" not in entry.after


def test_without_a_tablet_the_voter_gets_a_short_code_stored_hashed(session, facilitator):
    result, _token = checkin(session, facilitator)
    code = result.issued.short_code
    assert len(code) == 6 and code.isdigit()
    token = result.issued.token
    assert token.tablet is None
    assert token.short_code_hash == credentials.short_code_hash(session.pk, code)


def test_an_unknown_document_is_refused_and_repeated_failures_are_throttled(
    session, facilitator, settings
):
    settings.PB_LIVE_CHECKIN_THROTTLE = (2, 600)
    for _ in range(2):
        with pytest.raises(LiveError) as info:
            services.checkin_create(
                actor=facilitator,
                session=session,
                document_id="NOPE123",
                birth_date=dt.date(1980, 1, 1),
            )
        assert info.value.code == "not_found"
    with pytest.raises(LiveError) as info:
        checkin(session, facilitator)
    assert info.value.code == "throttled"
    assert not Participation.objects.exists()


def test_ineligible_people_are_refused(facilitator):
    process = process_create(residency=Process.Residency.DISTRICT, eligible_district="Navile")
    session = session_make(process, facilitators=[facilitator])
    with pytest.raises(Ineligible) as info:
        checkin(session, facilitator, district="Centro")
    assert info.value.code == "wrong_district"
    with pytest.raises(Ineligible) as info:
        checkin(session, facilitator, district="Navile", birth_date="2015-01-01")
    assert info.value.code == "under_age"
    assert not BallotToken.objects.exists()


def test_someone_checked_in_at_another_session_is_refused(process, facilitator):
    first = session_make(process, facilitators=[facilitator])
    second = session_make(process, facilitators=[facilitator])
    doc, birth, _record = census_person()
    services.checkin_create(actor=facilitator, session=first, document_id=doc, birth_date=birth)
    with pytest.raises(AlreadyVoted) as info:
        services.checkin_create(
            actor=facilitator, session=second, document_id=doc, birth_date=birth
        )
    assert info.value.code == "voted_in_person"
    assert Participation.objects.count() == 1 and BallotToken.objects.count() == 1


def test_someone_who_voted_online_is_refused_by_default(process, session, facilitator):
    project = project_create(process, cost=10_000)
    voter, doc, birth = resident_with_document()
    pb_services.ballot_cast(
        user=voter, process=process, project_ids=[project.pk], idempotency_key=key()
    )
    with pytest.raises(AlreadyVoted) as info:
        services.checkin_create(
            actor=facilitator, session=session, document_id=doc, birth_date=birth
        )
    assert info.value.code == "voted_online"
    assert Ballot.objects.get().state == Ballot.State.COUNTED


def test_the_in_person_ballot_replaces_the_online_one_when_the_process_says_so(facilitator):
    process = process_create(cross_channel=Process.CrossChannel.REPLACE)
    session = session_make(process, facilitators=[facilitator])
    project = project_create(process, cost=10_000)
    voter, doc, birth = resident_with_document()
    online = pb_services.ballot_cast(
        user=voter, process=process, project_ids=[project.pk], idempotency_key=key()
    ).ballot
    tablet, _credential = tablet_make(session)
    result = services.checkin_create(
        actor=facilitator, session=session, document_id=doc, birth_date=birth, tablet=tablet
    )
    assert result.replaced_online
    online.refresh_from_db()
    assert online.state == Ballot.State.REPLACED
    participation = Participation.objects.get()
    assert participation.channel == Channel.IN_PERSON and participation.ballot is None
    token = credentials.token_from_nonce(result.issued.token.nonce)
    services.kiosk_cast(
        tablet=tablet, token=token, project_ids=[project.pk], idempotency_key="r" * 16
    )
    assert Ballot.objects.filter(state=Ballot.State.COUNTED).get().channel == Channel.IN_PERSON


def test_check_in_needs_an_open_session_and_its_own_facilitator(process, facilitator):
    paused = session_make(process, facilitators=[facilitator], state=S.PAUSED)
    with pytest.raises(PermissionDenied):
        checkin(paused, facilitator)
    session = session_make(process, facilitators=[facilitator])
    with pytest.raises(PermissionDenied):
        checkin(session, facilitator_create())
    with (
        time_machine.travel(process.voting_closes_at + dt.timedelta(minutes=1)),
        pytest.raises(LiveError) as info,
    ):
        checkin(session, facilitator)
    assert info.value.code == "closed"
    assert not Participation.objects.exists()


def test_a_busy_tablet_or_another_sessions_tablet_cannot_take_a_token(
    process, session, facilitator
):
    tablet, _credential = tablet_make(session)
    checkin(session, facilitator, tablet=tablet)
    with pytest.raises(LiveError) as info:
        checkin(session, facilitator, tablet=tablet)
    assert info.value.code == "tablet_busy"
    elsewhere, _credential = tablet_make(session_make(process))
    with pytest.raises(LiveError) as info:
        checkin(session, facilitator, tablet=elsewhere)
    assert info.value.code == "bad_tablet"
    assert Participation.objects.count() == 1  # the refused check-ins left nothing behind


def test_a_facilitator_voids_and_reissues_a_token(session, facilitator):
    tablet, _credential = tablet_make(session)
    result, _token = checkin(session, facilitator, tablet=tablet)
    token = result.issued.token
    with pytest.raises(LiveError) as info:
        services.token_reissue(actor=facilitator, session=session, token=token)
    assert info.value.code == "token_issued"
    services.token_void(actor=facilitator, session=session, token=token)
    token.refresh_from_db()
    assert token.state == T.VOIDED and token.void_reason == BallotToken.VoidReason.FACILITATOR
    tablet.refresh_from_db()
    assert tablet.state == Tablet.State.IDLE
    issued = services.token_reissue(actor=facilitator, session=session, token=token, tablet=tablet)
    assert issued.token.replaces == token and issued.tablet == tablet
    with pytest.raises(LiveError) as info:
        services.token_reissue(actor=facilitator, session=session, token=token)
    assert info.value.code == "already_reissued"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"pb_live.token_void", "pb_live.token_reissue"} <= actions


def test_an_expired_token_can_be_reissued(session, facilitator):
    result, _token = checkin(session, facilitator)
    token = result.issued.token
    with time_machine.travel(token.expires_at + dt.timedelta(seconds=1)):
        issued = services.token_reissue(actor=facilitator, session=session, token=token)
    token.refresh_from_db()
    assert token.state == T.EXPIRED and issued.token.state == T.ISSUED
    assert issued.short_code


def test_a_used_token_cannot_be_voided_or_reissued(process, session, facilitator):
    project = project_create(process, cost=10_000)
    tablet, _credential = tablet_make(session)
    result, token = checkin(session, facilitator, tablet=tablet)
    services.kiosk_cast(tablet=tablet, token=token, project_ids=[project.pk], idempotency_key=key())
    with pytest.raises(LiveError) as info:
        services.token_void(actor=facilitator, session=session, token=result.issued.token)
    assert info.value.code == "token_used"
    with pytest.raises(LiveError) as info:
        services.token_reissue(actor=facilitator, session=session, token=result.issued.token)
    assert info.value.code == "token_used"


def test_services_push_to_live_groups_only_after_commit(
    session, facilitator, monkeypatch, django_capture_on_commit_callbacks
):
    from budgeting.live import broadcast

    marked, refreshed = [], []
    monkeypatch.setattr(broadcast, "mark_dirty", lambda kind, pk: marked.append((kind, pk)))
    monkeypatch.setattr(
        broadcast, "kiosks_refresh", lambda **kw: refreshed.append(kw["tablet_ids"])
    )
    tablet, _credential = tablet_make(session)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        checkin(session, facilitator, tablet=tablet)
    assert marked == [] and callbacks
    for callback in callbacks:
        callback()
    assert (broadcast.PROCESS, session.process_id) in marked
    assert (broadcast.SESSION, session.pk) in marked
    assert refreshed == [[tablet.pk]]
