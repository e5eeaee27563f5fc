"""Demo home page, an About page and news."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from cms.models import HomePage, NewsIndexPage, NewsPage, StandardPage

INTRO = (
    "<p>PartnerCity is where residents propose to take care of the city's commons, sign "
    "collaboration accords with the city, and decide together how to spend part of its "
    "budget, online and in person, counted live.</p>"
)


FEATURED = [
    (
        "process",
        {
            "title": "Green Budget 2026",
            "text": "Vote online or at a polling session near you.",
            "link": "/budgeting/",
        },
    ),
    (
        "process",
        {
            "title": "Commons claims",
            "text": "Propose to care for a park, a square, a building.",
            "link": "/claims/",
        },
    ),
    (
        "process",
        {
            "title": "Accord registry",
            "text": "Every collaboration accord, signed and public.",
            "link": "/accords/",
        },
    ),
]


def home_page() -> HomePage:
    """The home page migration cms.0002 creates; made again if the tables were emptied
    (`manage.py flush`, or a test database reset between tests)."""
    home = HomePage.objects.first()
    if home is not None:
        return home
    language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    locale, _ = Locale.objects.get_or_create(language_code=language)
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


def seed(stdout) -> None:
    with transaction.atomic():
        home = home_page()
        if not home.intro:
            home.title = "Welcome to PartnerCity"
            home.intro = INTRO
            home.featured = FEATURED
            home.save_revision().publish()
        if not StandardPage.objects.filter(slug="about").exists():
            about = StandardPage(
                title="About",
                slug="about",
                show_in_menus=True,
                body=[
                    (
                        "paragraph",
                        "<p>The citizenry initiates and proposes; the city enables "
                        "and supports. PartnerCity follows the Bologna regulation "
                        "on urban commons (2014).</p>",
                    )
                ],
            )
            home.add_child(instance=about)
            about.save_revision().publish()
        news_index = NewsIndexPage.objects.first()
        if news_index is None:
            news_index = NewsIndexPage(title="News", slug="news", show_in_menus=True)
            home.add_child(instance=news_index)
            news_index.save_revision().publish()
        for i, (title, summary) in enumerate(
            [
                ("Green Budget voting opens", "Vote online or at one of four sessions."),
                ("First accord signed for Giardino Margherita", "Neighbours will look after it."),
            ]
        ):
            slug = f"news-{i + 1}"
            if not NewsPage.objects.filter(slug=slug).exists():
                item = NewsPage(
                    title=title,
                    slug=slug,
                    summary=summary,
                    date=dt.date(2026, 10, 1 + i * 10),
                    body=f"<p>{summary}</p>",
                )
                news_index.add_child(instance=item)
                item.save_revision().publish()
