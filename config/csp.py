"""Content-Security-Policy on every response (django-csp), with the admin's own policy.

The public site allows scripts, styles, fonts and connections from its own origin only: no
inline script or style is left in its templates (moved to static files; a nonce is available
as ``request.csp_nonce`` for the rare case that needs one). The Django and Wagtail admins
render inline styles and scripts of their own, so paths under ``CSP_ADMIN_PREFIXES`` get
``CONTENT_SECURITY_POLICY_ADMIN`` instead: still same-origin only, with inline code allowed.
A response that already carries a policy (attachment downloads) keeps it. JSON responses
(the API, the live votes) get none: a policy governs documents, and a browser runs nothing in
JSON (``X-Content-Type-Options: nosniff`` keeps it from being taken for HTML); building the two
policy strings was a few percent of a live vote's CPU.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(tuple(settings.CSP_ADMIN_PREFIXES))
        ):
            parts.config = settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]
            parts.nonce = None  # a nonce would switch 'unsafe-inline' off in browsers
        return parts
