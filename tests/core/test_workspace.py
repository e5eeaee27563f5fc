"""The staff workspace: staff land on a dashboard of their roles whose every count is the length
of the list it links to; the header offers each role its work screens and nothing else;
residents still land on their own page."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from budgeting.live.models import VotingSession
from budgeting.models import Process
from citizens.rules import Role
from proposals import services as claims
from proposals.models import Claim
from tests.accords.factories import World
from tests.budgeting.factories import process_create
from tests.citizens.factories import (
    PASSWORD,
    department_create,
    officer_create,
    resident_create,
    user_create,
)
from tests.live_voting.factories import facilitator_create, session_make
from tests.proposals.factories import claim_in_state

pytestmark = pytest.mark.django_db

S = Claim.State
WORKSPACE = "/workspace/"
ALL_LINKS = [
    "office",
    "reviews",
    "moderation",
    "sessions",
    "processes",
    "implementation",
    "cms",
    "admin",
]
# The screens only their roles may open (the process and session lists are public or empty).
GUARDED = {
    "office": "/office/",
    "reviews": "/office/reviews/",
    "moderation": "/office/moderation/",
    "implementation": "/implementation/",
    "cms": "/cms-admin/",
    "admin": "/django-admin/",
}
LINKS_BY_ROLE = {
    Role.OFFICER: ["office", "reviews", "sessions", "processes", "implementation"],
    Role.SIGNATORY: ["office", "reviews", "sessions", "processes", "implementation"],
    Role.FACILITATOR: ["sessions"],
    Role.MODERATOR: ["moderation"],
    Role.CONTENT_EDITOR: ["cms"],
    Role.ADMINISTRATOR: ALL_LINKS,
}


def staff_create(role: Role):
    return user_create(roles=[role], department=department_create())


def staff_links(html: str) -> list[str]:
    return re.findall(r'data-testid="staff-link-([a-z]+)"', html)


def count_on_dashboard(client, key: str) -> tuple[int, str]:
    """The number a dashboard count shows, and the URL it links to."""
    html = client.get(WORKSPACE).content.decode()
    match = re.search(
        rf'<a href="([^"]+)" data-testid="count-{key}"><span[^>]*data-count="(\d+)"', html
    )
    assert match, f"no count {key} on the dashboard"
    return int(match.group(2)), match.group(1).replace("&amp;", "&")


def rows_listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


# Landing after login ------------------------------------------------------------------------


def login(client, user):
    return client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
    )


@pytest.mark.parametrize("role", list(LINKS_BY_ROLE))
def test_staff_land_on_the_dashboard_of_their_roles(client, role):
    response = login(client, staff_create(role))
    assert response.redirect_chain[-1][0] == WORKSPACE
    assert response.templates[0].name == "core/workspace.html"


def test_residents_still_land_on_their_own_page(client):
    response = login(client, resident_create())
    assert response.redirect_chain[-1][0] == reverse("citizens:profile")
    assert "Not verified" not in response.content.decode()  # verified already
    client.logout()
    response = login(client, user_create())  # a new account, residency not verified yet
    assert response.redirect_chain[-1][0] == reverse("citizens:profile")
    assert "Verify residency" in response.content.decode()


def test_officers_are_not_asked_to_verify_residency(client):
    client.force_login(officer_create())
    html = client.get(reverse("citizens:profile")).content.decode()
    assert "Verify residency" not in html and "Not verified" not in html
    assert "Staff accounts do not need a verified residency." in html


def test_officers_who_are_also_residents_are_asked(client):
    client.force_login(user_create(roles=[Role.OFFICER, Role.RESIDENT]))
    html = client.get(reverse("citizens:profile")).content.decode()
    assert "Verify residency" in html


# The header ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), list(LINKS_BY_ROLE.items()))
def test_the_header_offers_each_role_its_screens_and_nothing_else(client, role, expected):
    client.force_login(staff_create(role))
    html = client.get(WORKSPACE).content.decode()
    assert staff_links(html) == ["dashboard", *expected]
    page = re.search(r'<nav class="staff-nav".*?</nav>', html, re.S).group(0)
    for key in expected:
        url = re.search(rf'href="([^"]+)" data-testid="staff-link-{key}"', page).group(1)
        assert client.get(url).status_code == 200, (role, key)
    for key, url in GUARDED.items():
        if key not in expected:
            assert client.get(url).status_code in (302, 403), (role, key)


def test_residents_and_visitors_see_no_staff_links(client):
    assert staff_links(client.get("/claims/").content.decode()) == []
    client.force_login(resident_create())
    assert staff_links(client.get("/claims/").content.decode()) == []
    assert client.get(WORKSPACE).url == reverse("citizens:profile")


# Counts that match their lists -------------------------------------------------------------


@pytest.fixture
def officer():
    return officer_create()


def test_the_claims_waiting_count_is_the_office_queue(client, officer):
    for state in (S.SUBMITTED, S.SCREENING, S.CONSULTATION, S.REJECTED, S.DRAFT):
        claim_in_state(state, officer=officer)
    client.force_login(officer)
    count, url = count_on_dashboard(client, "claims-open")
    assert count == 3 and url == "/office/"
    assert rows_listed(client, url) == count


def test_the_overdue_count_is_the_queue_filtered_on_overdue(client, officer):
    late = [claim_in_state(S.SUBMITTED, officer=officer) for _ in range(2)]
    claim_in_state(S.SUBMITTED, officer=officer)
    Claim.objects.filter(pk__in=[c.pk for c in late]).update(
        due_at=timezone.now() - dt.timedelta(days=1)
    )
    client.force_login(officer)
    count, url = count_on_dashboard(client, "claims-overdue")
    assert count == 2 and url == "/office/?overdue=on"
    assert rows_listed(client, url) == count


def test_the_due_soon_count_is_the_queue_filtered_on_due_within_a_week(client, officer):
    soon, later, late = (claim_in_state(S.SUBMITTED, officer=officer) for _ in range(3))
    now = timezone.now()
    for claim, due in ((soon, 2), (later, 20), (late, -1)):
        Claim.objects.filter(pk=claim.pk).update(due_at=now + dt.timedelta(days=due))
    client.force_login(officer)
    count, url = count_on_dashboard(client, "claims-due-soon")
    assert count == 1 and url == "/office/?due_soon=on"
    assert rows_listed(client, url) == count


def test_the_reviews_count_is_the_department_review_inbox(client):
    department = department_create()
    officer = officer_create(department=department)
    for _ in range(2):
        claim = claim_in_state(S.CONSULTATION)
        claims.review_request(actor=officer, claim=claim, department=department)
    other = claim_in_state(S.CONSULTATION)
    claims.review_request(actor=officer, claim=other, department=department_create())
    client.force_login(officer)
    count, url = count_on_dashboard(client, "reviews-waiting")
    assert count == 2 and url == "/office/reviews/"
    assert rows_listed(client, url) == count


def test_the_reports_count_is_the_moderation_queue(client):
    from comments import services as comment_services

    claim = claim_in_state(S.CONSULTATION)
    for _ in range(3):
        comment = comment_services.comment_post(
            author=resident_create(), target=claim, body="Rude words"
        )
        comment_services.comment_report(
            reporter=resident_create(), comment=comment, reason="Insults"
        )
    moderator = staff_create(Role.MODERATOR)
    client.force_login(moderator)
    count, url = count_on_dashboard(client, "reports-open")
    assert count == 3 and url == "/office/moderation/"
    assert rows_listed(client, url) == count


def test_the_signature_count_is_the_list_waiting_for_the_city(client):
    worlds = [World(), World()]
    for world in worlds:
        world.start()
        world.agree()
    signatory = officer_create(department=worlds[0].department, signatory=True)
    client.force_login(signatory)
    count, url = count_on_dashboard(client, "accords-to-sign")
    assert count == 2 and url == "/accords/mine/#to-sign-h"
    assert len(client.get(url.split("#")[0]).context["to_sign"]) == count


def test_the_sessions_count_is_the_session_list_of_today(client):
    facilitator = facilitator_create()
    session_make(facilitators=[facilitator])
    session_make(facilitators=[facilitator])
    later = timezone.now() + dt.timedelta(days=3)
    session_make(
        facilitators=[facilitator],
        state=VotingSession.State.PLANNED,
        starts_at=later,
        ends_at=later + dt.timedelta(hours=2),
    )
    session_make()  # someone else's
    client.force_login(facilitator)
    count, url = count_on_dashboard(client, "sessions-today")
    assert count == 2 and url.startswith("/budgeting/live/sessions/?day=")
    assert rows_listed(client, url) == count


def test_each_phase_count_is_the_process_list_of_that_phase(client, officer):
    for state in (Process.State.VOTING, Process.State.VOTING, Process.State.IDEAS):
        process_create(state=state)
    client.force_login(officer)
    for state, expected in ((Process.State.VOTING, 2), (Process.State.IDEAS, 1)):
        count, url = count_on_dashboard(client, f"processes-{state}")
        assert count == expected and url == f"/budgeting/?state={state}"
        assert rows_listed(client, url) == count


def test_the_facilitator_console_is_one_click_from_the_dashboard(client):
    facilitator = facilitator_create()
    session = session_make(facilitators=[facilitator])
    client.force_login(facilitator)
    html = client.get(WORKSPACE).content.decode()
    console = reverse("pb_live:session-detail", args=[session.pk])
    assert f'href="{console}"' in html
    assert client.get(console).status_code == 200


# Query count --------------------------------------------------------------------------------


def dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(WORKSPACE).status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboard_of_every_role_is_a_few_queries_whatever_the_workload(client):
    admin = staff_create(Role.ADMINISTRATOR)
    client.force_login(admin)
    dashboard_queries(client)  # the first visit also creates the CMS user profile
    empty = dashboard_queries(client)
    assert empty <= 25
    for state in (S.SUBMITTED, S.CONSULTATION):
        claim_in_state(state)
    for _ in range(3):
        session_make(facilitators=[admin])
        process_create(state=Process.State.REVIEW)
    assert dashboard_queries(client) <= empty + 2  # at most the newly listed sessions' prefetch
