"""Every main page of every role loads under the Content-Security-Policy without a violation
reported by Chromium (a blocked inline script or style, a refused connection, image or frame)."""

import pytest
from django.core.management import call_command
from django.test import Client

from accords.models import Accord
from budgeting.live.models import VotingSession
from budgeting.models import Process
from citizens.models import User
from proposals.models import Claim

pytestmark = pytest.mark.django_db(transaction=True)

# Recorded in the page before any of its own scripts run; CDP's init script is not subject to
# the page's policy.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""


def _public_pages() -> list[str]:
    pages = ["/", "/claims/", "/resources/", "/accords/", "/budgeting/", "/accounts/login/"]
    pages.append("/accounts/signup/")
    claim = Claim.objects.exclude(state="draft").order_by("pk").first()
    if claim:
        pages.append(f"/claims/{claim.pk}/")
        if claim.resource_id:
            pages.append(f"/resources/{claim.resource_id}/")
    accord = Accord.objects.filter(state="active").order_by("pk").first()
    if accord:
        pages.append(f"/accords/{accord.pk}/")
    for process in Process.objects.filter(state__in=Process.PUBLIC_STATES).order_by("pk"):
        pages.append(f"/budgeting/{process.pk}/projects/")
        if process.state in ("results", "implementation"):
            pages.append(f"/budgeting/{process.pk}/results/")
    return pages


def _live_turnout_pages() -> list[str]:
    """Pages that include budgeting/live's turnout bars."""
    pages = []
    for process in Process.objects.filter(state__in=Process.PUBLIC_STATES).order_by("pk"):
        pages.append(f"/budgeting/{process.pk}/")
        pages.append(f"/budgeting/live/processes/{process.pk}/projector/")
    return pages


def _role_pages() -> dict[str, list[str]]:
    voting = Process.objects.filter(state="voting").order_by("pk").first()
    claim = Claim.objects.exclude(state="draft").order_by("pk").first()
    session = VotingSession.objects.order_by("pk").first()
    accord = Accord.objects.order_by("pk").first()
    return {
        "resident@partnercity.local": ["/me/", "/claims/new/", "/claims/mine/"]
        + ([f"/budgeting/{voting.pk}/vote/"] if voting else []),
        "officer@partnercity.local": ["/office/", "/office/reviews/", "/budgeting/new/"]
        + ([f"/office/claims/{claim.pk}/"] if claim else [])
        + ([f"/accords/{accord.pk}/workspace/"] if accord else []),
        "facilitator@partnercity.local": ["/budgeting/live/sessions/"]
        + ([f"/budgeting/live/sessions/{session.pk}/"] if session else []),
        "moderator@partnercity.local": ["/office/moderation/"],
        "editor@partnercity.local": ["/cms-admin/", "/cms-admin/pages/"],
        "admin@partnercity.local": ["/django-admin/", "/django-admin/budgeting/process/"],
    }


def _visit(context, base, paths) -> list[str]:
    problems = []
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on(
        "console",
        lambda msg: (
            problems.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    for path in paths:
        response = page.goto(base + path, wait_until="load")
        assert response.status < 400, f"{path} answered {response.status}"
        assert response.headers.get("content-security-policy"), f"{path} has no policy"
        page.wait_for_load_state("networkidle")
        problems += [f"{path}: {v}" for v in page.evaluate("window.__csp")]
    page.close()
    return problems


@pytest.fixture
def demo(transactional_db):
    """The demo data, pages to visit and a session per role, made before Playwright starts
    (its event loop in this thread rules out Django's async-to-sync calls afterwards)."""
    call_command("seed_demo", "--quiet-accounts")
    sessions = {}
    for email in _role_pages():
        client = Client()
        client.force_login(User.objects.get(email=email))
        sessions[email] = client.cookies["sessionid"].value
    return _public_pages(), _role_pages(), sessions, _live_turnout_pages()


def test_no_page_of_any_role_violates_the_content_security_policy(demo, asgi_server, browser):
    public_pages, role_pages, sessions, _live = demo
    problems = []
    visitor = browser.new_context()
    visitor.add_init_script(LISTEN)
    problems += _visit(visitor, asgi_server.url, public_pages)
    visitor.close()
    for email, paths in role_pages.items():
        context = browser.new_context()
        context.add_init_script(LISTEN)
        cookie = {"name": "sessionid", "value": sessions[email], "url": asgi_server.url}
        context.add_cookies([cookie])
        problems += [f"{email} {p}" for p in _visit(context, asgi_server.url, paths)]
        context.close()
    assert problems == [], "\n".join(problems)


def test_live_turnout_pages_do_not_violate_the_content_security_policy(demo, asgi_server, browser):
    context = browser.new_context()
    context.add_init_script(LISTEN)
    problems = _visit(context, asgi_server.url, demo[3])
    context.close()
    assert problems == [], "\n".join(problems)
