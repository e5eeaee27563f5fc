"""Console, kiosk, projector and paper pages: flows, bad input, cookies, CSRF, query counts."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from budgeting.live import credentials, services
from budgeting.live.models import BallotToken, Tablet, VotingSession
from budgeting.models import Ballot, Channel, Process
from tests.budgeting.factories import key, process_create, project_create
from tests.citizens.factories import census_person, officer_create, resident_create
from tests.live_voting.factories import (
    checkin,
    facilitator_create,
    raw_token,
    session_make,
    tablet_make,
)

pytestmark = pytest.mark.django_db
S = VotingSession.State


@pytest.fixture(autouse=True)
def _casts_in_the_test_transaction(settings):
    settings.PB_LIVE_CAST_THREADS = 0  # a pooled thread would not see this test's data


@pytest.fixture
def facilitator():
    return facilitator_create()


@pytest.fixture
def process():
    return process_create(budget=50_000)


@pytest.fixture
def project(process):
    return project_create(process, cost=20_000)


@pytest.fixture
def session(process, facilitator):
    return session_make(process, facilitators=[facilitator])


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def kiosk_client(credential, **kwargs) -> Client:
    client = Client(**kwargs)
    client.cookies["pb_live_device"] = credential
    return client


def post_json(client, url, data, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


# Console -----------------------------------------------------------------------------------


def test_a_facilitator_lists_only_their_sessions_in_constant_queries(
    process, facilitator, django_assert_max_num_queries
):
    mine = session_make(process, facilitators=[facilitator])
    session_make(process, facilitators=[facilitator_create()], place_name="Elsewhere")
    client = logged_in(facilitator)
    client.get(reverse("pb_live:session-list"))  # warm the permission cache and session
    with django_assert_max_num_queries(10):
        response = client.get(reverse("pb_live:session-list"))
    assert mine.place_name in response.content.decode()
    assert "Elsewhere" not in response.content.decode()
    for _ in range(6):
        session_make(process, facilitators=[facilitator])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("pb_live:session-list"))
    assert response.content.decode().count("/budgeting/live/sessions/") >= 7


def test_the_list_of_a_day_holds_the_sessions_held_that_day(process, facilitator):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    late = session_make(  # began yesterday evening, still running
        process,
        facilitators=[facilitator],
        place_name="Past midnight",
        starts_at=midnight - dt.timedelta(hours=2),
        ends_at=midnight + dt.timedelta(hours=2),
    )
    session_make(
        process,
        facilitators=[facilitator],
        place_name="Yesterday only",
        starts_at=midnight - dt.timedelta(hours=5),
        ends_at=midnight - dt.timedelta(hours=1),
    )
    client = logged_in(facilitator)
    url = reverse("pb_live:session-list")
    page = client.get(url, {"day": today.isoformat()}).content.decode()
    assert late.place_name in page and "Yesterday only" not in page
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    page = client.get(url, {"day": yesterday}).content.decode()
    assert late.place_name in page and "Yesterday only" in page
    for far in ("9999-12-31", "0001-01-01"):
        response = client.get(url, {"day": far})
        assert response.status_code == 200 and late.place_name not in response.content.decode()


def test_another_facilitators_session_is_not_found(session):
    response = logged_in(facilitator_create()).get(session.get_absolute_url())
    assert response.status_code == 404
    assert Client().get(session.get_absolute_url()).status_code == 302  # to the login page


def test_checking_in_from_the_console(session, facilitator):
    tablet, _credential = tablet_make(session, label="Door")
    doc, birth, _record = census_person(district="Centro")
    client = logged_in(facilitator)
    response = client.post(
        reverse("pb_live:checkin-create", args=[session.pk]),
        {"document_id": doc, "birth_date": birth.isoformat(), "tablet": str(tablet.pk)},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Ballot sent to Door" in page
    # With no tablet the page shows the short code, once.
    doc, birth, _record = census_person(district="Centro")
    response = client.post(
        reverse("pb_live:checkin-create", args=[session.pk]),
        {"document_id": doc, "birth_date": birth.isoformat(), "tablet": ""},
        follow=True,
    )
    assert 'data-testid="short-code"' in response.content.decode()
    assert 'data-testid="short-code"' not in client.get(session.get_absolute_url()).content.decode()


def test_a_refused_check_in_shows_why(session, facilitator):
    client = logged_in(facilitator)
    response = client.post(
        reverse("pb_live:checkin-create", args=[session.pk]),
        {"document_id": "XX0000000", "birth_date": "1980-01-01", "tablet": ""},
    )
    assert response.status_code == 400
    assert "No census record matches" in response.content.decode()
    response = client.post(
        reverse("pb_live:checkin-create", args=[session.pk]),
        {"document_id": "XX0000000", "birth_date": "not a date", "tablet": ""},
    )
    assert response.status_code == 400 and "YYYY-MM-DD" in response.content.decode()


def test_pairing_shows_a_code_and_a_qr_code_and_the_tablet_gets_a_strict_cookie(
    process, facilitator
):
    session = session_make(process, facilitators=[facilitator], state=S.PLANNED)
    client = logged_in(facilitator)
    client.post(reverse("pb_live:pairing-issue", args=[session.pk]))
    page = client.get(session.get_absolute_url()).content.decode()
    assert 'data-testid="pairing-code"' in page and "<svg" in page
    session.refresh_from_db()
    code = page.split('data-testid="pairing-code">')[1].split("<")[0]
    assert session.pairing_code_hash == credentials.pairing_code_hash(code)
    tablet_browser = Client()
    form = tablet_browser.get(reverse("pb_live:kiosk") + f"?code={code}").content.decode()
    assert f'value="{code}"' in form
    response = tablet_browser.post(reverse("pb_live:kiosk-pair"), {"code": code, "label": ""})
    assert response.status_code == 302
    cookie = response.cookies["pb_live_device"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/"
    tablet = Tablet.objects.get()
    assert tablet.credential_hash == credentials.device_credential_hash(cookie.value)
    shell = tablet_browser.get(reverse("pb_live:kiosk")).content.decode()
    assert 'id="kiosk"' in shell and tablet.label in shell
    # The code is spent: the console no longer shows it.
    assert (
        'data-testid="pairing-code"' not in client.get(session.get_absolute_url()).content.decode()
    )


def test_the_device_cookie_is_secure_when_session_cookies_are(session, facilitator, settings):
    settings.SESSION_COOKIE_SECURE = True
    code, _expires = services.pairing_code_issue(actor=facilitator, session=session)
    response = Client().post(reverse("pb_live:kiosk-pair"), {"code": code})
    assert response.cookies["pb_live_device"]["secure"]


def test_closing_asks_for_confirmation_then_leads_to_the_reconciliation(session, facilitator):
    client = logged_in(facilitator)
    url = reverse("pb_live:session-transition", args=[session.pk])
    response = client.post(url, {"to": "close"})
    assert response.status_code == 200 and 'data-testid="confirm"' in response.content.decode()
    session.refresh_from_db()
    assert session.state == S.OPEN
    response = client.post(url, {"to": "close", "confirm": "1"})
    assert response["Location"] == reverse("pb_live:session-reconcile", args=[session.pk])
    session.refresh_from_db()
    assert session.state == S.CLOSED


def test_the_reconciliation_page_highlights_mismatches_in_constant_queries(
    process, facilitator, django_assert_max_num_queries
):
    session = session_make(process, facilitators=[facilitator])
    for _ in range(3):
        checkin(session, facilitator)
    services.session_close(actor=facilitator, session=session)
    client = logged_in(facilitator)
    url = reverse("pb_live:session-reconcile", args=[session.pk])
    client.get(url)
    with django_assert_max_num_queries(16):
        page = client.get(url).content.decode()
    assert 'data-testid="counts-match"' in page
    BallotToken.objects.filter(session=session).update(state="used", void_reason="")
    with django_assert_max_num_queries(16):
        page = client.get(url).content.decode()
    assert 'data-testid="mismatches"' in page and 'class="mismatch"' in page
    response = client.post(url, {"note": ""})  # not confirmed
    assert response.status_code == 400
    response = client.post(url, {"note": "", "confirm": "on"})
    assert response.status_code == 400 and "explain the differences" in response.content.decode()
    response = client.post(url, {"note": "Tablet crashed", "confirm": "on"}, follow=True)
    assert 'data-testid="signed-off"' in response.content.decode()


# Kiosk JSON endpoints ----------------------------------------------------------------------


def test_the_kiosk_casts_over_json_and_a_resend_gets_the_same_answer(session, facilitator, project):
    tablet, credential = tablet_make(session)
    _result, token = checkin(session, facilitator, tablet=tablet)
    client = kiosk_client(credential)
    ballot = client.get(reverse("pb_live:kiosk-ballot"))
    assert ballot.status_code == 200 and f'id="project-{project.pk}"' in ballot.content.decode()
    body = {"token": token, "key": "k" * 32, "projects": [project.pk]}
    first = post_json(client, reverse("pb_live:kiosk-cast"), body)
    assert first.status_code == 200 and first.json() == {"ok": True, "created": True}
    again = post_json(client, reverse("pb_live:kiosk-cast"), body)
    assert again.status_code == 200 and again.json() == {"ok": True, "created": False}
    other = post_json(client, reverse("pb_live:kiosk-cast"), body | {"key": "z" * 32})
    assert other.status_code == 409 and other.json()["code"] == "token_used"
    assert Ballot.objects.get().channel == Channel.IN_PERSON
    assert client.get(reverse("pb_live:kiosk-ballot")).status_code == 409  # nothing waits


def test_kiosk_refusals_have_statuses_a_tablet_can_act_on(session, facilitator, project):
    tablet, credential = tablet_make(session)
    _result, token = checkin(session, facilitator, tablet=tablet)
    url = reverse("pb_live:kiosk-cast")
    unpaired = post_json(Client(), url, {"token": token, "key": key(), "projects": []})
    assert unpaired.status_code == 401
    client = kiosk_client(credential)
    invalid = post_json(client, url, {"token": token, "key": key(), "projects": []})
    assert invalid.status_code == 400 and invalid.json()["code"] == "invalid"
    assert "Choose at least 1 project." in invalid.json()["errors"]
    malformed = post_json(client, url, {"token": token, "key": key(), "projects": "1,2"})
    assert malformed.status_code == 422 and malformed.json()["errors"] == ["Malformed ballot."]
    unknown = post_json(client, url, {"token": "0" * 32, "key": key(), "projects": [project.pk]})
    assert unknown.status_code == 409 and unknown.json()["code"] == "unknown"
    services.tablet_revoke(actor=facilitator, session=session, tablet=tablet)
    revoked = post_json(client, url, {"token": token, "key": key(), "projects": [project.pk]})
    assert revoked.status_code == 403
    assert not Ballot.objects.exists()


def test_kiosk_posts_need_the_csrf_token(session, facilitator, project):
    tablet, credential = tablet_make(session)
    _result, token = checkin(session, facilitator, tablet=tablet)
    client = kiosk_client(credential, enforce_csrf_checks=True)
    body = {"token": token, "key": key(), "projects": [project.pk]}
    assert post_json(client, reverse("pb_live:kiosk-cast"), body).status_code == 403
    client.get(reverse("pb_live:kiosk"))  # sets the CSRF cookie, as the kiosk page does
    csrf = client.cookies["csrftoken"].value
    response = post_json(client, reverse("pb_live:kiosk-cast"), body, HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200


def test_a_code_typed_on_the_kiosk_brings_the_ballot(session, facilitator, project):
    tablet, credential = tablet_make(session)
    result, _token = checkin(session, facilitator)
    client = kiosk_client(credential)
    wrong = post_json(client, reverse("pb_live:kiosk-claim"), {"code": "12"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "bad_code"
    claimed = post_json(client, reverse("pb_live:kiosk-claim"), {"code": result.issued.short_code})
    assert claimed.status_code == 200
    assert claimed.json()["token"] == raw_token(result.issued.token)
    assert client.get(reverse("pb_live:kiosk-ballot")).status_code == 200
    voided = post_json(client, reverse("pb_live:kiosk-void"), {"token": claimed.json()["token"]})
    assert voided.json() == {"ok": True, "voided": True}


def test_a_kiosk_of_a_closed_session_is_asked_to_pair_again(process, facilitator):
    session = session_make(process, facilitators=[facilitator], state=S.CLOSED)
    _tablet, credential = tablet_make(session)
    page = kiosk_client(credential).get(reverse("pb_live:kiosk")).content.decode()
    assert 'data-testid="pair-submit"' in page and "pairing has ended" in page


# Public pages ------------------------------------------------------------------------------


def test_the_projector_is_public_when_the_process_shows_live_data(process, session):
    page = Client().get(reverse("pb_live:projector", args=[process.pk]))
    assert page.status_code == 200
    assert f'data-ws="/ws/live/processes/{process.pk}/"' in page.content.decode()
    quiet = process_create(live_results=Process.LiveResults.NONE)
    assert Client().get(reverse("pb_live:projector", args=[quiet.pk])).status_code == 404
    assert (
        logged_in(officer_create()).get(reverse("pb_live:projector", args=[quiet.pk])).status_code
        == 200
    )


def test_the_process_page_shows_live_turnout(process, facilitator, session, project):
    voter = resident_create()
    from budgeting import services as pb_services

    pb_services.ballot_cast(
        user=voter, process=process, project_ids=[project.pk], idempotency_key=key()
    )
    page = Client().get(process.get_absolute_url()).content.decode()
    assert "Turnout so far" in page and f"/ws/live/processes/{process.pk}/" in page
    assert 'data-testid="live-ballots">1<' in page
    # One ballot, not "1 ballots" (the page renders it; process_live.js keeps it in step).
    assert '<span class="live-unit" data-live-unit>ballot</span>' in page


def test_officers_enter_paper_ballots_from_the_page(process, session, project):
    officer = officer_create()
    client = logged_in(officer)
    url = reverse("pb_live:paper-ballot", args=[session.pk])
    form = client.get(url).content.decode()
    assert f'id="project-{project.pk}"' in form
    response = client.post(url, {"key": key(), "projects": [str(project.pk)]}, follow=True)
    assert "Paper ballot recorded." in response.content.decode()
    ballot = Ballot.objects.get()
    assert ballot.channel == Channel.PAPER and ballot.session_id == session.pk
    response = client.post(url, {"key": key(), "projects": []})
    assert response.status_code == 400
    # "²" passed str.isdigit, then int() raised ValueError (a 500) while redrawing the form.
    response = client.post(url, {"key": key(), "projects": ["²"]})
    assert response.status_code == 400 and Ballot.objects.count() == 1
    assert logged_in(session.facilitators.get()).get(url).status_code == 403


def test_a_demo_census_person_can_be_checked_in_with_a_typed_date(session, facilitator):
    doc, _birth, _record = census_person(birth_date="1975-03-09")
    client = logged_in(facilitator)
    response = client.post(
        reverse("pb_live:checkin-create", args=[session.pk]),
        {"document_id": doc.lower(), "birth_date": "09/03/1975", "tablet": ""},
    )
    assert response.status_code == 302
    assert BallotToken.objects.filter(session=session).exists()


def test_the_kiosk_speaks_italian():
    client = Client()
    client.cookies["django_language"] = "it"
    page = client.get(reverse("pb_live:kiosk")).content.decode()
    assert "Abbina questo tablet" in page and 'lang="it"' in page


def test_a_guessing_tablet_is_told_how_long_to_wait(session, facilitator, settings):
    settings.PB_LIVE_CLAIM_BACKOFF = (1, 30.0, 300, 3600)
    tablet, credential = tablet_make(session)
    client = kiosk_client(credential)
    url = reverse("pb_live:kiosk-claim")
    for code in ("000000", "999999"):
        assert post_json(client, url, {"code": code}).status_code == 400
    waiting = post_json(client, url, {"code": "000001"})
    assert waiting.status_code == 429 and waiting["Retry-After"] == "30"
    assert waiting.json()["retry_after"] == 30 and "30 seconds" in waiting.json()["errors"][0]


def test_the_console_shows_wrong_codes_and_lets_a_tablet_try_again(session, facilitator, settings):
    settings.PB_LIVE_CLAIM_BACKOFF = (1, 30.0, 300, 3600)
    tablet, credential = tablet_make(session, label="Tablet by the door")
    client = kiosk_client(credential)
    for code in ("000000", "999999"):
        post_json(client, reverse("pb_live:kiosk-claim"), {"code": code})
    console = logged_in(facilitator)
    page = console.get(reverse("pb_live:session-detail", args=[session.pk])).content.decode()
    alert = page[page.index('id="code-alerts"') :]
    assert "hidden" not in alert[: alert.index(">")]
    assert "Tablet by the door — wrong codes: 2" in alert
    response = console.post(
        reverse("pb_live:codes-reset", args=[session.pk]), {"tablet": tablet.pk}
    )
    assert response.status_code == 302
    assert post_json(client, reverse("pb_live:kiosk-claim"), {"code": "1"}).status_code == 400
    page = console.get(reverse("pb_live:session-detail", args=[session.pk])).content.decode()
    assert "Tablet by the door — wrong codes" not in page


def test_resetting_the_codes_of_a_tablet_that_is_not_a_number_is_not_found(session, facilitator):
    # The tablet is a hidden field: junk raised ValueError (a 500).
    console = logged_in(facilitator)
    for junk in ("junk\x00", "²"):
        response = console.post(reverse("pb_live:codes-reset", args=[session.pk]), {"tablet": junk})
        assert response.status_code == 404


def test_a_stranger_cannot_reset_wrong_codes(session):
    tablet, _credential = tablet_make(session)
    stranger = logged_in(facilitator_create())
    response = stranger.post(
        reverse("pb_live:codes-reset", args=[session.pk]), {"tablet": tablet.pk}
    )
    assert response.status_code in (403, 404)


def test_the_consoles_recent_actions_say_who_did_what(session, facilitator):
    tablet, _credential = tablet_make(session, label="Door")
    doc, birth, _record = census_person(district="Centro")
    client = logged_in(facilitator)
    client.post(
        reverse("pb_live:checkin-create", args=[session.pk]),
        {"document_id": doc, "birth_date": birth.isoformat(), "tablet": str(tablet.pk)},
    )
    page = client.get(session.get_absolute_url()).content.decode()
    recent = page[page.index('id="audit-heading"') :]
    assert f"{facilitator}: Checked a voter in" in recent
    assert "pb_live.checkin" not in recent
