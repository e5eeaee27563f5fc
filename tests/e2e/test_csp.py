"""Every main page of every role, on a 390 px wide phone: it loads under the
Content-Security-Policy without a violation reported by Chromium (a blocked inline script or
style, a refused connection, image or frame), it asks no other host for anything, and nothing
overflows the screen sideways (`document.documentElement.scrollWidth > innerWidth`)."""

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accords.models import Accord
from assemblies.models import Assembly, Meeting
from budgeting.live.models import VotingSession
from budgeting.models import Process
from citizens.models import User
from implementation.models import Implementation
from proposals.models import Claim

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": int(__import__("os").environ.get("PHONE_WIDTH", 390)), "height": 844}
# Third-party back offices (Wagtail, Django admin) are not ours to lay out for phones; they are
# still checked for the policy and for requests to other hosts.
NOT_OURS_TO_LAY_OUT = ("/cms-admin/", "/django-admin/")

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
    pages += ["/accounts/signup/", "/api/docs"]
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
            pages.append(reverse("implementation:process-implementation", args=[process.pk]))
    return pages + _assembly_pages()


def _assembly_pages() -> list[str]:
    """Assemblies, meetings, the Chamber and the records (decisions, published minutes)."""
    pages = [
        reverse("assemblies:assembly-list"),
        reverse("assemblies:meeting-list"),
        reverse("assemblies:chamber"),
    ]
    assembly = Assembly.objects.order_by("pk").first()
    if assembly:
        pages.append(assembly.get_absolute_url())
        pages.append(reverse("assembly_records:assembly-records", args=[assembly.slug]))
    meeting = Meeting.objects.exclude(state="cancelled").order_by("-starts_at").first()
    if meeting:
        pages.append(meeting.get_absolute_url())
    published = Meeting.objects.filter(state="minutes_published").order_by("pk").first()
    if published:
        pages.append(reverse("assembly_records:meeting-minutes", args=[published.pk]))
    return pages


def _coordinator_pages() -> list[str]:
    """The demo's coordinator (resident@): a meeting's door and the minutes being written."""
    pages = []
    today = Meeting.objects.filter(state__in=["planned", "open"]).order_by("starts_at").first()
    if today:
        pages.append(reverse("assemblies:meeting-door", args=[today.pk]))
    recording = Meeting.objects.filter(state__in=["open", "closed"]).order_by("pk").first()
    if recording:
        pages.append(reverse("assembly_records:minutes-edit", args=[recording.pk]))
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
    tracked = Implementation.objects.order_by("pk").first()
    return {
        "resident@partnercity.local": ["/me/", "/claims/new/", "/claims/mine/"]
        + ([f"/budgeting/{voting.pk}/vote/"] if voting else [])
        + ["/me/activity/", "/me/follows/", "/me/notifications/preferences/"]
        + [reverse("assemblies:my-meetings")]
        + _coordinator_pages(),
        "officer@partnercity.local": ["/office/", "/office/reviews/", "/budgeting/new/"]
        + ([f"/office/claims/{claim.pk}/"] if claim else [])
        + ([f"/accords/{accord.pk}/workspace/"] if accord else [])
        + ["/implementation/"]  # the moderation queue: with the moderator below
        + ([f"/implementation/{tracked.pk}/"] if tracked else []),
        "facilitator@partnercity.local": ["/budgeting/live/sessions/"]
        + ([f"/budgeting/live/sessions/{session.pk}/"] if session else []),
        "moderator@partnercity.local": ["/office/moderation/"],
        "editor@partnercity.local": ["/cms-admin/", "/cms-admin/pages/"],
        "admin@partnercity.local": ["/django-admin/", "/django-admin/budgeting/process/"],
    }


def _visit(context, base, paths) -> list[str]:
    problems = []
    elsewhere = []
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
    here = urlsplit(base).netloc

    def record(request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != here:
            elsewhere.append(request.url)

    page.on("request", record)
    for path in paths:
        elsewhere.clear()
        response = page.goto(base + path, wait_until="load")
        assert response.status < 400, f"{path} answered {response.status}"
        assert response.headers.get("content-security-policy"), f"{path} has no policy"
        page.wait_for_load_state("networkidle")
        problems += [f"{path}: {v}" for v in page.evaluate("window.__csp")]
        problems += [f"{path}: asked another host for {url}" for url in elsewhere]
        if not path.startswith(NOT_OURS_TO_LAY_OUT):
            wide = page.evaluate(WIDEST, PHONE["width"])
            if wide:
                problems.append(f"{path}: wider than the screen at 390 px: {wide}")
    page.close()
    return problems


# What sticks out on the right, when the page is wider than the screen.
# (Compared with the screen's width: with mobile emulation, a too-wide page widens innerWidth.)
WIDEST = """(screen) => {
  if (document.documentElement.scrollWidth <= screen && window.innerWidth <= screen) return null;
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.right > screen + 1 && box.width > 0) {
      const name = el.className ? "." + String(el.className).split(" ")[0] : "";
      out.push(el.tagName.toLowerCase() + name + "(" + Math.round(box.right) + ")");
    }
    if (out.length >= 5) break;
  }
  return `scrollWidth ${document.documentElement.scrollWidth}: ${out.join(", ")}`;
}"""


@pytest.fixture
def demo(transactional_db):
    """The demo data, pages to visit and a session per role, made before Playwright starts
    (its event loop in this thread rules out Django's async-to-sync calls afterwards)."""
    call_command("seed_demo", "--quiet-accounts")
    # The demo has what the lists below mean to visit (a published minutes page, the
    # coordinator's door and minutes being written, an implementation to manage).
    assert len(_assembly_pages()) == 7 and len(_coordinator_pages()) == 2
    assert Implementation.objects.exists()
    sessions = {}
    for email in _role_pages():
        client = Client()
        client.force_login(User.objects.get(email=email))
        sessions[email] = client.cookies["sessionid"].value
    return _public_pages(), _role_pages(), sessions, _live_turnout_pages()


def test_every_main_page_of_every_role_keeps_the_policy_fits_a_phone_and_stays_on_this_host(
    demo, asgi_server, browser
):
    public_pages, role_pages, sessions, _live = demo
    problems = []
    visitor = browser.new_context(viewport=PHONE, is_mobile=True, locale="en-GB")
    visitor.add_init_script(LISTEN)
    problems += _visit(visitor, asgi_server.url, public_pages)
    visitor.close()
    for email, paths in role_pages.items():
        context = browser.new_context(viewport=PHONE, is_mobile=True, locale="en-GB")
        context.add_init_script(LISTEN)
        cookie = {"name": "sessionid", "value": sessions[email], "url": asgi_server.url}
        context.add_cookies([cookie])
        problems += [f"{email} {p}" for p in _visit(context, asgi_server.url, paths)]
        context.close()
    assert problems == [], "\n".join(problems)


def test_live_turnout_pages_keep_the_policy_fit_a_phone_and_stay_on_this_host(
    demo, asgi_server, browser
):
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="en-GB")
    context.add_init_script(LISTEN)
    problems = _visit(context, asgi_server.url, demo[3])
    context.close()
    assert problems == [], "\n".join(problems)


def test_the_api_documentation_renders_from_this_host_under_the_policy(asgi_server, browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="it-IT")
    context.add_init_script(LISTEN)
    problems = _visit(context, asgi_server.url, ["/api/docs"])
    page = context.new_page()
    page.goto(asgi_server.url + "/api/docs")
    page.locator(".opblock").first.wait_for(state="visible", timeout=15_000)
    assert page.locator(".opblock").count() > 5  # Swagger UI drew the operations
    assert page.evaluate("document.documentElement.lang") in ("en", "it")
    context.close()
    assert problems == [], "\n".join(problems)
