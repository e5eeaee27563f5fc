from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "budgeting.live"
    label = "pb_live"
    verbose_name = _("Live hybrid voting")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from budgeting.live import receivers  # noqa: F401 - connects the signal receivers
