from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "assemblies.records"
    label = "assembly_records"
    verbose_name = _("Assembly records")

    def ready(self):
        from assemblies.records import rules  # noqa: F401 - registers the policies
        from assemblies.records.opinions import assembly_opinions
        from audit.labels import register_labels
        from proposals.opinions import register_opinion_source

        register_opinion_source(assembly_opinions)

        from assemblies import slots
        from assemblies.records import panels

        slots.register(
            "assembly.records",
            "assembly_records/includes/assembly_panel.html",
            context=panels.assembly_panel,
            order=10,
        )
        slots.register(
            "meeting.records",
            "assembly_records/includes/meeting_panel.html",
            context=panels.meeting_panel,
            order=10,
        )
        # Actions written outside the state machines (transitions carry their labels).
        register_labels(
            {
                "assembly.attendance.online": _("Online attendance marked"),
                "assembly.attendance.online_removed": _("Online attendance removed"),
                "assembly.minutes.version": _("Minutes version saved"),
                "assembly.decision.add": _("Decision recorded"),
                "assembly.decision.change": _("Decision changed"),
                "assembly.decision.delete": _("Decision removed"),
                "assembly.opinion.draft": _("Opinion drafted"),
                "assembly.opinion.edit": _("Opinion draft changed"),
                "assembly.opinion.not_adopted": _("Opinion not adopted by the vote"),
            }
        )
