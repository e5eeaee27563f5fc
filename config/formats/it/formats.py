"""Italian formats: "1 ottobre 2026" (no leading zero; month names in lower case come from
core's catalogue, as Italian writes them), 24-hour times, "260,00 €"."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
# Read by core.money: amount, no-break space, symbol ("260,00 €").
MONEY_FORMAT = "{amount}\N{NO-BREAK SPACE}{symbol}"
