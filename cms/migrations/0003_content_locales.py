"""Pages in every content language: a Locale per language, and every existing page (and the
tree's root) in the default language's locale."""

from django.conf import settings
from django.db import migrations


def content_locales(apps, schema_editor):
    Locale = apps.get_model("wagtailcore.Locale")
    Page = apps.get_model("wagtailcore.Page")
    codes = [code for code, _name in getattr(settings, "WAGTAIL_CONTENT_LANGUAGES", [])]
    default_code = settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in codes else codes[0]
    for code in codes:
        Locale.objects.get_or_create(language_code=code)
    default = Locale.objects.get(language_code=default_code)
    Page.objects.exclude(locale__language_code__in=codes).update(locale=default)


class Migration(migrations.Migration):
    dependencies = [("cms", "0002_create_homepage")]

    operations = [migrations.RunPython(content_locales, migrations.RunPython.noop)]
