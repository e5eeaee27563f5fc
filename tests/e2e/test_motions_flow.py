"""Browser: four pages at once in a hybrid meeting. The chair opens a motion on the console,
a member votes online from home, another votes on the room tablet the chair hands them, the
projector follows without reloading, the chair closes the vote and the outcome is in the
minutes' list."""

import pytest
from playwright.sync_api import expect

from assemblies.models import MeetingKind
from assemblies.motions.models import Motion, Participation
from tests.citizens.factories import PASSWORD
from tests.motions.conftest import _live_state  # noqa: F401 - autouse: fresh live state
from tests.motions.factories import assembly_make, meeting_make, member_make, register

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


def test_a_hybrid_meeting_votes_in_the_room_and_online(asgi_server, browser, artifacts):
    from assemblies.models import Role
    from assemblies.motions import services

    assembly = assembly_make(quorum=50)
    chair = member_make(assembly, Role.COORDINATOR, email="chiara@example.org")
    meeting = meeting_make(assembly, kind=MeetingKind.HYBRID, chair=chair)
    in_room = member_make(assembly, email="rita@example.org", display_name="Rita Rossi")
    online = member_make(assembly, email="omar@example.org", display_name="Omar Online")
    register(meeting, in_room, checked_in=True)
    register(meeting, online)  # registered, voting from home
    motion = services.motion_create(
        actor=chair, meeting=meeting, title="Adopt the garden rules", text="As read out."
    )

    # The chair's console; a pairing code for the room tablet.
    chair_ctx = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 1100})
    console = log_in(chair_ctx, asgi_server, chair.email)
    console.goto(f"{asgi_server.url}/motions/meetings/{meeting.pk}/console/")
    console.click("[data-testid=pairing-new]")
    code = console.locator("[data-testid=pairing-code]").inner_text()

    # The room tablet pairs and waits.
    device = browser.new_context(locale="en-GB", viewport={"width": 1024, "height": 768})
    tablet = device.new_page()
    tablet.set_default_timeout(10_000)
    tablet.goto(f"{asgi_server.url}/motions/kiosk/")
    tablet.fill("#id_code", code)
    tablet.fill("#id_label", "Front row")
    tablet.click("[data-testid=pair-submit]")
    expect(tablet.locator("[data-testid=kiosk-idle]")).to_be_visible()
    cookie = next(c for c in device.cookies() if c["name"] == "motions_device")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    expect(tablet.locator("[data-live-status]")).to_have_text("Live")

    # The projector (no login) and the member at home.
    room = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 720})
    projector = room.new_page()
    projector.set_default_timeout(10_000)
    projector.goto(f"{asgi_server.url}/motions/meetings/{meeting.pk}/projector/")
    expect(projector.locator("[data-live-status]")).to_have_text("Live")
    projector.evaluate("window.__noReload = true")
    home = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    member = log_in(home, asgi_server, online.email)
    member.goto(f"{asgi_server.url}/motions/meetings/{meeting.pk}/vote/")
    expect(member.get_by_text("No vote is open right now")).to_be_visible()
    expect(member.locator("[data-live-status]")).to_have_text("Live")

    # The chair opens the vote: the member's page shows the ballot, the projector the motion.
    console.goto(f"{asgi_server.url}/motions/meetings/{meeting.pk}/console/")
    console.click(f"[data-testid=open-{motion.pk}]")
    console.click("[data-testid=confirm]")
    expect(console.locator(f"[data-testid=close-{motion.pk}]")).to_be_visible()
    card = projector.locator(f'[data-motion="{motion.pk}"]')
    expect(card).to_contain_text("Adopt the garden rules")
    expect(member.locator(f"[data-testid=ballot-{motion.pk}]")).to_be_visible()
    console.screenshot(path=artifacts / "01-console-open.png", full_page=True)

    # The chair hands the tablet to Rita, who votes yes on it.
    console.select_option("#id_token-motion", str(motion.pk))
    console.select_option("#id_token-member", str(in_room.pk))
    console.click("[data-testid=token-issue]")
    expect(tablet.locator("[data-testid=kiosk-member]")).to_contain_text("Rita Rossi")
    tablet.screenshot(path=artifacts / "02-tablet-ballot.png")
    tablet.check("[data-testid=choice-yes]")
    tablet.click(f"[data-testid=vote-{motion.pk}]")
    expect(tablet.locator("[data-testid=kiosk-idle]")).to_be_visible()

    # Omar votes no from home (the form is sent by fetch: the page stays).
    member.check("[data-testid=choice-no]")
    member.click(f"[data-testid=vote-{motion.pk}]")
    expect(member.locator("[data-feedback]")).to_have_text("Your vote is counted.")
    member.screenshot(path=artifacts / "03-member-online.png", full_page=True)

    # The projector shows both votes without a reload.
    expect(card.locator('[data-count="yes"]')).to_have_text("1")
    expect(card.locator('[data-count="no"]')).to_have_text("1")
    expect(card).to_contain_text("Voted: 2 of 3 voting members")
    assert projector.evaluate("window.__noReload") is True
    projector.screenshot(path=artifacts / "04-projector-live.png", full_page=True)
    assert Participation.objects.filter(motion=motion).count() == 2

    # The chair closes the vote: the outcome reaches the projector and the minutes' list.
    console.click(f"[data-testid=close-{motion.pk}]")
    console.click("[data-testid=confirm]")
    expect(card.locator('[data-field="outcome"]')).to_have_text("Rejected")  # a tie
    assert projector.evaluate("window.__noReload") is True
    projector.screenshot(path=artifacts / "05-projector-closed.png", full_page=True)
    console.screenshot(path=artifacts / "06-console-closed.png", full_page=True)
    assert [m.pk for m in Motion.objects.for_minutes(meeting)] == [motion.pk]
    console.goto(f"{asgi_server.url}/motions/{motion.pk}/")
    expect(console.locator("[data-testid=outcome]")).to_have_text("Rejected")
    expect(console.locator("table")).to_contain_text("Omar Online")
    console.screenshot(path=artifacts / "07-minutes-motion.png", full_page=True)
