"""On a phone (390 px), a resident comments on a claim in consultation, another replies in place
(the small script opens the form under the comment, with the @handle), and agrees; the thread
fits the screen and the reply lands on its anchor."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.citizens.factories import PASSWORD, resident_create
from tests.comments.factories import claim_in_consultation

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def in_thread(make):
    """Services push live notifications with async_to_sync, which refuses to run in the thread
    where Playwright's event loop lives."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(make).result()


def phone_login(browser, server, email):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: url.endswith(("/me/", "/workspace/")))
    return page


def test_comment_reply_in_place_and_agree_on_a_phone(asgi_server, browser, artifacts):
    claim, anna, bruno = in_thread(
        lambda: (
            claim_in_consultation(),
            resident_create(display_name="Anna Rossi"),
            resident_create(display_name="Bruno"),
        )
    )
    url = asgi_server.url + claim.get_absolute_url()

    page = phone_login(browser, asgi_server, anna.email)
    page.goto(url)
    thread = page.get_by_test_id("comments")
    thread.get_by_label("Your comment").fill("Could the benches be repainted too?")
    thread.get_by_role("button", name="Publish comment").click()
    page.wait_for_url(lambda u: "#comment-" in u)
    assert "Could the benches be repainted too?" in thread.inner_text()
    page.context.close()

    page = phone_login(browser, asgi_server, bruno.email)
    page.goto(url)
    thread = page.get_by_test_id("comments")
    thread.get_by_role("link", name="Reply").first.click()
    box = thread.get_by_label("Your reply")
    assert box.input_value() == "@anna-rossi "  # opened in place, no page change
    assert page.url == url
    box.press_sequentially("yes, green like the railings.")
    page.screenshot(path=artifacts / "reply-in-place-390.png", full_page=True)
    thread.get_by_role("button", name="Publish reply").click()
    page.wait_for_url(lambda u: "#comment-" in u)
    thread = page.get_by_test_id("comments")
    reply = thread.locator("ol.replies li.comment").first
    assert "yes, green like the railings." in reply.inner_text()
    assert reply.locator("a.mention").inner_text() == "@anna-rossi"
    thread.get_by_role("button", name="I agree").first.click()
    page.wait_for_load_state()
    assert "1 person agrees" in page.get_by_test_id("comments").inner_text()
    page.screenshot(path=artifacts / "thread-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.context.close()
