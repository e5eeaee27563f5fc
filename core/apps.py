from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Kernel")

    def ready(self):
        from core import checks, tasks_admin  # noqa: F401 (registers the check and the admin)
        from core.sites import site_sync

        # post_migrate is sent per app with models; core has none, so listen for the Sites app.
        post_migrate.connect(
            site_sync, sender=apps.get_app_config("sites"), dispatch_uid="core.site_sync"
        )
