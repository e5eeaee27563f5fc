"""Casting on a tablet: one token, one ballot, no person; resends; paper ballots."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import AuditEntry
from budgeting.live import selectors, services, throttles
from budgeting.live.models import BallotToken, Tablet, VotingSession
from budgeting.live.services import LiveError
from budgeting.models import Ballot, Channel
from budgeting.validation import BallotInvalid
from tests.budgeting.factories import key, process_create, project_create
from tests.citizens.factories import officer_create
from tests.live_voting.factories import checkin, facilitator_create, session_make, tablet_make

pytestmark = pytest.mark.django_db
S = VotingSession.State
T = BallotToken.State


@pytest.fixture
def facilitator():
    return facilitator_create()


@pytest.fixture
def process():
    return process_create(budget=50_000, envelopes={"Centro": 30_000, "Navile": 20_000})


@pytest.fixture
def projects(process):
    return {
        "centro": project_create(process, cost=20_000, district="Centro"),
        "centro_big": project_create(process, cost=25_000, district="Centro"),
        "navile": project_create(process, cost=15_000, district="Navile"),
    }


@pytest.fixture
def session(process, facilitator):
    return session_make(process, facilitators=[facilitator])


@pytest.fixture
def tablet(session):
    return tablet_make(session)[0]


def cast(tablet, token, ids, k=None):
    return services.kiosk_cast(
        tablet=tablet, token=token, project_ids=ids, idempotency_key=k or key()
    )


def test_a_tablet_casts_an_anonymous_in_person_ballot(session, facilitator, tablet, projects):
    result, token = checkin(session, facilitator, tablet=tablet, district="Centro")
    outcome = cast(tablet, token, [projects["centro"].pk])
    assert outcome.created
    ballot = Ballot.objects.get()
    assert ballot.channel == Channel.IN_PERSON and ballot.session_id == session.pk
    assert ballot.district == "Centro" and ballot.state == Ballot.State.COUNTED
    assert not hasattr(ballot, "participation") or ballot.participation is None
    assert result.participation.ballot is None  # the person is not linked to the ballot
    spent = BallotToken.objects.get()
    assert spent.state == T.USED and spent.finished_at is not None
    assert selectors.tablets_of(session)[0]["state"] == Tablet.State.IDLE


def test_the_same_submission_sent_again_is_counted_once_with_a_success_answer(
    session, facilitator, tablet, projects
):
    _result, token = checkin(session, facilitator, tablet=tablet)
    k = key()
    assert cast(tablet, token, [projects["centro"].pk], k).created
    again = cast(tablet, token, [projects["centro"].pk], k)
    assert not again.created
    assert Ballot.objects.count() == 1


def test_a_key_already_used_by_another_ballot_is_refused_and_the_token_survives(
    session, facilitator, tablet, projects
):
    _result, first = checkin(session, facilitator, tablet=tablet, district="Centro")
    k = key()
    assert cast(tablet, first, [projects["centro"].pk], k).created
    _result, second = checkin(session, facilitator, tablet=tablet, district="Centro")
    with pytest.raises(LiveError) as info:
        cast(tablet, second, [projects["centro"].pk], k)
    assert info.value.code == "key_reused"
    assert Ballot.objects.count() == 1
    # Rolled back with the refused ballot: the voter can still cast with a new key.
    assert BallotToken.objects.filter(state=T.ISSUED).count() == 1
    assert cast(tablet, second, [projects["centro_big"].pk]).created
    assert Ballot.objects.count() == 2


def test_a_spent_token_cannot_pay_for_a_second_ballot(session, facilitator, tablet, projects):
    _result, token = checkin(session, facilitator, tablet=tablet)
    cast(tablet, token, [projects["centro"].pk])
    with pytest.raises(LiveError) as info:
        cast(tablet, token, [projects["centro"].pk])  # a new key
    assert info.value.code == "token_used"
    with pytest.raises(LiveError) as info:  # same key, other content: not a resend
        cast(tablet, token, [projects["centro_big"].pk], "x" * 10)
    assert Ballot.objects.count() == 1


def test_the_ballot_is_validated_by_the_same_rules_and_the_token_survives(
    session, facilitator, tablet, projects
):
    _result, token = checkin(session, facilitator, tablet=tablet, district="Centro")
    with pytest.raises(BallotInvalid) as info:  # 45,000 > the Centro envelope of 30,000
        cast(tablet, token, [projects["centro"].pk, projects["centro_big"].pk])
    assert "over_budget" in {e.code for e in info.value.error_list}
    with pytest.raises(BallotInvalid) as info:
        cast(tablet, token, [projects["navile"].pk])
    assert "other_district" in {e.code for e in info.value.error_list}
    assert BallotToken.objects.get().state == T.ISSUED
    assert cast(tablet, token, [projects["centro"].pk]).created


def test_expired_voided_and_unknown_tokens_are_refused(session, facilitator, tablet, projects):
    result, token = checkin(session, facilitator, tablet=tablet)
    with (
        time_machine.travel(result.issued.token.expires_at + dt.timedelta(seconds=1)),
        pytest.raises(LiveError) as info,
    ):
        cast(tablet, token, [projects["centro"].pk])
    assert info.value.code == "token_expired"
    assert BallotToken.objects.get().state == T.EXPIRED  # kept although the cast failed
    with pytest.raises(LiveError) as info:
        cast(tablet, "0" * 32, [projects["centro"].pk])
    assert info.value.code == "unknown"
    other, token = checkin(session, facilitator, tablet=tablet)
    services.token_void(actor=facilitator, session=session, token=other.issued.token)
    with pytest.raises(LiveError) as info:
        cast(tablet, token, [projects["centro"].pk])
    assert info.value.code == "token_voided"
    assert not Ballot.objects.exists()


def test_a_device_only_submits_for_its_own_session_and_its_own_tokens(
    process, session, facilitator, tablet, projects
):
    _result, token = checkin(session, facilitator, tablet=tablet)
    neighbour, _credential = tablet_make(session)
    elsewhere, _credential = tablet_make(session_make(process))
    for device in (neighbour, elsewhere):
        with pytest.raises(LiveError) as info:
            cast(device, token, [projects["centro"].pk])
        assert info.value.code == "unknown"
    assert not Ballot.objects.exists()


def test_guessing_tokens_is_throttled(session, tablet, projects, settings):
    settings.PB_LIVE_TOKEN_THROTTLE = (3, 600)
    for n in range(3):
        with pytest.raises(LiveError):
            cast(tablet, f"{n:032x}", [projects["centro"].pk])
    with pytest.raises(LiveError) as info:
        cast(tablet, "f" * 32, [projects["centro"].pk])
    assert info.value.code == "throttled"


def test_a_revoked_tablet_cannot_cast(session, facilitator, tablet, projects):
    _result, token = checkin(session, facilitator, tablet=tablet)
    services.tablet_revoke(actor=facilitator, session=session, tablet=tablet)
    with pytest.raises(LiveError) as info:  # a copy read before the revocation
        cast(tablet, token, [projects["centro"].pk])
    assert info.value.code == "token_voided"
    fresh = Tablet.objects.select_related("session__process").get(pk=tablet.pk)
    with pytest.raises(PermissionDenied):
        cast(fresh, token, [projects["centro"].pk])
    assert not Ballot.objects.exists()


def test_casting_continues_while_paused_and_stops_after_close(
    session, facilitator, tablet, projects
):
    _result, token = checkin(session, facilitator, tablet=tablet)
    services.session_pause(actor=facilitator, session=session)
    assert cast(tablet, token, [projects["centro"].pk]).created
    services.session_resume(actor=facilitator, session=session)
    _result, token = checkin(session, facilitator, tablet=tablet)
    services.session_close(actor=facilitator, session=session)
    with pytest.raises(LiveError) as info:
        cast(tablet, token, [projects["centro"].pk])
    assert info.value.code == "token_voided"
    assert Ballot.objects.count() == 1


def test_a_malformed_key_is_refused(session, facilitator, tablet, projects):
    _result, token = checkin(session, facilitator, tablet=tablet)
    for bad in ("", "short", "has space in it", "x" * 65):
        with pytest.raises(LiveError) as info:
            services.kiosk_cast(
                tablet=tablet, token=token, project_ids=[projects["centro"].pk], idempotency_key=bad
            )
        assert info.value.code == "bad_key"


def test_a_voter_types_a_short_code_on_an_idle_tablet(session, facilitator, tablet, projects):
    result, _token = checkin(session, facilitator, district="Navile")
    token = services.token_claim(tablet=tablet, short_code=result.issued.short_code)
    spent = BallotToken.objects.get()
    assert spent.tablet == tablet
    assert cast(tablet, token, [projects["navile"].pk]).created
    with pytest.raises(LiveError) as info:  # the code is spent too
        services.token_claim(tablet=tablet, short_code=result.issued.short_code)
    assert info.value.code == "bad_code"


def wrong_codes(real: str, n: int) -> list[str]:
    return [f"{(int(real) + k) % 10**6:06d}" for k in range(1, n + 1)]


def guess(tablet, code, ip="") -> str:
    """The refusal's code ("bad_code", "throttled"); a test fails if the guess succeeds."""
    with pytest.raises(LiveError) as info:
        services.token_claim(tablet=tablet, short_code=code, ip=ip)
    return info.value.code


def test_short_codes_are_bound_to_their_session(process, session, facilitator, tablet):
    result, _token = checkin(session, facilitator)
    elsewhere, _credential = tablet_make(session_make(process))
    assert guess(elsewhere, result.issued.short_code) == "bad_code"
    assert services.token_claim(tablet=tablet, short_code=result.issued.short_code)


def test_a_tablet_guessing_short_codes_waits_longer_after_each_wrong_one(
    session, facilitator, tablet, settings
):
    settings.PB_LIVE_CLAIM_BACKOFF = (2, 10.0, 300, 3600)  # 2 free, then 10 s, 20 s, 40 s…
    with time_machine.travel(timezone.now(), tick=False) as clock:
        result, _token = checkin(session, facilitator)
        real = result.issued.short_code
        first, second, third, fourth = wrong_codes(real, 4)
        assert [guess(tablet, first), guess(tablet, second)] == ["bad_code", "bad_code"]
        assert guess(tablet, third) == "bad_code"  # now it waits 10 s
        with pytest.raises(LiveError) as info:  # not checked while it waits, even the real one
            services.token_claim(tablet=tablet, short_code=real)
        assert (info.value.code, info.value.retry_after) == ("throttled", 10)
        clock.shift(10)
        assert guess(tablet, fourth) == "bad_code"  # now 20 s
        clock.shift(19)
        assert guess(tablet, real) == "throttled"
        clock.shift(1)
        assert services.token_claim(tablet=tablet, short_code=real)


def test_wrong_codes_from_three_tablets_do_not_lock_out_a_fourth(session, facilitator):
    result, _token = checkin(session, facilitator)
    real = result.issued.short_code
    tablets = [tablet_make(session)[0] for _ in range(4)]
    for n, device in enumerate(tablets[:3]):  # 30 wrong codes in the session
        for code in wrong_codes(real, 10):
            assert guess(device, code, ip=f"198.51.100.{n}") in {"bad_code", "throttled"}
    assert services.token_claim(tablet=tablets[3], short_code=real, ip="198.51.100.9")


def test_wrong_codes_from_a_venues_address_do_not_lock_out_its_other_tablets(session, facilitator):
    result, _token = checkin(session, facilitator)
    real = result.issued.short_code
    guesser, honest = tablet_make(session)[0], tablet_make(session)[0]
    for code in wrong_codes(real, 12):  # behind the venue's one public address
        assert guess(guesser, code, ip="203.0.113.5") in {"bad_code", "throttled"}
    assert guess(guesser, real, ip="203.0.113.5") == "throttled"
    assert services.token_claim(tablet=honest, short_code=real, ip="203.0.113.5")


def test_past_the_sessions_budget_every_failing_tablet_backs_off_and_the_console_is_told(
    session, facilitator, settings
):
    settings.PB_LIVE_CLAIM_SHARED_FREE = 4
    result, _token = checkin(session, facilitator)
    real = result.issued.short_code
    tablets = [tablet_make(session)[0] for _ in range(6)]
    quiet = throttles.claim_alerts(session_id=session.pk, tablets=[])
    assert not quiet["alert"]
    for device, code in zip(tablets[:5], wrong_codes(real, 5), strict=True):
        assert guess(device, code) == "bad_code"  # one each: five for the session
    assert guess(tablets[4], real) == "throttled"  # the fifth backs off from its first
    assert guess(tablets[0], wrong_codes(real, 6)[-1]) == "bad_code"
    assert guess(tablets[0], real) == "throttled"  # and so does any failing tablet now
    rows = [{"id": t.pk, "label": t.label} for t in tablets]
    alerts = throttles.claim_alerts(session_id=session.pk, tablets=rows)
    assert alerts["alert"] and alerts["failures"] == 6
    assert {t["id"] for t in alerts["tablets"]} == {tablets[0].pk, tablets[4].pk}
    services.codes_reset(actor=facilitator, session=session, tablet=tablets[4])
    assert services.token_claim(tablet=tablets[4], short_code=real)  # reset: tries again
    assert AuditEntry.objects.filter(action="pb_live.codes_reset").count() == 1


def test_only_the_sessions_facilitators_reset_wrong_codes(session, tablet):
    stranger = facilitator_create()
    with pytest.raises(PermissionDenied):
        services.codes_reset(actor=stranger, session=session, tablet=tablet)


def test_the_kiosk_voids_its_token_after_inactivity(session, facilitator, tablet):
    result, token = checkin(session, facilitator, tablet=tablet)
    assert services.kiosk_token_void(tablet=tablet, token=token)
    assert not services.kiosk_token_void(tablet=tablet, token=token)
    spent = BallotToken.objects.get()
    assert spent.state == T.VOIDED and spent.void_reason == BallotToken.VoidReason.INACTIVITY
    assert services.token_reissue(actor=facilitator, session=session, token=spent).short_code


def test_officers_enter_paper_ballots_validated_by_the_same_rules(session, projects):
    officer = officer_create()
    k = key()
    result = services.paper_ballot_enter(
        actor=officer,
        session=session,
        project_ids=[projects["navile"].pk],
        idempotency_key=k,
        district="Navile",
    )
    assert result.created and result.ballot.channel == Channel.PAPER
    assert result.ballot.session_id == session.pk and result.ballot.district == "Navile"
    again = services.paper_ballot_enter(
        actor=officer,
        session=session,
        project_ids=[projects["navile"].pk],
        idempotency_key=k,
        district="Navile",
    )
    assert not again.created
    with pytest.raises(BallotInvalid):
        services.paper_ballot_enter(
            actor=officer,
            session=session,
            project_ids=[projects["centro"].pk, projects["centro_big"].pk],
            idempotency_key=key(),
            district="Centro",
        )
    with pytest.raises(LiveError) as info:
        services.paper_ballot_enter(
            actor=officer,
            session=session,
            project_ids=[projects["navile"].pk],
            idempotency_key=key(),
        )
    assert info.value.code == "no_envelope"
    with pytest.raises(PermissionDenied):
        services.paper_ballot_enter(
            actor=facilitator_create(),
            session=session,
            project_ids=[projects["navile"].pk],
            idempotency_key=key(),
            district="Navile",
        )
    assert AuditEntry.objects.filter(action="pb_live.paper_ballot").count() == 1
    assert Ballot.objects.count() == 1


def test_paper_ballots_stop_once_the_session_is_signed_off(process, facilitator, projects):
    session = session_make(process, facilitators=[facilitator], state=S.CLOSED)
    services.session_reconcile(actor=facilitator, session=session)
    with pytest.raises(PermissionDenied):
        services.paper_ballot_enter(
            actor=officer_create(),
            session=session,
            project_ids=[projects["navile"].pk],
            idempotency_key=key(),
            district="Navile",
        )
