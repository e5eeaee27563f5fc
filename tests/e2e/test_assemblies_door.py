"""A resident registers for a meeting on a phone and shows the code; the chair checks them in
at the door by typing it. Screenshots of both screens."""

import pytest

from assemblies.models import Registration
from tests.assemblies.factories import assembly_make, meeting_make
from tests.citizens.factories import PASSWORD, user_create

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def login(browser, server, email, viewport):
    context = browser.new_context(viewport=viewport, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: url.endswith(("/me/", "/workspace/")))
    return page


def test_register_on_a_phone_then_check_in_at_the_door(asgi_server, browser, artifacts):
    chair = user_create(email="cora@example.org", display_name="Cora Chair")
    resident = user_create(email="rita@example.org", display_name="Rita Resident")
    assembly = assembly_make(coordinators=[chair])
    meeting = meeting_make(assembly, title="Plenary of the commons", capacity=30)

    phone = login(browser, asgi_server, resident.email, PHONE)
    phone.goto(asgi_server.url + meeting.get_absolute_url())
    phone.get_by_test_id("register").click()
    code = phone.get_by_test_id("registration-code").inner_text().strip()
    assert code == Registration.objects.get(user=resident).code
    assert phone.locator(".ticket svg").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=artifacts / "meeting-registered-390.png", full_page=True)

    door = login(browser, asgi_server, chair.email, {"width": 1100, "height": 900})
    door.goto(asgi_server.url + meeting.get_absolute_url())
    door.get_by_test_id("door-link").click()
    door.get_by_label("Registration code").fill(code.lower())
    door.get_by_test_id("check-in-code").click()
    door.get_by_text("Rita Resident is checked in.").wait_for()
    assert door.get_by_test_id("checked-in-count").inner_text().startswith("1")
    door.screenshot(path=artifacts / "meeting-door.png", full_page=True)
    assert Registration.objects.get(user=resident).checked_in_by_id == chair.pk
