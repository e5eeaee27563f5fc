from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetingConfig(AppConfig):
    name = "budgeting"
    verbose_name = _("Participatory budgeting")

    def ready(self):
        from audit.labels import register_labels
        from budgeting.models import Process
        from budgeting.signals import relay_process_transitions
        from core.fsm import transitioned

        transitioned.connect(
            relay_process_transitions, sender=Process, dispatch_uid="budgeting.process_relay"
        )

        register_labels(
            {
                "budgeting.process.create": _("Process created"),
                "budgeting.process.update": _("Process edited"),
                "budgeting.process.import": _("Process imported"),
                "budgeting.process.lots": _("Ties drawn by lot"),
                "budgeting.process.transition": _("Phase changed"),
                "budgeting.project.create": _("Project created"),
                "budgeting.project.update": _("Project edited"),
                "budgeting.project.submit": _("Idea submitted"),
                "budgeting.project.review": _("Project reviewed"),
                "budgeting.results.compute": _("Results computed"),
                "budgeting.results.publish": _("Results published"),
            }
        )
