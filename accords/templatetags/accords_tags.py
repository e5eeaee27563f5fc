from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def amount(value) -> str:
    """12.50 -> "12.5", 3.00 -> "3" (quantities read better without trailing zeros)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


@register.filter
def short_fp(value: str) -> str:
    return f"{value[:16]}…" if value else ""


@register.filter
def fp_groups(value: str) -> str:
    """The fingerprint in groups of 8 hex digits, easier to read aloud and compare."""
    return " ".join(value[i : i + 8] for i in range(0, len(value), 8)) if value else ""
