import pytest
from django.core.management import call_command

from cms.demo import home_page
from cms.models import HomePage, NewsPage

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_serves_the_home_page(client):
    call_command("seed_demo", "--quiet-accounts")
    call_command("seed_demo", "--quiet-accounts")
    # One home page and two news items per language (English and their Italian translations)
    assert HomePage.objects.filter(locale__language_code="en").count() == 1
    assert HomePage.objects.filter(locale__language_code="it").count() == 1
    assert NewsPage.objects.filter(locale__language_code="en").count() == 2
    assert NewsPage.objects.filter(locale__language_code="it").count() == 2
    html = client.get("/").content.decode()
    assert "Welcome to PartnerCity" in html
    assert "Green Budget voting opens" in html  # latest news block
    assert 'href="#main"' in html and "<main" in html and 'role="banner"' in html
    assert client.get("/news/").status_code == 200
    assert client.get("/about/").status_code == 200


def test_demo_accounts_can_log_in(client):
    from citizens.demo import ACCOUNTS, DEMO_PASSWORD

    call_command("seed_demo", "--quiet-accounts")
    for email, *_ in ACCOUNTS:
        assert client.login(username=email, password=DEMO_PASSWORD), email
        client.logout()


def test_home_page_in_italian(client):
    call_command("seed_demo", "--quiet-accounts")
    client.cookies["django_language"] = "it"
    html = client.get("/").content.decode()
    assert '<html lang="it">' in html
    assert "Ultime notizie" in html


def test_unknown_page_is_a_friendly_404(client):
    call_command("seed_demo", "--quiet-accounts")
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_content_editors_can_edit_pages_and_officers_cannot(client):
    from citizens.rules import Role
    from cms.permissions import sync_editor_permissions
    from tests.citizens.factories import officer_create, user_create

    home = home_page()  # the migration's, or made again after another test's flush
    sync_editor_permissions()
    url = f"/cms-admin/pages/{home.pk}/edit/"
    client.force_login(user_create(roles=[Role.CONTENT_EDITOR]))
    assert client.get(url).status_code == 200
    client.force_login(officer_create())
    assert client.get(url).status_code == 302


def test_editors_get_page_permissions_even_without_a_root_collection(client):
    """A database another test emptied (`flush`) has pages again once the home page is made,
    but no root collection: the page permissions must not wait for it."""
    from wagtail.models import Collection, GroupPagePermission

    from citizens.rules import Role
    from cms.permissions import sync_editor_permissions
    from tests.citizens.factories import user_create

    GroupPagePermission.objects.all().delete()
    Collection.objects.all().delete()
    home = home_page()
    sync_editor_permissions()
    client.force_login(user_create(roles=[Role.CONTENT_EDITOR]))
    assert client.get(f"/cms-admin/pages/{home.pk}/edit/").status_code == 200
