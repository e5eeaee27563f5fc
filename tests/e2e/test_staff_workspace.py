"""Browser: each staff role logs in, lands on its dashboard, and reaches each of its work screens
from the header in one click (the facilitator console in two, through today's sessions), on a
390 px wide phone screen."""

import pytest

from citizens.rules import Role
from proposals.models import Claim
from tests.budgeting.factories import process_create
from tests.citizens.factories import PASSWORD, department_create, user_create
from tests.live_voting.conftest import _live_state  # noqa: F401 - autouse: fresh live state
from tests.live_voting.factories import session_make
from tests.proposals.factories import claim_in_state

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
SCREENS = {
    "office": "/office/",
    "reviews": "/office/reviews/",
    "moderation": "/office/moderation/",
    "sessions": "/budgeting/live/sessions/",
    "processes": "/budgeting/",
    "implementation": "/implementation/",
    "cms": "/cms-admin/",
    "admin": "/django-admin/",
}
ROLES = {
    Role.OFFICER: ["office", "reviews", "sessions", "processes", "implementation"],
    Role.SIGNATORY: ["office", "reviews", "sessions", "processes", "implementation"],
    Role.FACILITATOR: ["sessions"],
    Role.MODERATOR: ["moderation"],
    Role.CONTENT_EDITOR: ["cms"],
    Role.ADMINISTRATOR: list(SCREENS),
}
# Third-party back offices (Wagtail, Django admin) are not ours to lay out for phones.
OUR_SCREENS = {"office", "reviews", "moderation", "sessions", "processes", "implementation"}


def log_in(browser, server, email):
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/workspace/")
    return context, page


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def click_and_expect(page, server, locator, path: str):
    with page.expect_response(lambda r: r.url == server.url + path) as response:
        locator.click()
    assert response.value.status == 200, path
    page.wait_for_load_state()


@pytest.fixture
def staff(transactional_db):
    """One account per staff role and some work for them; made before the browser starts
    (the services notify through async code, which cannot run inside Playwright's loop)."""
    users = {
        role: user_create(
            email=f"{role.value}@example.org", roles=[role], department=department_create()
        )
        for role in ROLES
    }
    claim_in_state(Claim.State.SUBMITTED)
    process = process_create(title="Green Budget 2026")
    session = session_make(
        process, facilitators=[users[Role.FACILITATOR]], place_name="Biblioteca Salaborsa"
    )
    return users, session


def test_each_staff_role_reaches_its_work_from_the_header(staff, asgi_server, browser, artifacts):
    users, session = staff
    for role, screens in ROLES.items():
        context, page = log_in(browser, asgi_server, users[role].email)
        nav = page.get_by_test_id("staff-nav")
        shown = nav.locator("a").evaluate_all("links => links.map(a => a.dataset.testid)")
        assert shown == ["staff-link-dashboard"] + [f"staff-link-{key}" for key in screens]
        assert fits_the_phone(page), role
        page.screenshot(path=artifacts / f"{role.value}-00-dashboard.png", full_page=True)
        for n, key in enumerate(screens, start=1):
            click_and_expect(
                page, asgi_server, nav.get_by_test_id(f"staff-link-{key}"), SCREENS[key]
            )
            if key in OUR_SCREENS:
                assert fits_the_phone(page), (role, key)
            page.screenshot(path=artifacts / f"{role.value}-{n:02d}-{key}.png", full_page=True)
            page.goto(f"{asgi_server.url}/workspace/")
        if role == Role.FACILITATOR:
            console = f"/budgeting/live/sessions/{session.pk}/"
            panel = page.get_by_test_id("panel-sessions")
            click_and_expect(
                page, asgi_server, panel.get_by_role("link", name=session.place_name), console
            )
            assert fits_the_phone(page)
            page.screenshot(path=artifacts / f"{role.value}-console.png", full_page=True)
        context.close()
