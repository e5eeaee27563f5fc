"""One date format per language, amounts in the language's format, no hard-coded date formats."""

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.formats import date_format

from core.money import money_format

OCT_1 = dt.date(2026, 10, 1)


def render(source: str, **context) -> str:
    return Template("{% load kernel %}" + source).render(Context(context))


def test_english_dates_read_the_same_in_every_format():
    with translation.override("en"):
        shown = {date_format(OCT_1, name) for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT")}
        assert shown == {"1 October 2026"}
        assert render("{{ d|date }}", d=OCT_1) == "1 October 2026"


def test_italian_dates_have_no_leading_zero_and_a_lower_case_month():
    with translation.override("it"):
        assert render("{{ d|date }}", d=OCT_1) == "1 ottobre 2026"
        assert date_format(OCT_1, "SHORT_DATE_FORMAT") == "1 ottobre 2026"
        assert date_format(dt.date(2026, 5, 4)) == "4 maggio 2026"


@pytest.mark.parametrize("lang", ["en", "it"])
def test_a_time_at_the_end_of_a_sentence_gets_a_single_full_stop(lang):
    evening = dt.datetime(2026, 12, 6, 18, 30, tzinfo=timezone.get_current_timezone())
    with translation.override(lang):
        sentence = render(
            '{% load i18n %}{% blocktranslate with when=t|date:"SHORT_DATETIME_FORMAT" %}'
            "Signed off on {{ when }}.{% endblocktranslate %}",
            t=evening,
        )
    assert sentence.endswith("18:30.")
    assert ".." not in sentence


def test_amounts_in_english_put_the_euro_sign_first():
    with translation.override("en"):
        assert render("{{ a|money }}", a=Decimal("260")) == "€260.00"
        assert money_format(1_234_567.5) == "€1,234,567.50"
        assert money_format(Fraction(1000, 3)) == "€333.33"


def test_amounts_in_italian_use_the_comma_and_put_the_euro_sign_after():
    with translation.override("it"):
        assert render("{{ a|money }}", a=Decimal("260")) == "260,00\N{NO-BREAK SPACE}€"
        assert money_format(12_000) == "12.000,00\N{NO-BREAK SPACE}€"


def test_a_missing_amount_shows_a_dash():
    assert money_format(None) == "—"


# Machine-readable formats (attributes, inputs) and the named locale formats are fine.
ALLOWED = {"c", "Y-m-d", "T", "DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT"}
ALLOWED |= {"SHORT_DATETIME_FORMAT", "TIME_FORMAT"}
CHECKED = ["accords", "budgeting/templates", "templates", "citizens", "cms", "core"]


def test_templates_use_the_locale_date_formats_not_hard_coded_ones():
    base = Path(settings.BASE_DIR)
    found = [
        f"{path.relative_to(base)}: {fmt}"
        for folder in CHECKED
        for path in (base / folder).rglob("*.html")
        for fmt in re.findall(r"""\|date:["']([^"']*)["']""", path.read_text())
        if fmt not in ALLOWED
    ]
    assert found == []
