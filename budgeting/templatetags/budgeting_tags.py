from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def money(amount, currency="EUR"):
    """12000 -> "12,000 EUR" (grouping follows the active language)."""
    if amount is None or amount == "":
        return "—"
    return f"{intcomma(amount)} {currency}"
