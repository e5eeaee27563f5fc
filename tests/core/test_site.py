import pytest
from django.contrib.sites.models import Site
from django.core.management import call_command

from core.checks import check_site_url

pytestmark = pytest.mark.django_db


def test_migrate_gives_the_sites_row_the_sites_own_domain_and_name(settings):
    settings.SITE_DOMAIN, settings.SITE_NAME = "partecipa.comune.example", "Partecipa"
    Site.objects.filter(pk=settings.SITE_ID).update(domain="example.com", name="example.com")
    call_command("migrate", verbosity=0)
    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.domain, site.name) == ("partecipa.comune.example", "Partecipa")


@pytest.mark.parametrize(
    "url",
    ["", "https://example.com", "https://www.example.com", "http://127.0.0.1:8000"],
)
def test_check_deploy_refuses_an_unset_or_placeholder_site_url(settings, url):
    settings.SITE_URL = url
    [error] = check_site_url()
    assert error.id in ("core.E001", "core.E002")


def test_check_deploy_accepts_the_citys_https_address(settings):
    settings.SITE_URL = "https://partecipa.comune.bologna.it"
    assert check_site_url() == []
