"""The Sites framework's row (allauth reads it) follows settings.SITE_DOMAIN and SITE_NAME,
so no email ever speaks for example.com: it is rewritten after every `migrate`."""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS


def site_sync(*, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    from django.contrib.sites.models import Site

    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": settings.SITE_DOMAIN or "localhost", "name": settings.SITE_NAME},
    )
    Site.objects.clear_cache()
