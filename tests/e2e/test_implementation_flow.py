"""Browser: an officer moves a PB winner to "in progress" with a milestone and a photo; the
public implementation page and the project's timeline show it."""

import io

import pytest
from django.db import connections
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from implementation import services
from implementation.models import Implementation
from tests.citizens.factories import PASSWORD, officer_create
from tests.implementation.factories import implementation_create, published_process


def log_in(context, server, email):
    page = context.new_page()
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    return page


@pytest.fixture
def own_connections(asgi_server, browser):
    yield
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_officer_starts_a_winner_with_a_milestone_and_a_photo(
    asgi_server, browser, artifacts, own_connections, tmp_path
):
    officer = officer_create(email="olga@example.org")
    process = published_process(title="Neighbourhood Budget")
    impl = implementation_create(
        officer=officer,
        process=process,
        department=officer.department,
        title="Shade for the playground",
        district="Centro",
    )
    services.implementation_update(
        actor=officer, implementation=impl, progress=10, latitude=44.4949, longitude=11.3426
    )
    photo = tmp_path / "site.png"
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (40, 140, 60)).save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())

    context = browser.new_context(locale="en-US", viewport={"width": 1000, "height": 900})
    page = log_in(context, asgi_server, officer.email)
    page.goto(f"{asgi_server.url}{impl.project.get_absolute_url()}")
    page.click("[data-testid=impl-manage]")
    page.click("[data-testid=impl-start]")
    expect(page.locator("[data-testid=impl-state]")).to_have_text("In progress")
    form = page.locator("[data-testid=milestone-form]")
    form.get_by_label("Milestone").fill("Sail shades installed")
    form.get_by_label("Due date").fill(timezone.localdate().isoformat())
    form.get_by_label("Already reached").check()
    form.get_by_label("Photo", exact=True).set_input_files(str(photo))
    form.get_by_label("Description of the photo").fill("Two white sail shades over the sandpit.")
    page.screenshot(path=artifacts / "01-officer-milestone-form.png", full_page=True)
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Saved")
    page.screenshot(path=artifacts / "02-officer-saved.png", full_page=True)
    context.close()

    impl.refresh_from_db()
    assert impl.state == Implementation.State.IN_PROGRESS
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{asgi_server.url}/budgeting/{process.pk}/implementation/")
    row = page.locator("[data-testid=impl-row]", has_text="Shade for the playground")
    expect(row).to_contain_text("In progress")
    expect(row).to_contain_text("1 of 1")
    expect(page.locator("[data-map] .leaflet-marker-icon")).to_have_count(1)
    page.screenshot(path=artifacts / "03-public-implementation-page.png", full_page=True)
    row.get_by_role("link", name="Shade for the playground").click()
    section = page.locator("[data-testid=implementation]")
    expect(section).to_contain_text("Sail shades installed")
    image = section.get_by_role("img", name="Two white sail shades over the sandpit.")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 120  # really loaded
    page.screenshot(path=artifacts / "04-project-timeline.png", full_page=True)
    context.close()
