"""With the demo data: the header's search box finds a claim and an accord (on a desktop and
on a phone), and the home page in Italian shows the Italian CMS pages and menu."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_data(transactional_db):
    """Before the browser starts (the demo's notifications need no running event loop)."""
    call_command("seed_demo", "--quiet-accounts")


def test_search_box_finds_a_claim_and_an_accord_and_the_home_page_speaks_italian(
    demo_data, asgi_server, browser, artifacts
):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(asgi_server.url + "/")
    box = page.get_by_role("search", name="Search the site").get_by_label("Search for", exact=True)
    box.fill("Montagnola")
    box.press("Enter")
    page.wait_for_url("**/search/?q=Montagnola")
    hits = page.get_by_test_id("search-hit")
    assert hits.locator("xpath=self::*[@data-type='claims']").count() >= 1
    assert hits.locator("xpath=self::*[@data-type='accords']").count() >= 1
    assert page.locator("mark", has_text="Montagnola").count() >= 2
    page.screenshot(path=artifacts / "01-search-results.png", full_page=True)

    # A draft stays private: the demo's draft claim is not among a visitor's results.
    page.goto(asgi_server.url + "/search/?q=reading+corner+Aldrovandi&type=claims")
    assert page.get_by_test_id("search-hit").count() == 0
    assert "Nothing matches your search" in page.content()

    # On a phone the header's box works and nothing overflows.
    phone = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True)
    phone_page = phone.new_page()
    phone_page.goto(asgi_server.url + "/")
    phone_box = phone_page.get_by_role("search", name="Search the site").get_by_label(
        "Search for", exact=True
    )
    phone_box.fill("Zamboni")
    phone_page.get_by_role("search", name="Search the site").get_by_role(
        "button", name="Search"
    ).click()
    phone_page.wait_for_url("**/search/?q=Zamboni")
    assert phone_page.locator("[data-testid=search-hit][data-type=accords]").count() >= 1
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.screenshot(path=artifacts / "02-search-phone.png", full_page=True)
    phone.close()

    # The home page in Italian: the Italian home page, news and menu.
    page.goto(asgi_server.url + "/")
    assert "Welcome to PartnerCity" in page.content()
    page.get_by_test_id("lang-it").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "it"
    assert page.get_by_role("heading", level=1).inner_text() == "Benvenuti su PartnerCity"
    assert "Bilancio Verde 2026" in page.content()
    assert "Al via il voto sul Bilancio Verde" in page.content()
    menu = page.get_by_role("navigation", name="Principale")
    assert menu.get_by_role("link", name="Chi siamo").count() == 1
    assert menu.get_by_role("link", name="Notizie").count() == 1
    page.screenshot(path=artifacts / "03-home-italian.png", full_page=True)

    # ... and the search box in Italian finds the Italian news.
    box = page.get_by_role("search", name="Cerca nel sito").get_by_label("Cerca", exact=True)
    box.fill("Margherita")
    box.press("Enter")
    page.wait_for_url("**/search/?q=Margherita")
    assert "Firmato il primo patto per il" in page.content()
    page.screenshot(path=artifacts / "04-search-italian.png", full_page=True)
    context.close()
