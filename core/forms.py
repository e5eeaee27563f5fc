"""Form fields shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The years a date typed into a form may have. Outside them it is a slip of the keyboard
# (0001, 9999), and near the ends of Python's calendar a date and time cannot even be turned
# to UTC to be compared or stored (SQLite raised OverflowError: a 500 instead of a form error).
MIN_YEAR = 1900
MAX_YEAR = 2999


def validate_year(value) -> None:
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(
            _("Enter a date between the years %(min)s and %(max)s."),
            code="out_of_range",
            params={"min": MIN_YEAR, "max": MAX_YEAR},
        )


class DateTimeField(forms.DateTimeField):
    """A date and time in the years the platform plans for (`MIN_YEAR` to `MAX_YEAR`)."""

    default_validators = [validate_year]
