"""A formal opinion of the Assembly of the Commons, from its coordinator to the city's answer,
in a real browser: the coordinator drafts it and, as the meeting's chair, puts it to a motion
that the assembly carries, which adopts it; the officer's decision form refuses
a decision that does not answer it, then records the answer; a resident reads opinion and
answer side by side on a phone. Each screen is saved to `artifacts`."""

import pytest

from assemblies.models import Meeting
from assemblies.motions.models import Motion
from assemblies.records.models import Opinion
from proposals.models import Claim
from tests.assembly_records.factories import (
    assembly_create,
    coordinator_create,
    meeting_create,
    registration_create,
)
from tests.citizens.factories import officer_create
from tests.e2e.test_claims_flow import login, run_outside_the_browser_loop
from tests.proposals.factories import claim_in_state, close_consultation_now

pytestmark = pytest.mark.e2e


def test_an_opinion_is_adopted_by_a_motion_answered_and_published(
    asgi_server, browser, artifacts, settings
):
    settings.PRIVATE_MEDIA_ROOT = str(artifacts / "private-media")
    assembly = assembly_create(name="Assembly of the Commons", kind="city")
    coordinator = coordinator_create(assembly)
    officer = officer_create()
    made = []
    run_outside_the_browser_loop(
        lambda: made.append(
            claim_in_state(Claim.State.CONSULTATION, officer=officer, title="Sunday garden care")
        )
    )
    claim = made[0]

    meetings = []
    run_outside_the_browser_loop(
        lambda: meetings.append(
            meeting_create(assembly, state=Meeting.State.OPEN, chair=coordinator, title="Evening")
        )
    )
    meeting = meetings[0]
    run_outside_the_browser_loop(lambda: registration_create(meeting, coordinator, checked_in=True))

    # The coordinator drafts the opinion: the page sends it to a meeting to be voted on.
    page = login(browser, asgi_server, coordinator)
    page.goto(
        f"{asgi_server.url}/assemblies/records/{assembly.slug}/opinions/new/?claim={claim.pk}"
    )
    page.fill("textarea[name=text]", "We support it; share the calendar with the school.")
    page.click("[data-testid=opinion-save]")
    page.wait_for_selector("[data-testid=opinion-vote]")
    assert "To be adopted by a motion" in page.inner_text("[data-testid=opinion-vote]")
    page.screenshot(path=artifacts / "1-opinion-to-be-voted.png", full_page=True)

    # As the meeting's chair: the console's form has the opinion chosen; a vote by consent.
    page.click("[data-testid=opinion-meetings] a")
    opinion = Opinion.objects.get()
    assert page.input_value("#id_opinion") == str(opinion.pk)
    page.select_option("#id_kind", "consent")
    page.locator("[data-testid=motion-create]").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "1b-console-motion-on-the-opinion.png", full_page=True)
    page.click("[data-testid=motion-create]")
    motion = Motion.objects.get(opinion=opinion)
    page.click(f"[data-testid=open-{motion.pk}]")
    page.click("[data-testid=confirm]")
    page.goto(f"{asgi_server.url}/motions/meetings/{meeting.pk}/vote/")
    page.check("[data-testid=choice-consent]")
    page.click(f"[data-testid=vote-{motion.pk}]")
    page.wait_for_selector("[data-feedback]:has-text('Your vote is counted.')")
    page.goto(f"{asgi_server.url}/motions/meetings/{meeting.pk}/console/")
    page.click(f"[data-testid=close-{motion.pk}]")
    page.click("[data-testid=confirm]")
    page.goto(f"{asgi_server.url}{opinion.get_absolute_url()}")
    adopted_by = page.inner_text("[data-testid=opinion-adopted-by]")
    assert motion.title in adopted_by and "Evening" in adopted_by
    page.screenshot(path=artifacts / "2-adopted-by-the-motion.png", full_page=True)
    opinion.refresh_from_db()
    assert opinion.is_adopted and opinion.motion_id == motion.pk

    run_outside_the_browser_loop(close_consultation_now, claim)
    page = login(browser, asgi_server, officer)
    page.goto(f"{asgi_server.url}/office/claims/{claim.pk}/")
    assert "share the calendar" in page.inner_text("[data-testid=formal-opinions]")
    assert "by the motion" in page.inner_text("[data-testid=opinion-motion]")
    page.check("input[name=decide-decision][value=approve]")
    page.fill("textarea[name=decide-reasons]", "A good plan.")
    page.click("[data-testid=decide]")
    page.screenshot(path=artifacts / "3-office-answer-required.png", full_page=True)
    assert "answer it before deciding." in page.inner_text("main")
    page.fill("textarea[name=decide-opinion_answer]", "The calendar becomes a clause.")
    page.fill("textarea[name=decide-reasons]", "A good plan.")
    page.click("[data-testid=decide]")
    page.wait_for_selector("text=The claim was approved.")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB").new_page()
    phone.goto(f"{asgi_server.url}{claim.get_absolute_url()}")
    box = phone.locator("[data-testid=formal-opinions]")
    assert "The calendar becomes a clause." in box.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    box.screenshot(path=artifacts / "4-claim-page-phone.png")
