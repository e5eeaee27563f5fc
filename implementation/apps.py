from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImplementationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "implementation"
    label = "implementation"
    verbose_name = _("Implementation tracking")

    def ready(self):
        from audit.labels import register_labels
        from budgeting.signals import process_state_changed
        from implementation import rules  # noqa: F401 - registers the policy
        from implementation.receivers import open_for_published_results

        process_state_changed.connect(
            open_for_published_results, dispatch_uid="implementation.open_for_results"
        )
        # Actions written by the services outside the state machine (transitions carry labels).
        register_labels(
            {
                "implementation.open": _("Implementation tracking opened"),
                "implementation.update": _("Implementation updated"),
                "implementation.milestone_add": _("Milestone added"),
                "implementation.milestone_done": _("Milestone reached"),
                "implementation.milestone_overdue": _("Milestone overdue"),
                "implementation.photo_add": _("Photo added"),
                "implementation.expense_add": _("Expense recorded"),
            }
        )
