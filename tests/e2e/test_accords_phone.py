"""At 390 px the public support table stacks: its value and status stay on screen. On the
edit form, "Add another row" adds rows in place, and a third item saves in one version."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

from tests.accords.factories import World
from tests.e2e.test_accords_flow import login

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def world_where(step: str) -> World:
    """A World taken to `step` in another thread: services broadcast with async_to_sync, which
    refuses to run in the thread where Playwright's event loop lives."""

    def make():
        world = World()
        getattr(world, step)()
        return world

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(make).result()


def test_the_support_table_keeps_value_and_status_on_a_phone(asgi_server, browser, artifacts):
    world = world_where("active")
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.goto(asgi_server.url + world.accord.get_absolute_url())
    table = page.get_by_test_id("support-table")
    table.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "accord-support-390.png", full_page=True)
    for label in ("Value", "Status"):
        cells = table.locator(f'td[data-label="{label}"]')
        assert cells.count() > 0
        for i in range(cells.count()):
            box = cells.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (label, box)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


def test_add_another_row_adds_rows_in_place_and_three_items_save_once(
    asgi_server, browser, artifacts
):
    world = world_where("start")
    page = login(browser, asgi_server, world.rep.email)
    page.goto(asgi_server.url + reverse("accords:version-create", args=[world.accord.pk]))
    rows = page.get_by_test_id("support-row")
    assert rows.count() == 2
    assert page.get_by_test_id("add-support-row").is_hidden()  # the no-JS fallback
    page.get_by_role("button", name="Add another row").click()
    assert rows.count() == 3
    for i, (description, quantity) in enumerate(
        [("Wheelbarrow", "1"), ("Rakes", "4"), ("Gloves", "10")]
    ):
        page.locator(f"#id_support-{i}-kind").select_option("materials_on_loan")
        page.locator(f"#id_support-{i}-description").fill(description)
        page.locator(f"#id_support-{i}-quantity").fill(quantity)
    page.screenshot(path=artifacts / "accord-add-row.png", full_page=True)
    page.get_by_test_id("save-version").click()
    page.wait_for_url(lambda url: "/workspace/" in url)
    v2 = world.accord.versions.get(number=2)
    assert v2.support_items.count() == 3
    assert world.accord.versions.count() == 2
