"""`manage.py check --deploy`: refuse to go live without the site's own address, since
every email's links and allauth's Site row come from it."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

PLACEHOLDER_HOSTS = {"example.com", "example.org", "example.net", "localhost", "127.0.0.1", "::1"}


@checks.register(checks.Tags.security, deploy=True)
def check_site_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    url = getattr(settings, "SITE_URL", "")
    host = (urlsplit(url).hostname or "").lower()
    hint = (
        "Set SITE_URL to the public address, e.g. https://partecipa.comune.example "
        "(and SITE_NAME to the site's name); emails link to it."
    )
    if not host:
        return [checks.Error("SITE_URL is not set.", hint=hint, id="core.E001")]
    if host in PLACEHOLDER_HOSTS or host.endswith(".example.com"):
        return [
            checks.Error(
                f"SITE_URL points at {host}, not at the city's site.", hint=hint, id="core.E002"
            )
        ]
    if urlsplit(url).scheme != "https":
        return [checks.Warning("SITE_URL should use https.", hint=hint, id="core.W001")]
    return []
