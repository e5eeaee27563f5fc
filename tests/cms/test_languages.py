"""The CMS in English and Italian: each language has its own page tree (Wagtail i18n), the
page shown and the menu follow the interface's language, and the switcher lands on the
translation of the page shown."""

import io
from importlib import import_module

import pytest
from django.apps import apps
from wagtail.models import Locale, Page

from cms import demo
from cms.models import HomePage, NewsPage, StandardPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    demo.seed(io.StringIO())


def get(client, path, language):
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200, (path, language, response.status_code)
    return response.content.decode()


def menu(html):
    return html.split('class="primary-nav"', 1)[1].split("</nav>", 1)[0]


def test_the_home_page_in_english_shows_the_english_pages_and_menu(client, pages):
    html = get(client, "/", "en")
    assert "Welcome to PartnerCity" in html
    assert "counted live" in html  # the intro
    assert "Green Budget 2026" in html  # a featured card
    assert "Green Budget voting opens" in html  # the latest news
    assert ">About<" in menu(html) and ">News<" in menu(html)
    assert "Benvenuti" not in html and "Chi siamo" not in html and "Notizie" not in menu(html)


def test_the_home_page_in_italian_shows_the_italian_pages_and_menu(client, pages):
    html = get(client, "/", "it")
    assert '<html lang="it">' in html
    assert "Benvenuti su PartnerCity" in html
    assert "conteggio in diretta" in html  # the intro
    assert "Bilancio Verde 2026" in html  # a featured card
    assert "Al via il voto sul Bilancio Verde" in html  # the latest news
    assert ">Chi siamo<" in menu(html) and ">Notizie<" in menu(html)
    assert "Welcome to PartnerCity" not in html
    assert "Green Budget voting opens" not in html
    assert ">About<" not in menu(html)


def test_the_news_list_shows_the_news_of_the_language(client, pages):
    english = get(client, "/news/", "en")
    assert "Green Budget voting opens" in english
    assert "First accord signed for Giardino Margherita" in english
    assert "Al via il voto" not in english
    italian = get(client, "/news/", "it")
    assert "<h1>Notizie</h1>" in italian
    assert "Al via il voto sul Bilancio Verde" in italian
    assert "Firmato il primo patto per il Giardino Margherita" in italian
    assert "Green Budget voting opens" not in italian


def test_a_page_keeps_its_address_in_both_languages(client, pages):
    assert "<h1>About</h1>" in get(client, "/about/", "en")
    assert "<h1>Chi siamo</h1>" in get(client, "/about/", "it")
    assert "Se ne prenderanno cura i vicini" in get(client, "/news/news-2/", "it")


def test_the_switcher_lands_on_the_translation_even_under_another_slug(client, pages):
    italian = StandardPage.objects.get(slug="about", locale__language_code="it")
    italian.slug = "chi-siamo"
    italian.save_revision().publish()

    english_html = get(client, "/about/", "en")
    assert 'name="next" value="/chi-siamo/"' in english_html
    response = client.post("/me/language/", {"language": "it", "next": "/chi-siamo/"})
    assert response.status_code == 302 and response["Location"] == "/chi-siamo/"
    assert "<h1>Chi siamo</h1>" in get(client, "/chi-siamo/", "it")
    # ... and back to English from the Italian page
    assert 'name="next" value="/about/"' in get(client, "/chi-siamo/", "it")


def test_the_switcher_keeps_the_address_of_pages_outside_the_cms(client, pages):
    html = get(client, "/claims/?district=Centro", "en")
    assert 'name="next" value="/claims/?district=Centro"' in html


def test_seeding_twice_keeps_one_translation_and_the_editors_changes(pages):
    italian_home = HomePage.objects.get(locale__language_code="it")
    italian_home.title = "Benvenute e benvenuti"
    italian_home.save_revision().publish()
    demo.seed(io.StringIO())
    assert HomePage.objects.filter(locale__language_code="it").get().title == (
        "Benvenute e benvenuti"
    )
    assert NewsPage.objects.filter(locale__language_code="it").count() == 2
    assert HomePage.objects.get(locale__language_code="it").translation_key == (
        demo.home_page().translation_key
    )


def test_the_migration_puts_pages_of_other_languages_in_the_default_locale():
    home = demo.home_page()
    Page.objects.filter(pk=home.pk).update(locale=Locale.objects.create(language_code="fr"))
    migration = import_module("cms.migrations.0003_content_locales")
    migration.content_locales(apps, None)
    assert Page.objects.get(pk=home.pk).locale.language_code == "en"
    assert Locale.objects.filter(language_code="it").exists()


def test_content_editors_may_translate_pages(client):
    from wagtail.models import Collection

    from citizens.rules import Role, sync_role_groups
    from cms.permissions import sync_editor_permissions
    from tests.citizens.factories import user_create

    demo.seed(io.StringIO())
    # Wagtail's migrations make the root collection; a database another test emptied has none.
    Collection.get_first_root_node() or Collection.add_root(name="Root")
    sync_editor_permissions()
    sync_role_groups()
    editor = user_create(roles=[Role.CONTENT_EDITOR])
    assert editor.has_perm("simple_translation.submit_translation")
    about = StandardPage.objects.get(slug="about", locale__language_code="en")
    client.force_login(editor)
    response = client.get(f"/cms-admin/translation/submit/page/{about.pk}/")
    assert response.status_code == 200
