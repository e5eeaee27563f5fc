"""Content-Security-Policy: every page carries one, and no template relies on inline code."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    parts = (p.split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("path", ["/claims/", "/accounts/login/", "/budgeting/", "/accords/"])
def test_site_pages_allow_only_their_own_scripts_and_styles(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"][0] == "'self'" and "'unsafe-inline'" not in policy["script-src"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_a_nonce_is_offered_to_templates_that_need_one(rf):
    from django.http import HttpResponse

    from config.csp import ContentSecurityPolicyMiddleware

    request = rf.get("/claims/")
    middleware = ContentSecurityPolicyMiddleware(lambda r: HttpResponse())
    middleware.process_request(request)
    nonce = str(request.csp_nonce)
    response = middleware.process_response(request, HttpResponse())
    assert f"'nonce-{nonce}'" in directives(response["Content-Security-Policy"])["script-src"]


@pytest.mark.parametrize("path", ["/django-admin/login/", "/cms-admin/login/"])
def test_the_admins_have_their_own_same_origin_policy(client, path):
    policy = directives(client.get(path)["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["frame-ancestors"] == ["'self'"]


INLINE = [
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style[\s>]", re.I), "a <style> element"),
    # A JSON data block is not run, so the policy does not block it.
    (
        re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/(?:ld\+)?json\"))[^>]*>", re.I),
        "an inline <script>",
    ),
    (re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I), "an event-handler attribute"),
    (re.compile(r"[\"'=]\s*javascript:", re.I), "a javascript: URL"),
]
# Not served as web pages under the site's policy: the PDF's print stylesheet (WeasyPrint)
# and the Django admin's own templates (the admin policy allows inline code).
NOT_PAGES = {"accords/templates/accords/version_pdf.html"}
# Emails are not pages: mail clients ignore style sheets, so their HTML parts style inline.
NOT_PAGE_DIRS = ("templates/email/", "templates/account/email/")
KNOWN: set[str] = set()


def test_no_template_relies_on_inline_scripts_or_styles():
    found = []
    for path in sorted(REPO.glob("**/templates/**/*.html")):
        relative = path.relative_to(REPO).as_posix()
        if relative.startswith(".venv/") or "/templates/admin/" in relative:
            continue
        if relative in NOT_PAGES | KNOWN or relative.startswith(NOT_PAGE_DIRS):
            continue
        if "/templates/email/" in relative:  # an app's emails (e.g. follows' digest)
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{relative}: {what}" for pattern, what in INLINE if pattern.search(text)]
    assert found == []


def test_json_responses_carry_no_policy_and_are_not_sniffed(client):
    response = client.get("/api/claims")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "Content-Security-Policy" not in response
    assert response["X-Content-Type-Options"] == "nosniff"
