"""Browser: three pages at once. The facilitator checks voters in, the tablet receives the
ballot and casts, the projector follows without reloading; a ballot cast while the tablet is
offline is kept on the tablet and arrives exactly once when the network is back."""

import pytest
from playwright.sync_api import expect

from budgeting.live.models import BallotToken, Tablet, VotingSession
from budgeting.models import Ballot, Channel, Process
from tests.budgeting.factories import process_create, project_create
from tests.citizens.factories import PASSWORD, census_person
from tests.live_voting.conftest import _live_state  # noqa: F401 - autouse: fresh live state
from tests.live_voting.factories import facilitator_create, session_make

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(context, server, email):
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    return page


def check_in(console, document_id, birth_date, tablet):
    console.fill("#id_document_id", document_id)
    console.fill("#id_birth_date", birth_date)
    expect(console.locator(f'#id_tablet option[value="{tablet.pk}"]')).to_be_enabled()
    console.select_option("#id_tablet", str(tablet.pk))
    console.click("[data-testid=checkin-submit]")
    expect(console.locator("[data-testid=checkin-result]")).to_contain_text(
        f"Ballot sent to {tablet.label}"
    )


def in_person_ballots() -> int:
    return Ballot.objects.filter(channel=Channel.IN_PERSON).count()


def test_a_session_with_a_tablet_and_a_projector(asgi_server, browser, artifacts):
    process = process_create(
        title="Green Budget 2026", budget=100_000, live_results=Process.LiveResults.FULL
    )
    benches = project_create(process, cost=40_000, title="Park benches")
    trees = project_create(process, cost=30_000, title="Street trees")
    project_create(process, cost=70_000, title="Cycle lane")
    facilitator = facilitator_create(email="fabio@example.org")
    session = session_make(
        process,
        facilitators=[facilitator],
        state=VotingSession.State.PLANNED,
        place_name="Biblioteca Salaborsa",
    )
    first_voter, first_birth, _record = census_person(birth_date="1984-02-29")
    second_voter, second_birth, _record = census_person(birth_date="1999-10-01")

    # The facilitator opens the session and shows a pairing code.
    staff = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 1000})
    console = log_in(staff, asgi_server, facilitator.email)
    console.goto(f"{asgi_server.url}/budgeting/live/sessions/{session.pk}/")
    console.click("[data-testid=session-open]")
    expect(console.locator("[data-testid=session-state]")).to_have_text("Open")
    console.click("[data-testid=pairing-issue]")
    code = console.locator("[data-testid=pairing-code]").inner_text()
    expect(console.locator(".live-qr svg")).to_be_visible()
    console.screenshot(path=artifacts / "01-console-pairing.png", full_page=True)

    # A tablet in a second window pairs with the code and waits.
    device = browser.new_context(locale="en-GB", viewport={"width": 1024, "height": 768})
    kiosk = device.new_page()
    kiosk.set_default_timeout(10_000)
    kiosk.goto(f"{asgi_server.url}/budgeting/live/kiosk/")
    kiosk.fill("#id_code", code)
    kiosk.fill("#id_label", "Tablet by the door")
    kiosk.click("[data-testid=pair-submit]")
    expect(kiosk.locator("[data-testid=kiosk-waiting]")).to_be_visible()
    cookie = next(c for c in device.cookies() if c["name"] == "pb_live_device")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    kiosk.screenshot(path=artifacts / "02-kiosk-waiting.png")
    tablet = Tablet.objects.get(session=session)

    # The projector in a third window, no login.
    room = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 720})
    projector = room.new_page()
    projector.set_default_timeout(10_000)
    projector.goto(f"{asgi_server.url}/budgeting/live/processes/{process.pk}/projector/")
    expect(projector.locator("[data-testid=live-ballots]")).to_have_text("0")
    expect(projector.locator("[data-live-status]")).to_have_text("Live")

    # First voter: checked in to the tablet, which shows the ballot with its running total.
    expect(console.locator(".tablet-idle")).to_be_visible()  # the console saw the pairing live
    check_in(console, first_voter, first_birth.isoformat(), tablet)
    expect(kiosk.locator("[data-testid=kiosk-ballot]")).to_be_visible()
    kiosk.check(f"#project-{benches.pk}")
    expect(kiosk.locator("#ballot-total-text")).to_contain_text("€40,000.00 of €100,000.00")
    kiosk.check(f"#project-{trees.pk}")
    kiosk.screenshot(path=artifacts / "03-kiosk-ballot.png", full_page=True)
    kiosk.click("[data-testid=kiosk-cast]")
    expect(kiosk.locator("#thanks-text")).to_have_text(
        "Your ballot is counted. Thank you for voting!"
    )
    kiosk.screenshot(path=artifacts / "04-kiosk-thanks.png")
    expect(projector.locator("[data-testid=live-ballots]")).to_have_text("1")
    expect(projector.locator("[data-live-unit]")).to_have_text("ballot")
    expect(projector.locator("[data-testid=live-in-person]")).to_have_text("1")
    expect(projector.locator(".live-standings li.selected").first).to_contain_text("Park benches")
    projector.screenshot(path=artifacts / "05-projector.png", full_page=True)
    expect(console.locator("[data-testid=count-ballots]")).to_have_text("1")
    expect(console.locator("[data-testid=count-checkins]")).to_have_text("1")
    console.screenshot(path=artifacts / "06-console-live.png", full_page=True)
    assert in_person_ballots() == 1

    # Second voter: the Wi-Fi drops before the cast. The ballot waits on the tablet.
    expect(kiosk.locator("[data-testid=kiosk-waiting]")).to_be_visible(timeout=15_000)
    check_in(console, second_voter, second_birth.isoformat(), tablet)
    expect(kiosk.locator("[data-testid=kiosk-ballot]")).to_be_visible()
    device.set_offline(True)
    kiosk.check(f"#project-{trees.pk}")
    kiosk.click("[data-testid=kiosk-cast]")
    expect(kiosk.locator("#thanks-text")).to_contain_text("saved on this tablet")
    expect(kiosk.locator("[data-testid=kiosk-outbox]")).to_contain_text(
        "1 ballot(s) saved on this tablet, sending"
    )
    kiosk.wait_for_timeout(2500)  # retries fail while offline
    kiosk.screenshot(path=artifacts / "07-kiosk-offline.png")
    assert in_person_ballots() == 1
    assert kiosk.evaluate("JSON.parse(localStorage.getItem('pb_live.outbox')).length") == 1

    device.set_offline(False)
    expect(kiosk.locator("[data-testid=kiosk-outbox]")).to_be_hidden(timeout=20_000)
    expect(projector.locator("[data-testid=live-ballots]")).to_have_text("2")
    expect(projector.locator("[data-live-unit]")).to_have_text("ballots")
    assert in_person_ballots() == 2
    assert BallotToken.objects.filter(state=BallotToken.State.USED).count() == 2

    # A reload sends nothing again: the outbox is empty and the ballot counted once.
    kiosk.reload()
    expect(kiosk.locator("[data-testid=kiosk-waiting]")).to_be_visible()
    kiosk.wait_for_timeout(500)
    assert in_person_ballots() == 2
    expect(console.locator("[data-testid=count-ballots]")).to_have_text("2")
    projector.screenshot(path=artifacts / "08-projector-after-offline.png", full_page=True)

    # Closing leads to the reconciliation, which matches.
    console.click("[data-testid=session-close]")
    console.click("[data-testid=confirm]")
    expect(console.locator("[data-testid=counts-match]")).to_be_visible()
    expect(console.locator("[data-testid=rec-ballots]")).to_have_text("2")
    console.check("#id_confirm")
    console.click("[data-testid=sign-off]")
    expect(console.locator("[data-testid=signed-off]")).to_be_visible()
    console.screenshot(path=artifacts / "09-reconciliation.png", full_page=True)
    expect(kiosk.locator("section[data-screen=closed]")).to_be_visible()
    for context in (staff, device, room):
        context.close()
