"""A resident follows a claim and asks for a daily digest; another resident comments on the
claim; the next morning's digest tells the first, and its unsubscribe link works without a
session. Screens are saved to `artifacts`."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from proposals.models import Claim
from tests.citizens.factories import resident_create
from tests.e2e.test_claims_flow import login, run_outside_the_browser_loop, shot
from tests.proposals.factories import claim_in_state


@pytest.fixture
def people(transactional_db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    return {
        "reader": resident_create(email="rita@example.org", display_name="Rita"),
        "commenter": resident_create(email="sara@example.org", display_name="Sara"),
        "claim": claim_in_state(Claim.State.CONSULTATION, title="Rose garden care"),
    }


def test_follow_a_claim_and_get_a_daily_digest(people, asgi_server, browser, artifacts):
    connection.close()
    try:
        _flow(people, asgi_server, browser, artifacts)
    finally:
        connection.close()


def _flow(people, server, browser, artifacts):
    claim = people["claim"]

    # 1. Rita wants claim news once a day, and follows the claim.
    rita = login(browser, server, people["reader"])
    rita.goto(f"{server.url}/me/notifications/preferences/")
    rita.check("[data-testid=preference-claim] input[value=daily]")
    rita.check("[data-testid=preference-comment] input[value=daily]")
    rita.click("[data-testid=save-preferences]")
    rita.wait_for_selector("text=Your notification preferences were saved.")
    rita.goto(f"{server.url}{claim.get_absolute_url()}")
    rita.click("[data-testid=follow]")
    rita.wait_for_selector("[data-testid=unfollow]")
    assert "2 followers" in rita.inner_text("[data-testid=follower-count]")
    shot(rita, artifacts, "01-rita-follows-the-claim")

    # 2. Sara comments on the claim; Rita gets no email now (she chose the daily digest).
    sara = login(browser, server, people["commenter"])
    sara.goto(f"{server.url}{claim.get_absolute_url()}")
    thread = sara.get_by_test_id("comments")
    thread.get_by_label("Your comment").fill("I can water the roses on Sundays.")
    thread.get_by_role("button", name="Publish comment").click()
    sara.wait_for_url(lambda url: "#comment-" in url)
    assert not [m for m in mail.outbox if "rita@example.org" in m.to]

    # 3. The next morning the digest run (cron, or `make run`'s loop) sends one email.
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    moment = tomorrow.replace(hour=8, minute=0).isoformat()
    run_outside_the_browser_loop(_send_digests, moment)
    [digest] = [m for m in mail.outbox if "rita@example.org" in m.to]
    assert "daily digest" in digest.subject
    assert "New comment on “Rose garden care”" in digest.body
    html = next(body for body, mime in digest.alternatives if mime == "text/html")
    rita.set_viewport_size({"width": 390, "height": 844})
    rita.goto(f"{server.url}/me/activity/")
    assert rita.locator("[data-testid=activity-follows]").inner_text().count("Rose garden care")
    assert not _overflows(rita), "My activity overflows at 390 px"
    shot(rita, artifacts, "02-rita-my-activity-390px")
    mailbox = browser.new_context(viewport={"width": 700, "height": 600}).new_page()
    mailbox.set_content(html)  # the email as a mail client shows it (no site CSP)
    shot(mailbox, artifacts, "03-rita-daily-digest-email")

    # 4. The digest's unsubscribe link works without logging in: it asks, then applies.
    link = digest.extra_headers["List-Unsubscribe"].strip("<>")
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    stranger = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    stranger.goto(f"{server.url}{path}")
    assert not _overflows(stranger)
    shot(stranger, artifacts, "04-unsubscribe-confirm-no-session")
    stranger.click("[data-testid=confirm]")
    stranger.wait_for_selector("[data-testid=unsubscribed]")
    shot(stranger, artifacts, "05-unsubscribed")
    people["reader"].refresh_from_db()
    assert people["reader"].notify_by_email is False


def _send_digests(moment: str) -> None:
    call_command("send_digests", "--now", moment, stdout=io.StringIO())


def _overflows(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
