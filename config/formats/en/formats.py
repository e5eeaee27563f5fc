"""English formats: one date format everywhere ("6 December 2026"), 24-hour times.

Django's defaults mix "Dec. 6, 2026", "12/06/2026" and "2:30 p.m." (whose full stop doubles
at the end of a sentence); the short formats are the long ones so that a date reads the same
on every page.
"""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
# Read by core.money: where the currency symbol goes ("€260.00").
MONEY_FORMAT = "{symbol}{amount}"
