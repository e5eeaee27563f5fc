from django import template

from core.money import money_format

register = template.Library()


@register.filter
def money(amount, currency="EUR"):
    """The process's amounts in the language's format: "€12,000.00", "12.000,00 €" (core.money)."""
    return money_format(amount, currency)
