"""Browser: a resident fills a knapsack ballot, casts and changes it; an officer publishes."""

import re

import pytest
from django.db import connections
from playwright.sync_api import expect

from budgeting import services
from budgeting.models import Ballot, Participation, Process
from tests.budgeting.factories import key, process_create, project_create
from tests.citizens.factories import PASSWORD, officer_create, resident_create


def log_in(context, server, email):
    page = context.new_page()
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    return page


@pytest.mark.django_db(transaction=True)
def test_resident_votes_changes_ballot_and_officer_publishes(
    asgi_server, browser, artifacts, own_connections
):
    process = process_create(
        title="Green Budget", budget=100_000, result_rule=Process.ResultRule.GREEDY
    )
    park = project_create(process, cost=40_000, title="Park benches")
    library = project_create(process, cost=35_000, title="Library corner")
    trees = project_create(process, cost=30_000, title="Street trees")
    fountain = project_create(process, cost=25_000, title="Drinking fountain")
    resident = resident_create(email="rita@example.org")
    officer = officer_create(email="olga@example.org")

    context = browser.new_context(locale="en-US", viewport={"width": 1000, "height": 900})
    page = log_in(context, asgi_server, resident.email)
    page.goto(f"{asgi_server.url}/budgeting/{process.pk}/vote/")
    total = page.locator("#ballot-total-text")
    expect(total).to_contain_text("Selected: €0.00 of €100,000.00")
    page.screenshot(path=artifacts / "01-ballot-empty.png", full_page=True)

    # The running total follows the choices.
    page.check(f"#project-{park.pk}")
    page.check(f"#project-{library.pk}")
    expect(total).to_contain_text("Selected: €75,000.00 of €100,000.00")
    expect(total).to_contain_text("€25,000.00 left")
    page.check(f"#project-{trees.pk}")
    error = page.locator("#ballot-live-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Over the budget by €5,000.00")
    page.screenshot(path=artifacts / "02-ballot-over-budget.png", full_page=True)
    page.click("#ballot-submit")  # refused in the page: nothing is sent
    expect(error).to_be_focused()
    assert not Ballot.objects.exists()

    # Cast a ballot within the budget.
    page.uncheck(f"#project-{library.pk}")
    expect(total).to_contain_text("Selected: €70,000.00 of €100,000.00")
    expect(error).to_be_hidden()
    page.click("#ballot-submit")
    expect(page.locator(".messages")).to_contain_text("Your ballot was recorded")
    expect(page.locator("[data-testid=receipt-total]")).to_have_text("€70,000.00")
    page.screenshot(path=artifacts / "03-ballot-cast.png", full_page=True)

    # Change it.
    page.click("[data-testid=change]")
    expect(page.locator(f"#project-{park.pk}")).to_be_checked()
    expect(page.locator(f"#project-{trees.pk}")).to_be_checked()
    page.uncheck(f"#project-{trees.pk}")
    page.check(f"#project-{fountain.pk}")
    expect(total).to_contain_text("Selected: €65,000.00 of €100,000.00")
    page.screenshot(path=artifacts / "04-ballot-changing.png", full_page=True)
    page.click("#ballot-submit")
    expect(page.locator(".messages")).to_contain_text("Your ballot was changed")
    page.screenshot(path=artifacts / "05-ballot-changed.png", full_page=True)
    current = Participation.objects.get().ballot
    assert set(current.projects.all()) == {park, fountain}
    assert Ballot.objects.filter(state=Ballot.State.COUNTED).count() == 1
    context.close()
    for chosen in ([park, library], [park, library], [trees]):  # paper ballots
        services.ballot_store(
            process=process,
            channel="paper",
            project_ids=[p.pk for p in chosen],
            idempotency_key=key(),
        )

    # The officer closes voting, computes and publishes the results.
    context = browser.new_context(locale="en-US", viewport={"width": 1000, "height": 900})
    page = log_in(context, asgi_server, officer.email)
    page.goto(f"{asgi_server.url}/budgeting/{process.pk}/manage/")
    page.click("[data-testid=to-counting]")
    expect(page.locator("h1")).to_contain_text("Move")
    page.screenshot(path=artifacts / "06-officer-confirm-close.png", full_page=True)
    page.click("[data-testid=confirm]")
    expect(page.locator(".messages")).to_contain_text("Voting closed")
    page.goto(f"{asgi_server.url}/budgeting/{process.pk}/results/")
    page.click("[data-testid=compute]")
    expect(page.locator(".messages")).to_contain_text("Results computed")
    page.screenshot(path=artifacts / "07-officer-preview.png", full_page=True)
    page.click("[data-testid=publish]")
    page.click("[data-testid=confirm]")
    expect(page.locator(".messages")).to_contain_text("The results are published")
    context.close()

    # Everyone sees the winners and why.
    context = browser.new_context(locale="en-US", viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(f"{asgi_server.url}/budgeting/{process.pk}/results/")
    winners = page.locator("[data-testid=winners]").first
    for title in ("Park benches", "Library corner", "Drinking fountain"):
        expect(winners).to_contain_text(title)
    expect(winners).not_to_contain_text("Street trees")
    reasons = page.locator("[data-testid=reason]")
    expect(reasons.first).to_contain_text(re.compile(r"^Selected"))
    trees_row = page.locator("table.pb-explanations tr", has_text="Street trees")
    expect(trees_row).to_contain_text("Not selected: it did not fit the remaining")
    page.screenshot(path=artifacts / "08-results.png", full_page=True)
    context.close()


@pytest.fixture
def own_connections(asgi_server, browser):
    """Inside Playwright's event loop the test's ORM calls open their own connection; close it
    before the server's teardown terminates it, or the next browser test would reuse it."""
    yield
    connections.close_all()
