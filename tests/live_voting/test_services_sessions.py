"""Planning, running and signing off sessions; pairing tablets."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import AuditEntry
from budgeting.live import credentials, services, throttles
from budgeting.live.models import BallotToken, Tablet, VotingSession
from budgeting.live.services import LiveError
from budgeting.models import Process
from tests.budgeting.factories import process_create, project_create
from tests.citizens.factories import officer_create, user_create
from tests.live_voting.factories import checkin, facilitator_create, session_make, tablet_make

pytestmark = pytest.mark.django_db
S = VotingSession.State


@pytest.fixture
def facilitator():
    return facilitator_create()


@pytest.fixture
def session(facilitator):
    return session_make(facilitators=[facilitator], state=S.PLANNED)


def test_an_officer_plans_a_session_with_facilitators(facilitator):
    officer = officer_create()
    process = process_create()
    now = timezone.now()
    session = services.session_create(
        actor=officer,
        process=process,
        place_name=" Biblioteca Salaborsa ",
        district="Centro",
        starts_at=now,
        ends_at=now + dt.timedelta(hours=4),
        facilitators=[facilitator],
    )
    assert session.state == S.PLANNED and session.place_name == "Biblioteca Salaborsa"
    assert list(session.facilitators.all()) == [facilitator]
    assert AuditEntry.objects.for_object(session).get().action == "pb_live.session_create"


def test_planning_is_refused_to_facilitators_and_for_people_without_the_role(facilitator):
    now = timezone.now()
    kwargs = {
        "process": process_create(),
        "place_name": "Hall",
        "starts_at": now,
        "ends_at": now + dt.timedelta(hours=1),
    }
    with pytest.raises(PermissionDenied):
        services.session_create(actor=facilitator, **kwargs)
    with pytest.raises(LiveError) as info:
        services.session_create(actor=officer_create(), facilitators=[user_create()], **kwargs)
    assert info.value.code == "not_facilitator"
    with pytest.raises(LiveError) as info:
        services.session_create(actor=officer_create(), **(kwargs | {"ends_at": now}))
    assert info.value.code == "dates"


def test_the_state_machine_follows_its_table(session, facilitator):
    services.session_open(actor=facilitator, session=session)
    session.refresh_from_db()
    assert session.state == S.OPEN and session.opened_at is not None
    services.session_pause(actor=facilitator, session=session)
    services.session_resume(actor=facilitator, session=session)
    with pytest.raises(PermissionDenied):  # open -> open is not a move the rules allow
        services.session_resume(actor=facilitator, session=session)
    services.session_close(actor=facilitator, session=session)
    session.refresh_from_db()
    assert session.state == S.CLOSED and session.closed_at is not None
    with pytest.raises(PermissionDenied):
        services.session_open(actor=facilitator, session=session)
    actions = list(
        AuditEntry.objects.for_object(session).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "pb_live.session_open",
        "pb_live.session_pause",
        "pb_live.session_resume",
        "pb_live.session_close",
    ]


def test_a_session_opens_only_while_voting_is_open(facilitator):
    process = process_create(state=Process.State.REVIEW)
    session = session_make(process, facilitators=[facilitator], state=S.PLANNED)
    with pytest.raises(LiveError) as info:
        services.session_open(actor=facilitator, session=session)
    assert info.value.code == "process_closed"


def test_only_the_sessions_own_facilitators_run_it(session):
    other = facilitator_create()
    with pytest.raises(PermissionDenied):
        services.session_open(actor=other, session=session)
    with pytest.raises(PermissionDenied):
        services.session_open(actor=officer_create(), session=session)
    session.refresh_from_db()
    assert session.state == S.PLANNED


def test_closing_voids_open_tokens_and_ends_pairing(facilitator):
    session = session_make(facilitators=[facilitator])
    tablet, _credential = tablet_make(session)
    checkin(session, facilitator, tablet=tablet)
    checkin(session, facilitator)  # a short code nobody typed
    services.pairing_code_issue(actor=facilitator, session=session)
    services.session_close(actor=facilitator, session=session)
    session.refresh_from_db()
    assert not session.pairing_code_hash
    tokens = BallotToken.objects.filter(session=session)
    assert {t.state for t in tokens} == {BallotToken.State.VOIDED}
    assert {t.void_reason for t in tokens} == {BallotToken.VoidReason.CLOSED}
    tablet.refresh_from_db()
    assert tablet.state == Tablet.State.IDLE


def test_reconciliation_is_signed_off_and_mismatches_need_a_note(facilitator):
    project = project_create(process := process_create())
    session = session_make(process, facilitators=[facilitator])
    tablet, _credential = tablet_make(session)
    _result, token = checkin(session, facilitator, tablet=tablet)
    services.kiosk_cast(
        tablet=tablet, token=token, project_ids=[project.pk], idempotency_key="k" * 20
    )
    checkin(session, facilitator)  # walks away: voided at close
    with pytest.raises(PermissionDenied):  # still open
        services.session_reconcile(actor=facilitator, session=session)
    services.session_close(actor=facilitator, session=session)
    reconciled = services.session_reconcile(actor=facilitator, session=session)
    assert reconciled.state == S.RECONCILED and reconciled.reconciled_by == facilitator
    counts = reconciled.reconciliation
    assert counts["checkins"] == 2 and counts["tokens"]["used"] == 1
    assert counts["ballots_in_person"] == 1 and counts["abandoned"] == 1
    assert counts["tokens"]["voided"] == 1 and counts["mismatches"] == []
    entry = AuditEntry.objects.for_object(session).get(action="pb_live.session_reconcile")
    assert entry.after["counts"]["checkins"] == 2


def test_a_mismatch_is_reported_and_needs_an_explanation(facilitator):
    session = session_make(facilitators=[facilitator])
    checkin(session, facilitator)
    services.session_close(actor=facilitator, session=session)
    # A token is spent without a ballot (what a broken tablet or a bug would leave behind).
    BallotToken.objects.filter(session=session).update(state=BallotToken.State.USED, void_reason="")
    with pytest.raises(LiveError) as info:
        services.session_reconcile(actor=facilitator, session=session)
    assert info.value.code == "note_required"
    done = services.session_reconcile(
        actor=facilitator, session=session, note="Tablet 2 crashed during a vote."
    )
    assert done.reconciliation["mismatches"] == ["ballots_tokens"]
    assert done.reconciliation_note == "Tablet 2 crashed during a vote."


def test_a_pairing_code_pairs_one_tablet_and_is_stored_hashed(session, facilitator):
    code, expires_at = services.pairing_code_issue(actor=facilitator, session=session)
    session.refresh_from_db()
    assert code.replace("-", "") not in session.pairing_code_hash
    assert session.pairing_code_hash == credentials.pairing_code_hash(code)
    tablet, credential = services.tablet_pair(code=code.lower(), label="By the door", ip="10.0.0.5")
    assert tablet.session == session and tablet.label == "By the door"
    assert tablet.credential_hash == credentials.device_credential_hash(credential)
    assert credential not in tablet.credential_hash
    with pytest.raises(LiveError) as info:
        services.tablet_pair(code=code, ip="10.0.0.5")
    assert info.value.code == "bad_code"
    assert AuditEntry.objects.filter(action="pb_live.tablet_pair").count() == 1


def test_an_expired_pairing_code_is_refused(session, facilitator):
    code, expires_at = services.pairing_code_issue(actor=facilitator, session=session)
    with time_machine.travel(expires_at + dt.timedelta(seconds=1)), pytest.raises(LiveError):
        services.tablet_pair(code=code, ip="10.0.0.6")
    assert not Tablet.objects.exists()


def pair_refusal(code, ip) -> str:
    with pytest.raises(LiveError) as info:
        services.tablet_pair(code=code, ip=ip)
    return info.value.code


def test_ten_wrong_pairing_codes_do_not_refuse_the_genuine_one(session, facilitator):
    code, _expires = services.pairing_code_issue(actor=facilitator, session=session)
    for n in range(10):
        assert pair_refusal(f"AAAA-AA{n}A", "10.0.0.7") == "bad_code"
    tablet, _credential = services.tablet_pair(code=code, ip="10.0.0.7")
    assert tablet.session == session


def test_wrong_pairing_codes_slow_down_their_address_only(session, facilitator, settings):
    settings.PB_LIVE_PAIRING_BACKOFF = (3, 5.0, 60, 3600)  # 3 free, then 5 s, 10 s…
    with time_machine.travel(dt.datetime.now(tz=dt.UTC), tick=False) as clock:
        code, _expires = services.pairing_code_issue(actor=facilitator, session=session)
        for wrong in ("AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC", "DDDD-DDDD"):
            assert pair_refusal(wrong, "10.0.0.7") == "bad_code"
        with pytest.raises(LiveError) as info:  # not checked while the address waits
            services.tablet_pair(code=code, ip="10.0.0.7")
        assert (info.value.code, info.value.retry_after) == ("throttled", 5)
        assert [a["ip"] for a in throttles.pairing_alerts()] == ["10.0.0.7"]
        clock.shift(5)
        tablet, _credential = services.tablet_pair(code=code, ip="10.0.0.7")
        assert tablet.session == session
        code, _expires = services.pairing_code_issue(actor=facilitator, session=session)
        for _ in range(2):
            assert pair_refusal("EEEE-EEEE", "10.0.0.9") == "bad_code"
            clock.shift(60)
        assert pair_refusal("EEEE-EEEE", "10.0.0.9") == "bad_code"
        assert pair_refusal("FFFF-FFFF", "10.0.0.9") == "bad_code"  # the 4th: it waits
        assert pair_refusal(code, "10.0.0.9") == "throttled"
        other, _credential = services.tablet_pair(code=code, ip="10.0.0.8")  # elsewhere
        assert other.session == session


def test_a_facilitator_lets_an_address_try_pairing_again(session, facilitator, settings):
    settings.PB_LIVE_PAIRING_BACKOFF = (0, 60.0, 60, 3600)
    code, _expires = services.pairing_code_issue(actor=facilitator, session=session)
    assert pair_refusal("AAAA-AAAA", "10.0.0.7") == "bad_code"
    assert pair_refusal(code, "10.0.0.7") == "throttled"
    services.codes_reset(actor=facilitator, session=session, ip="10.0.0.7")
    assert throttles.pairing_alerts() == []
    tablet, _credential = services.tablet_pair(code=code, ip="10.0.0.7")
    assert tablet.session == session


def test_two_tablets_get_distinct_labels(session, facilitator):
    labels = []
    for _ in range(2):
        code, _expires = services.pairing_code_issue(actor=facilitator, session=session)
        labels.append(services.tablet_pair(code=code)[0].label)
    assert labels == ["Tablet 1", "Tablet 2"]


def test_revoking_a_tablet_voids_its_token(facilitator):
    session = session_make(facilitators=[facilitator])
    tablet, _credential = tablet_make(session)
    result, _token = checkin(session, facilitator, tablet=tablet)
    services.tablet_revoke(actor=facilitator, session=session, tablet=tablet)
    tablet.refresh_from_db()
    assert tablet.is_revoked and tablet.revoked_by == facilitator
    token = result.issued.token
    token.refresh_from_db()
    assert token.state == BallotToken.State.VOIDED
    assert token.void_reason == BallotToken.VoidReason.REVOKED
    assert AuditEntry.objects.filter(action="pb_live.tablet_revoke").count() == 1
