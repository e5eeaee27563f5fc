"""A claim from a resident's idea to the city's approval, in a real browser.

A resident submits a claim with a photo on a resource; the officer screens it and asks a
department; the department's officer answers; the officer approves with reasons; the
resident sees the decision and the timeline. Each screen is saved to `artifacts`.
"""

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from citizens.models import Department
from proposals.models import Claim, ProcedureConfig
from tests.citizens.factories import PASSWORD, officer_create, resident_create
from tests.proposals.factories import png_bytes, resource_create


@pytest.fixture
def people(transactional_db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    commons = Department.objects.create(name="Urban Commons Office", slug="commons")
    parks = Department.objects.create(name="Parks and Green Areas", slug="parks")
    config = ProcedureConfig.get_solo()
    config.screening_department = commons
    config.save()
    return {
        "resident": resident_create(email="rita@example.org", display_name="Rita"),
        "officer": officer_create(
            email="olga@example.org", display_name="Olga", department=commons
        ),
        "parks": officer_create(email="piero@example.org", display_name="Piero", department=parks),
        "resource": resource_create(name="Giardino Margherita", district="Centro"),
        "photo": _photo(tmp_path),
    }


def _photo(tmp_path):
    path = tmp_path / "roses.png"
    path.write_bytes(png_bytes(size=(320, 200), color=(46, 125, 50)))
    return path


def login(browser, server, user):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def run_outside_the_browser_loop(func, *args):
    """Like cron: in its own thread, away from Playwright's event loop (notifications use
    async_to_sync to reach the channel layer)."""
    errors = []

    def target():
        try:
            func(*args)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def shot(page, artifacts, name):
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def test_claim_from_submission_to_approval(people, asgi_server, browser, artifacts):
    # While Playwright runs, this body may hold its own database connection (asgiref's
    # context-local storage), which the server's teardown terminates on PostgreSQL: start on
    # a fresh one and close it at the end, whatever other browser tests ran before or after.
    connection.close()
    try:
        _flow(people, asgi_server, browser, artifacts)
    finally:
        connection.close()


def _flow(people, server, browser, artifacts):
    resource = people["resource"]

    # 1. The resident proposes to take care of the resource, with a photo.
    resident = login(browser, server, people["resident"])
    resident.goto(f"{server.url}{resource.get_absolute_url()}")
    resident.click("text=Propose to take care of it")
    assert resident.locator("#id_resource").input_value() == str(resource.pk)
    resident.fill("#id_title", "Rose garden care")
    resident.fill("#id_summary", "We prune and weed the rose garden every week.")
    resident.fill("#id_motivation", "The roses are neglected.")
    resident.fill("#id_objectives", "A blooming rose garden open to all.")
    resident.fill("#id_activities", "Pruning, weeding, guided walks.")
    resident.fill("#id_schedule", "Saturdays, March to November.")
    resident.select_option("#id_intensity", "continuous_care")
    resident.select_option("#id_field", "public_space")
    resident.fill("#id_resources_offered", "Twelve volunteers with their tools.")
    resident.fill("#id_support_requested", "Water and a tool shed.")
    resident.fill("#id_requested_duration_months", "24")
    resident.set_input_files("#id_attachments", str(people["photo"]))
    shot(resident, artifacts, "01-resident-claim-form")
    resident.click("main form button[type=submit]")
    resident.wait_for_selector("text=Your draft is saved")
    assert resident.locator("img[alt='Photo: roses.png']").count() == 1
    shot(resident, artifacts, "02-resident-draft")
    resident.click("[data-testid=submit-claim]")
    resident.click("[data-testid=confirm]")
    resident.wait_for_selector("text=Your claim was submitted to the city.")
    assert resident.locator("[data-testid=claim-state]").inner_text() == "Submitted"
    shot(resident, artifacts, "03-resident-submitted")
    claim = Claim.objects.get(title="Rose garden care")

    # 2. The officer finds it in the queue, screens it and asks the Parks department.
    officer = login(browser, server, people["officer"])
    officer.goto(f"{server.url}/office/")
    assert officer.locator("[data-testid=office-queue]").inner_text().count("Rose garden care")
    shot(officer, artifacts, "04-officer-queue")
    officer.click("text=Rose garden care")
    officer.click("[data-testid=start-screening]")
    officer.check("input[name=screen-outcome][value=admissible]")
    officer.click("[data-testid=screen]")
    officer.wait_for_selector("text=The outcome of the admissibility check is recorded.")
    officer.select_option("#id_review-department", label="Parks and Green Areas")
    officer.fill("#id_review-message", "Is pruning compatible with the park's plan?")
    officer.click("[data-testid=request-review]")
    officer.wait_for_selector("text=The department was asked for its opinion.")
    shot(officer, artifacts, "05-officer-screened-and-asked")

    # 3. The Parks officer answers from the department's inbox.
    parks = login(browser, server, people["parks"])
    parks.goto(f"{server.url}/office/reviews/")
    shot(parks, artifacts, "06-department-inbox")
    parks.click("text=Give the opinion")
    for select in parks.locator("select[name^=check_]").all():
        select.select_option("ok")
    parks.check("input[name=opinion][value=conditions]")
    parks.fill("#id_conditions", "Prune only from November to February.")
    shot(parks, artifacts, "07-department-answer-form")
    parks.click("[data-testid=answer-review]")
    parks.wait_for_selector("text=Your department's opinion is recorded.")

    # The consultation's time passes; the deadline runner (cron) closes it.
    Claim.objects.filter(pk=claim.pk).update(
        consultation_ends_at=timezone.now() - dt.timedelta(minutes=1)
    )
    run_outside_the_browser_loop(call_command, "run_deadlines")

    # 4. The officer approves with reasons.
    officer.goto(f"{server.url}/office/claims/{claim.pk}/")
    officer.check("input[name=decide-decision][value=approve]")
    officer.fill("#id_decide-reasons", "A careful plan that respects the Parks conditions.")
    shot(officer, artifacts, "08-officer-decision-form")
    officer.click("[data-testid=decide]")
    officer.wait_for_selector("text=The claim was approved.")

    # 5. The resident sees the decision, the reasons and the timeline.
    resident.goto(f"{server.url}/me/notifications/")
    assert "was approved" in resident.content()
    shot(resident, artifacts, "09-resident-notifications")
    resident.goto(f"{server.url}{claim.get_absolute_url()}")
    decision = resident.locator("[data-testid=decision]").inner_text()
    assert "approved" in decision and "respects the Parks conditions" in decision
    timeline = resident.locator("[data-testid=timeline]").inner_text()
    for step in (
        "Submitted to the city",
        "Declared admissible",
        "Opinion requested from Parks and Green Areas",
        "Parks and Green Areas gave its opinion: Favourable with conditions",
        "Public consultation closed",
        "Approved",
    ):
        assert step in timeline
    shot(resident, artifacts, "10-resident-decision-and-timeline")
    claim.refresh_from_db()
    assert claim.state == Claim.State.APPROVED
