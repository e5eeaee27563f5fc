from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccordsConfig(AppConfig):
    name = "accords"
    verbose_name = _("Public-commons accords")
