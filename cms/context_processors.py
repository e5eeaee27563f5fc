from django.conf import settings
from django.urls import NoReverseMatch, reverse


def navigation(request):
    """The menu: app sections from settings.PRIMARY_NAV, then Wagtail pages shown in menus
    (those of the active language)."""
    from wagtail.models import Site

    links = []
    for url_name, label in getattr(settings, "PRIMARY_NAV", []):
        try:
            links.append({"url": reverse(url_name), "label": label})
        except NoReverseMatch:
            continue
    site = Site.find_for_request(request)
    # The home page in the active language (Wagtail falls back to the site's own), so the
    # menu lists that language's pages.
    pages = site.root_page.localized.get_children().live().in_menu() if site else []
    return {"primary_nav": links, "menu_pages": pages}
