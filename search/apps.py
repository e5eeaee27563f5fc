from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    # "search" does not clash with Wagtail's apps: theirs are "wagtailsearch" and "modelsearch".
    name = "search"
    label = "site_search"
    verbose_name = _("Site search")
