"""Site search: every type found by a word of its title and of its body, in English and in
Italian; nothing private for those who may not see it; escaped, highlighted snippets; a
constant number of queries on the results page; the JSON API."""

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale

from accords.models import Accord
from budgeting.models import Process, Project
from cms import demo
from cms.models import NewsIndexPage, NewsPage
from proposals.models import Claim
from search import services
from tests.accords.factories import World
from tests.budgeting.factories import process_create, project_create
from tests.citizens.factories import officer_create
from tests.proposals.factories import claim_in_state, resource_create

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"

# (type, language) -> (a word of the title, a word of the body); each word names one object.
WORDS = {
    ("resources", "en"): ("Sunflower", "sycamores"),
    ("resources", "it"): ("ortensie", "castagni"),
    ("claims", "en"): ("Beekeeping", "honeycombs"),
    ("claims", "it"): ("Apicoltura", "arnie"),
    ("accords", "en"): ("Lighthouse", "paperbacks"),
    ("accords", "it"): ("Biblioteca", "romanzi"),
    ("processes", "en"): ("Waterfront", "footbridges"),
    ("processes", "it"): ("lungofiume", "passerelle"),
    ("projects", "en"): ("Skatepark", "ramps"),
    ("projects", "it"): ("Pattinaggio", "altalene"),
    ("pages", "en"): ("Lantern", "canal"),
    ("pages", "it"): ("Sagra", "caldarroste"),
}
TEXTS = {
    ("resources", "en"): ("Sunflower meadow", "A quiet lawn with sycamores."),
    ("resources", "it"): ("Prato delle ortensie", "Un cortile con castagni."),
    ("claims", "en"): ("Beekeeping on the roof", "We look after honeycombs and hives."),
    ("claims", "it"): ("Apicoltura sul tetto", "Curiamo le arnie e il miele."),
    ("accords", "en"): ("Lighthouse reading room", "Volunteers lend paperbacks to readers."),
    ("accords", "it"): ("Biblioteca del faro", "I volontari prestano romanzi ai lettori."),
    ("processes", "en"): ("Waterfront budget", "Decide on the new footbridges."),
    ("processes", "it"): ("Bilancio del lungofiume", "Decidi sulle nuove passerelle."),
    ("projects", "en"): ("Skatepark renovation", "New ramps and benches."),
    ("projects", "it"): ("Pista di pattinaggio", "Nuove altalene e panchine."),
    ("pages", "en"): ("Lantern festival", "Paper boats on the canal."),
    ("pages", "it"): ("Sagra della castagna", "Caldarroste in piazza Maggiore."),
}


def _accord(title, body):
    world = World()
    Claim.objects.filter(pk=world.claim.pk).update(title=title, activities=body)
    world.claim.refresh_from_db()
    return world.active(support=False)


def _news(language, title, body):
    index = NewsIndexPage.objects.get(locale__language_code=language)
    item = NewsPage(
        title=title,
        slug=f"news-{title.lower().replace(' ', '-')}",
        date="2026-11-01",
        summary="",
        body=f"<p>{body}</p>",
    )
    index.add_child(instance=item)
    item.save_revision().publish()
    return item


@pytest.fixture
def content():
    demo.seed(io.StringIO())
    process = process_create(title="Neighbourhood budget")
    made = {}
    for language in ("en", "it"):
        title, body = TEXTS["resources", language]
        made["resources", language] = resource_create(name=title, description=body)
        title, body = TEXTS["claims", language]
        made["claims", language] = claim_in_state(
            Claim.State.CONSULTATION, title=title, summary=body
        )
        made["accords", language] = _accord(*TEXTS["accords", language])
        title, body = TEXTS["processes", language]
        made["processes", language] = process_create(title=title, description=body)
        title, body = TEXTS["projects", language]
        made["projects", language] = project_create(process, title=title, description=body)
        made["pages", language] = _news(language, *TEXTS["pages", language])
    return made


def results(client, query, language="en", **params):
    client.cookies["django_language"] = language
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["en", "it"])
def test_every_type_is_found_by_a_word_of_its_title_and_of_its_body(client, content, language):
    # One test per language (the content is costly to make), every miss reported at once.
    missed = []
    for (kind, lang), words in sorted(WORDS.items()):
        if lang != language:
            continue
        obj = content[kind, lang]
        url = obj.url if kind == "pages" else obj.get_absolute_url()
        for word in words:
            html = results(client, word, language=language)
            if f'href="{url}"' not in html or f'data-type="{kind}"' not in html:
                missed.append((kind, word))
    assert not missed


def test_a_word_finds_only_its_own_object(content):
    hits = services.search(None or _anonymous(), "sycamores")
    assert [h.obj for h in hits] == [content["resources", "en"]]


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.mark.skipif(not POSTGRES, reason="SQLite's full-text search (FTS5) does not stem")
def test_english_words_are_found_by_another_form(content):
    hits = services.search(_anonymous(), "sycamore")
    assert content["resources", "en"] in [h.obj for h in hits]
    hits = services.search(_anonymous(), "footbridge")
    assert content["processes", "en"] in [h.obj for h in hits]


@pytest.mark.skipif(not POSTGRES, reason="SQLite's full-text search (FTS5) does not stem")
def test_italian_words_are_found_by_another_form():
    resource = resource_create(name="Cura del giardino", description="Le panchine del parco.")
    assert resource in [h.obj for h in services.search(_anonymous(), "giardini")]
    assert resource in [h.obj for h in services.search(_anonymous(), "panchina")]


def test_pages_are_searched_in_the_active_language(client, content):
    assert content["pages", "it"].url not in results(client, "Sagra", language="en")
    assert content["pages", "en"].url not in results(client, "Lantern", language="it")


# Privacy ------------------------------------------------------------------------------------


def test_a_draft_claim_is_found_by_its_proposer_only(client, content):
    draft = claim_in_state(Claim.State.DRAFT, title="Secret orchard plan")
    url = f'href="{draft.get_absolute_url()}"'
    assert url not in results(client, "orchard")
    client.force_login(officer_create())
    assert url not in results(client, "orchard")
    client.force_login(draft.created_by)
    assert url in results(client, "orchard")


def test_a_withdrawn_project_and_a_draft_process_are_found_by_officers_only(client, content):
    project = content["projects", "en"]
    Project.objects.filter(pk=project.pk).update(state=Project.State.WITHDRAWN)
    draft = process_create(state=Process.State.DRAFT, title="Hidden harbour budget")
    assert project.get_absolute_url() not in results(client, "Skatepark")
    assert draft.get_absolute_url() not in results(client, "harbour")
    client.force_login(officer_create())
    assert project.get_absolute_url() in results(client, "Skatepark")
    assert draft.get_absolute_url() in results(client, "harbour")


def test_a_cancelled_accord_is_not_found_by_visitors(client, content):
    accord = content["accords", "en"]
    Accord.objects.filter(pk=accord.pk).update(state=Accord.State.CANCELLED)
    assert accord.get_absolute_url() not in results(client, "Lighthouse")


def test_an_unpublished_page_is_not_found(client, content):
    page = content["pages", "en"]
    url = f'href="{page.url}"'
    assert url in results(client, "Lantern")
    page.unpublish()
    assert url not in results(client, "Lantern")


# Filters, snippets, pagination --------------------------------------------------------------


def test_type_and_district_filters(client, content):
    resource = resource_create(name="Meadow of the north", district="Navile")
    sunflower = f'href="{content["resources", "en"].get_absolute_url()}"'
    north = f'href="{resource.get_absolute_url()}"'
    html = results(client, "meadow")
    assert sunflower in html and north in html
    html = results(client, "meadow", district="Navile")
    assert sunflower not in html and north in html
    html = results(client, "Lighthouse", type="resources")
    assert 'data-testid="search-hit"' not in html
    assert "Nothing matches your search" in html
    html = results(client, "Lighthouse", type="accords")
    assert 'data-type="accords"' in html


def test_a_bad_type_is_a_form_error_not_a_500(client, content):
    html = results(client, "meadow", type="nonsense")
    assert 'class="errorlist"' in html and 'data-testid="search-hit"' not in html


def test_markup_in_a_title_is_escaped_and_the_match_marked(client, content):
    resource_create(name='<script>alert("x")</script> Zanzibar square', description="<b>x</b>")
    html = results(client, "zanzibar")
    assert '<script>alert("x")' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>Zanzibar</mark>" in html
    assert "<b>x</b>" not in html


def test_snippets_mark_the_inflected_words():
    pattern = services.terms_pattern("giardini <mark>")
    assert str(services.highlight("Il giardino & <mark>", pattern)) == (
        "Il <mark>giardino</mark> &amp; &lt;<mark>mark</mark>&gt;"
    )


def test_an_empty_query_shows_the_hint(client, content):
    html = results(client, "")
    assert 'data-testid="search-hint"' in html and 'data-testid="search-hit"' not in html
    assert 'data-testid="search-hint"' in client.get("/search/").content.decode()


def test_results_are_paginated(client, content):
    for n in range(25):
        resource_create(name=f"Playground number {n}")
    first = results(client, "playground")
    assert first.count('data-testid="search-hit"') == 20
    assert "25 results" in first
    assert results(client, "playground", page=2).count('data-testid="search-hit"') == 5


def test_the_results_page_makes_a_constant_number_of_queries(client, content):
    def count_queries(query):
        client.get("/search/", {"q": query})  # warm caches (site root paths, content types)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        return len(ctx), response.content.decode().count('data-testid="search-hit"')

    # The same types in both (a page type costs one query for its specific fields)
    for n in range(2):
        resource_create(name=f"Fountain {n}", description="fountain")
        _accord(f"Fountain accord {n}", "fountain")
        _news("en", f"Fountain news {n}", "fountain")
    few_queries, few_hits = count_queries("fountain")
    for n in range(2, 8):
        resource_create(name=f"Fountain {n}", description="fountain")
        _accord(f"Fountain accord {n}", "fountain")
        _news("en", f"Fountain news {n}", "fountain")
    many_queries, many_hits = count_queries("fountain")
    assert many_hits > few_hits
    assert many_queries == few_queries, (few_queries, many_queries)
    assert many_queries <= 20


# API ----------------------------------------------------------------------------------------


def test_the_api_finds_public_content_only(client, content):
    claim_in_state(Claim.State.DRAFT, title="Beekeeping in secret")
    response = client.get("/api/search", {"q": "beekeeping"})
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["count"] == 1
    (item,) = data["items"]
    assert item["type"] == "claims" and item["title"] == "Beekeeping on the roof"
    assert item["url"] == content["claims", "en"].get_absolute_url()
    assert "honeycombs" in item["snippet"]
    assert client.get("/api/search", {"q": "x" * 201}).status_code == 422


def test_the_italian_locale_exists_for_pages():
    demo.seed(io.StringIO())
    assert Locale.objects.filter(language_code="it").exists()


def test_the_results_page_in_italian(client, content):
    from django.core.management import call_command

    call_command("compile_translations", stdout=io.StringIO())
    html = results(client, "Apicoltura", language="it")
    assert "1 risultato" in html
    assert "Proposte" in html and 'aria-label="Cerca nel sito"' in html
    assert "Nessun risultato" in results(client, "zzzzqqq", language="it")


def test_update_index_rebuilds_an_index_that_search_can_use(client, content):
    from django.core.management import call_command

    call_command("update_index", stdout=io.StringIO(), stderr=io.StringIO())
    html = results(client, "honeycombs")
    assert f'href="{content["claims", "en"].get_absolute_url()}"' in html
    assert f'href="{content["pages", "en"].url}"' in results(client, "canal")
