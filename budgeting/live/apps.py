from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "budgeting.live"
    label = "pb_live"
    verbose_name = _("Live hybrid voting")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from budgeting.live import (
            broadcast,
            receivers,  # noqa: F401 - connects the signal receivers
            selectors,
        )

        # The broadcaster builds snapshots with the selectors; registered here so that
        # broadcast.py (imported by every service) never imports what reads the database.
        broadcast.register_snapshot_builder(broadcast.PROCESS, selectors.process_snapshot)
        broadcast.register_snapshot_builder(broadcast.SESSION, selectors.session_snapshot)
