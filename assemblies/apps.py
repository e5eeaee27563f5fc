from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssembliesConfig(AppConfig):
    name = "assemblies"
    label = "assemblies"
    verbose_name = _("Assemblies of the Commons")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save

        from accords.models import Accord
        from assemblies import rules  # noqa: F401 - registers the assemblies' policies
        from assemblies.models import CharterVersion
        from assemblies.services import on_accord_transition
        from assemblies.signals import charter_saved
        from audit.labels import register_labels
        from core.fsm import transitioned

        # An accord in force gets its community assembly (members: its civic parties).
        transitioned.connect(
            on_accord_transition, sender=Accord, dispatch_uid="assemblies.accord_community"
        )

        # The charter in force is part of the assembly's search index.
        post_save.connect(
            charter_saved, sender=CharterVersion, dispatch_uid="assemblies.charter_reindex"
        )

        # Actions written by the services outside the state machines (those carry labels).
        register_labels(
            {
                "assembly.create": _("Assembly created"),
                "assembly.edit": _("Assembly edited"),
                "assembly.charter": _("Charter changed"),
                "assembly.membership.join": _("Joined the assembly"),
                "assembly.membership.request": _("Asked to join the assembly"),
                "assembly.membership.role": _("Role changed"),
                "assembly.membership.add": _("Made a member"),
                "assembly.document.upload": _("Document added"),
                "assembly.document.delete": _("Document removed"),
                "assembly.meeting.create": _("Meeting planned"),
                "assembly.meeting.edit": _("Meeting changed"),
                "assembly.meeting.remind": _("Meeting reminders sent"),
                "assembly.registration.create": _("Registered for the meeting"),
                "assembly.registration.check_in": _("Checked in at the door"),
                "assembly.registration.online": _("Attending online"),
                "assembly.adherence": _("Adherence to the charter declared"),
                "assembly.adherence_withdraw": _("Adherence to the charter withdrawn"),
            }
        )
