from functools import partial

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MotionsConfig(AppConfig):
    name = "assemblies.motions"
    label = "motions"
    verbose_name = _("Motions in meetings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from assemblies import slots as assembly_slots
        from assemblies.motions import live, rules, slots  # noqa: F401 - registers the policies
        from audit.labels import register_labels
        from live import broadcast
        from live.conf import live_setting

        window = partial(live_setting, "LIVE_MEETING_COALESCE_MS")
        broadcast.register_snapshot_builder(live.MEETING, live.meeting_snapshot, window_ms=window)
        broadcast.register_snapshot_builder(live.CHAIR, live.chair_snapshot, window_ms=window)
        assembly_slots.register(
            "meeting.motions", "motions/includes/meeting_panel.html", context=slots.meeting_panel
        )
        assembly_slots.register(
            "meeting.chair", "motions/includes/chair_panel.html", context=slots.chair_panel
        )
        register_labels(
            {
                "motion.create": _("drafted a motion"),
                "motion.open": _("opened a motion"),
                "motion.close": _("closed a motion"),
                "motion.decision_skipped": _(
                    "closed a motion after the minutes were published (no decision recorded)"
                ),
                "motion.checkin": _("checked a member in for the vote"),
                "motion.token_issue": _("handed a room tablet to a member"),
                "motion.pairing_code": _("showed a pairing code for room tablets"),
                "motion.tablet_pair": _("paired a room tablet"),
                "motion.tablet_revoke": _("unpaired a room tablet"),
                "objection.withdraw": _("withdrew an objection"),
                "objection.overrule": _("overruled an objection"),
            }
        )
