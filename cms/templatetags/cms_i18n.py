"""The language switcher's destination: the same page in the other language."""

from django import template
from django.utils import translation
from wagtail.models import Locale, Page

register = template.Library()


@register.simple_tag(takes_context=True)
def translated_url(context, language_code: str) -> str:
    """Where switching to `language_code` should land: the live translation of the CMS page
    shown, if it has one (its address may differ: a translated slug), else this address."""
    request = context.get("request")
    here = request.get_full_path() if request else "/"
    page = context.get("page")
    if not isinstance(page, Page):
        return here
    locale = Locale.objects.filter(language_code=language_code).first()
    translation_page = page.get_translation_or_none(locale) if locale else None
    if translation_page is None or not translation_page.live:
        return here
    with translation.override(language_code):
        return translation_page.get_url(request) or here
