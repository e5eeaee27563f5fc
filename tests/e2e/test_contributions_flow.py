"""A volunteer signs up for a shift and shows their code; the representative checks them in
and out at the shift; a member logs hours and the representative confirms them; the accord
page's totals and chart show it all."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

from contributions.models import Contribution, Signup
from tests.contributions.factories import active_world, shift_create
from tests.e2e.test_accords_flow import login

pytestmark = pytest.mark.django_db(transaction=True)


def _in_thread(call):
    """Services notify through async_to_sync, which refuses Playwright's event-loop thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(call).result()


def test_a_shift_from_sign_up_to_the_accord_totals(asgi_server, browser, artifacts):
    world = _in_thread(active_world)
    shift = _in_thread(lambda: shift_create(world))  # 09:00–12:30: 3.5 hours

    volunteer = login(browser, asgi_server, world.outsider.email)
    volunteer.goto(asgi_server.url + shift.get_absolute_url())
    volunteer.get_by_test_id("sign-up").click()
    volunteer.wait_for_url(lambda url: "/signups/" in url)
    code = volunteer.get_by_test_id("signup-code").inner_text().strip()
    assert volunteer.locator(".signup-qr svg").count() == 1
    volunteer.screenshot(path=artifacts / "signup-code.png", full_page=True)

    rep = login(browser, asgi_server, world.rep.email)
    rep.set_viewport_size({"width": 390, "height": 844})
    rep.goto(asgi_server.url + reverse("contributions:shift-check-in", args=[shift.pk]))
    rep.get_by_label("The volunteer's code").fill(code.lower())
    rep.locator("form.card").get_by_role("button", name="Check in").click()
    signup = Signup.objects.get(code=code)
    rep.get_by_test_id(f"check-out-{signup.pk}").click()
    rep.wait_for_load_state()
    assert "Checked out" in rep.get_by_test_id("checkin-list").inner_text()
    rep.screenshot(path=artifacts / "check-in-list-390.png", full_page=True)
    assert rep.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    member = login(browser, asgi_server, world.member.email)
    member.goto(asgi_server.url + reverse("contributions:accord-log", args=[world.accord.pk]))
    member.locator("#id_hours").fill("2")
    member.locator("form[action$='/log/hours/'] #id_description").fill("Watering the roses")
    member.get_by_test_id("log-hours").click()
    member.wait_for_url(lambda url: url.endswith(f"/accords/{world.accord.pk}/"))
    entry = Contribution.objects.get(state="pending")

    rep.goto(asgi_server.url + reverse("contributions:accord-log", args=[world.accord.pk]))
    rep.get_by_test_id(f"confirm-{entry.pk}").click()
    rep.get_by_role("button", name="Confirm").click()
    rep.wait_for_url(lambda url: url.endswith(f"/accords/{world.accord.pk}/"))

    public = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    page = public.new_page()
    page.goto(asgi_server.url + world.accord.get_absolute_url())
    assert page.get_by_test_id("total-hours").inner_text() == "5.5"
    assert page.get_by_test_id("total-people").inner_text() == "2"
    chart = page.locator("canvas[data-chart='accord-years-data']")
    chart.scroll_into_view_if_needed()
    assert chart.is_visible()  # Chart.js drew it (the canvas is hidden without JavaScript)
    assert "5.5" in page.locator("table[data-testid='accord-years-table']").inner_text()
    page.screenshot(path=artifacts / "accord-totals.png", full_page=True)
    # Commons in numbers on a phone: charts drawn, tables scroll inside their box.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(asgi_server.url + reverse("contributions:numbers"))
    assert page.locator("canvas[data-chart='district-data']").is_visible()
    assert "5.5" in page.get_by_test_id("district-table").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=artifacts / "commons-in-numbers-390.png", full_page=True)
    for context in (volunteer.context, rep.context, member.context, public):
        context.close()
