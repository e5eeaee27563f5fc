"""Amounts of money in the active language's format: "€260.00" in English, "260,00 €" in Italian.

Grouping and separators come from the locale formats (config/formats/<lang>/formats.py), the
symbol's place from their MONEY_FORMAT. Templates use `{{ amount|money }}` ({% load kernel %}).
"""

from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.utils.formats import get_format, number_format

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF\N{NO-BREAK SPACE}"}
DEFAULT_PATTERN = "{symbol}{amount}"


def money_format(amount, currency: str = "EUR") -> str:
    """The amount with two decimals, grouped thousands and the currency's symbol; "—" if none."""
    if amount is None or amount == "":
        return "—"
    try:
        if isinstance(amount, Fraction):
            value = Decimal(amount.numerator) / Decimal(amount.denominator)
        else:
            value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount)
    pattern = get_format("MONEY_FORMAT")
    if "{amount}" not in pattern:  # a language without a format module of ours
        pattern = DEFAULT_PATTERN
    currency = (currency or "EUR").upper()
    symbol = SYMBOLS.get(currency, f"{currency}\N{NO-BREAK SPACE}")
    text = number_format(value, decimal_pos=2, force_grouping=True)
    if text.startswith("-"):
        return "-" + pattern.format(symbol=symbol, amount=text[1:])
    return pattern.format(symbol=symbol, amount=text)
