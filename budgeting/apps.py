from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetingConfig(AppConfig):
    name = "budgeting"
    verbose_name = _("Participatory budgeting")

    def ready(self):
        from budgeting.models import Process
        from budgeting.signals import relay_process_transitions
        from core.fsm import transitioned

        transitioned.connect(
            relay_process_transitions, sender=Process, dispatch_uid="budgeting.process_relay"
        )
