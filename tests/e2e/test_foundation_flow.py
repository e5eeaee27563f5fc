"""A newcomer signs up, confirms the email, logs in, verifies residency, switches to Italian."""

import re

import pytest
from django.core import mail

from tests.citizens.factories import census_person

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_confirm_login_verify_residency_and_switch_language(
    asgi_server, browser, artifacts
):
    doc, birth, _record = census_person(district="Navile")
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto(asgi_server.url + "/")
    page.screenshot(path=artifacts / "01-home.png", full_page=True)
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("newcomer@example.org")
    page.fill("input[name=password1]", "a-Long-and-unusual-phrase-42")
    page.fill("input[name=password2]", "a-Long-and-unusual-phrase-42")
    page.get_by_label("Display name").fill("Nuova Residente")
    page.screenshot(path=artifacts / "02-signup.png", full_page=True)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/confirm-email/**")
    page.screenshot(path=artifacts / "03-verify-your-email.png", full_page=True)

    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    page.goto(asgi_server.url + link.group(1))
    page.screenshot(path=artifacts / "04-confirm.png", full_page=True)
    page.get_by_role("button", name="Confirm").click()

    page.goto(asgi_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_label("Password").fill("a-Long-and-unusual-phrase-42")
    page.screenshot(path=artifacts / "05-login.png", full_page=True)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/me/")
    assert "Not verified" in page.get_by_test_id("residency-status").inner_text()
    page.screenshot(path=artifacts / "06-profile-unverified.png", full_page=True)

    page.get_by_label("Identity document number").fill(doc.lower())
    page.get_by_label("Date of birth").fill(birth.isoformat())
    page.get_by_role("button", name="Verify residency").click()
    page.wait_for_url("**/me/")
    status = page.get_by_test_id("residency-status").inner_text()
    assert "Verified" in status and "Navile" in status
    page.screenshot(path=artifacts / "07-profile-verified.png", full_page=True)

    page.get_by_test_id("lang-it").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "it"
    assert "Il tuo profilo" in page.content()
    assert "Verificata" in page.get_by_test_id("residency-status").inner_text()
    page.screenshot(path=artifacts / "08-profile-italian.png", full_page=True)

    # The same screen on a phone stays usable.
    phone = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    phone_page = phone.new_page()
    phone_page.goto(asgi_server.url + "/")
    phone_page.screenshot(path=artifacts / "09-home-phone.png", full_page=True)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
    phone.close()
