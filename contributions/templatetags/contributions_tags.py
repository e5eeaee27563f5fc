from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

from contributions import figures

register = template.Library()


@register.filter
def hours(value) -> str:
    return number_format(
        Decimal(value or 0).quantize(Decimal("0.1"), ROUND_HALF_UP), 1, use_l10n=True
    )


@register.filter
def euros(value) -> str:
    return number_format(
        Decimal(value or 0).quantize(Decimal("1"), ROUND_HALF_UP),
        0,
        use_l10n=True,
        force_grouping=True,
    )


@register.inclusion_tag("contributions/accord_panel.html", takes_context=True)
def contributions_panel(context, accord):
    """The accord page's figures and chart (`{% contributions_panel accord %}`)."""
    data = figures.for_accord(accord)
    return {
        "accord": accord,
        "totals": data["totals"],
        "by_year": data["by_year"],
        "chart": figures.chart_data(data["by_year"]),
        "request": context.get("request"),
    }
