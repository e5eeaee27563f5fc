from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def money(amount, currency="EUR"):
    """12000 -> "12,000 EUR"; 438.6 -> "438.60 EUR" (grouping follows the active language)."""
    if amount is None or amount == "":
        return "—"
    if isinstance(amount, float) and not amount.is_integer():
        return f"{floatformat(amount, '2g')} {currency}"
    return f"{intcomma(int(amount))} {currency}"
