"""Month names as dates print them (`F` in DATE_FORMAT).

Django's Italian catalogue capitalises months ("1 Ottobre 2026"); Italian writes them in lower
case. core's catalogue (core/locale/it) comes before Django's, so it overrides these msgids.
They are marked here so that makemessages keeps them in core's catalogue.
"""

from django.utils.translation import gettext_noop

MONTH_NAMES = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)
