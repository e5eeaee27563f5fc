from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "budgeting.live"
    label = "pb_live"
    verbose_name = _("Live hybrid voting")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from audit.labels import register_labels
        from budgeting.live import (
            broadcast,
            receivers,  # noqa: F401 - connects the signal receivers
            selectors,
        )

        # The broadcaster builds snapshots with the selectors; registered here so that
        # broadcast.py (imported by every service) never imports what reads the database.
        broadcast.register_snapshot_builder(broadcast.PROCESS, selectors.process_snapshot)
        broadcast.register_snapshot_builder(broadcast.SESSION, selectors.session_snapshot)

        # The console's "Recent actions" and every audit trail name these actions.
        register_labels(
            {
                "pb_live.session_create": _("planned the session"),
                "pb_live.session_update": _("changed the session"),
                "pb_live.session_open": _("opened the session"),
                "pb_live.session_pause": _("paused the session"),
                "pb_live.session_resume": _("resumed the session"),
                "pb_live.session_close": _("closed the session"),
                "pb_live.session_reconcile": _("signed off the reconciliation"),
                "pb_live.pairing_code": _("showed a pairing code"),
                "pb_live.checkin": _("checked a voter in"),
                "pb_live.paper_ballot": _("entered a paper ballot"),
            }
        )
