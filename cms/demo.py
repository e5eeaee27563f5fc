"""Demo pages in English and Italian: the home page, an About page, the News index and news.

The English pages are the originals; the Italian ones are their translations (Wagtail's
`copy_for_translation`, as the admin's "Translate" action makes them), written here once and
then left alone, so an editor's changes survive another `seed_demo`.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from cms.models import HomePage, NewsIndexPage, NewsPage, StandardPage

INTRO = {
    "en": (
        "<p>PartnerCity is where residents propose to take care of the city's commons, sign "
        "collaboration accords with the city, and decide together how to spend part of its "
        "budget, online and in person, counted live.</p>"
    ),
    "it": (
        "<p>PartnerCity è il luogo dove chi abita la città propone di prendersi cura dei suoi "
        "beni comuni, firma patti di collaborazione con il Comune e decide insieme come "
        "spendere una parte del bilancio, online e di persona, con il conteggio in diretta.</p>"
    ),
}

FEATURED = {
    "en": [
        ("Green Budget 2026", "Vote online or at a polling session near you.", "/budgeting/"),
        ("Commons claims", "Propose to care for a park, a square, a building.", "/claims/"),
        ("Accord registry", "Every collaboration accord, signed and public.", "/accords/"),
    ],
    "it": [
        (
            "Bilancio Verde 2026",
            "Vota online o a un seggio vicino a te.",
            "/budgeting/",
        ),
        (
            "Proposte sui beni comuni",
            "Proponi di curare un parco, una piazza, un edificio.",
            "/claims/",
        ),
        (
            "Registro dei patti",
            "Ogni patto di collaborazione, firmato e pubblico.",
            "/accords/",
        ),
    ],
}

HOME_TITLE = {"en": "Welcome to PartnerCity", "it": "Benvenuti su PartnerCity"}

ABOUT = {
    "en": (
        "About",
        "<p>The citizenry initiates and proposes; the city enables and supports. PartnerCity "
        "follows the Bologna regulation on urban commons (2014).</p>",
    ),
    "it": (
        "Chi siamo",
        "<p>La cittadinanza prende l'iniziativa e propone; il Comune abilita e sostiene. "
        "PartnerCity segue il regolamento di Bologna sui beni comuni urbani (2014).</p>",
    ),
}

NEWS_INDEX_TITLE = {"en": "News", "it": "Notizie"}

NEWS = [
    {
        "en": ("Green Budget voting opens", "Vote online or at one of four sessions."),
        "it": ("Al via il voto sul Bilancio Verde", "Vota online o in uno dei quattro seggi."),
    },
    {
        "en": (
            "First accord signed for Giardino Margherita",
            "Neighbours will look after it.",
        ),
        "it": (
            "Firmato il primo patto per il Giardino Margherita",
            "Se ne prenderanno cura i vicini di casa.",
        ),
    },
]


def _featured(language: str) -> list:
    return [
        ("process", {"title": title, "text": text, "link": link})
        for title, text, link in FEATURED[language]
    ]


def default_locale() -> Locale:
    language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    return Locale.objects.get_or_create(language_code=language)[0]


def home_page() -> HomePage:
    """The default language's home page, the one migration cms.0002 creates; made again if
    the tables were emptied (`manage.py flush`, or a test database reset between tests)."""
    locale = default_locale()
    home = HomePage.objects.filter(locale=locale).first()
    if home is not None:
        return home
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    home = root.add_child(
        instance=HomePage(title="PartnerCity", slug="home", locale=locale, live=True)
    )
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(
        hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="PartnerCity"
    )
    return home


def translate(page: Page, language: str, **fields) -> Page:
    """The page's translation into `language`, made and published with these fields if it
    does not exist yet (an existing one is the editors' and stays as it is)."""
    locale = Locale.objects.get_or_create(language_code=language)[0]
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific
    copy = page.specific.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save()
    copy.save_revision().publish()
    return copy


def seed(stdout) -> None:
    with transaction.atomic():
        locale = default_locale()
        home = home_page()
        if not home.intro:
            home.title = HOME_TITLE["en"]
            home.intro = INTRO["en"]
            home.featured = _featured("en")
            home.save_revision().publish()
        about = StandardPage.objects.filter(slug="about", locale=locale).first()
        if about is None:
            title, body = ABOUT["en"]
            about = StandardPage(
                title=title, slug="about", show_in_menus=True, body=[("paragraph", body)]
            )
            home.add_child(instance=about)
            about.save_revision().publish()
        news_index = NewsIndexPage.objects.filter(locale=locale).first()
        if news_index is None:
            news_index = NewsIndexPage(
                title=NEWS_INDEX_TITLE["en"], slug="news", show_in_menus=True
            )
            home.add_child(instance=news_index)
            news_index.save_revision().publish()
        items = []
        for i, texts in enumerate(NEWS):
            slug = f"news-{i + 1}"
            item = NewsPage.objects.filter(slug=slug, locale=locale).first()
            if item is None:
                title, summary = texts["en"]
                item = NewsPage(
                    title=title,
                    slug=slug,
                    summary=summary,
                    date=dt.date(2026, 10, 1 + i * 10),
                    body=f"<p>{summary}</p>",
                )
                news_index.add_child(instance=item)
                item.save_revision().publish()
            items.append(item)

        # Italian: the same pages translated (same addresses; the language picks the tree).
        home.refresh_from_db()
        translate(
            home,
            "it",
            title=HOME_TITLE["it"],
            draft_title=HOME_TITLE["it"],
            intro=INTRO["it"],
            featured=_featured("it"),
        )
        title, body = ABOUT["it"]
        translate(about, "it", title=title, draft_title=title, body=[("paragraph", body)])
        translate(
            news_index, "it", title=NEWS_INDEX_TITLE["it"], draft_title=NEWS_INDEX_TITLE["it"]
        )
        for item, texts in zip(items, NEWS, strict=True):
            title, summary = texts["it"]
            translate(
                item,
                "it",
                title=title,
                draft_title=title,
                summary=summary,
                body=f"<p>{summary}</p>",
            )
