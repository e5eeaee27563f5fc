"""A formal opinion of the Assembly of the Commons, from its coordinator to the city's answer,
in a real browser: the coordinator drafts and adopts it; the officer's decision form refuses
a decision that does not answer it, then records the answer; a resident reads opinion and
answer side by side on a phone. Each screen is saved to `artifacts`."""

import pytest

from assemblies.records.models import Opinion
from proposals.models import Claim
from tests.assembly_records.factories import assembly_create, coordinator_create
from tests.citizens.factories import officer_create
from tests.e2e.test_claims_flow import login, run_outside_the_browser_loop
from tests.proposals.factories import claim_in_state, close_consultation_now

pytestmark = pytest.mark.e2e


def test_an_opinion_is_adopted_answered_and_published(asgi_server, browser, artifacts, settings):
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

    page = login(browser, asgi_server, coordinator)
    page.goto(
        f"{asgi_server.url}/assemblies/records/{assembly.slug}/opinions/new/?claim={claim.pk}"
    )
    page.fill("textarea[name=text]", "We support it; share the calendar with the school.")
    page.click("[data-testid=opinion-save]")
    page.click("[data-testid=opinion-adopt]")
    page.screenshot(path=artifacts / "1-adopt-confirm.png", full_page=True)
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=The opinion is adopted")
    assert Opinion.objects.get().is_adopted

    run_outside_the_browser_loop(close_consultation_now, claim)
    page = login(browser, asgi_server, officer)
    page.goto(f"{asgi_server.url}/office/claims/{claim.pk}/")
    assert "share the calendar" in page.inner_text("[data-testid=formal-opinions]")
    page.check("input[name=decide-decision][value=approve]")
    page.fill("textarea[name=decide-reasons]", "A good plan.")
    page.click("[data-testid=decide]")
    page.screenshot(path=artifacts / "2-office-answer-required.png", full_page=True)
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
    box.screenshot(path=artifacts / "3-claim-page-phone.png")
