from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contributions"
    label = "contributions"
    verbose_name = _("Contributions")

    def ready(self):
        from assemblies import slots as assembly_slots
        from audit.labels import register_labels
        from contributions import rules, signals, slots  # noqa: F401  (policies, receivers)

        # Each adhering group's figures in the Chamber of the Commons.
        assembly_slots.register(
            "chamber.group",
            "contributions/includes/chamber_group.html",
            context=slots.chamber_group,
        )

        register_labels(
            {
                "contribution.log": _("Contribution logged"),
                "contribution.reverse": _("Contribution corrected by a reversing entry"),
                "contribution.remind": _("Representative reminded of unconfirmed entries"),
                "contribution.activity_publish": _("Volunteer activity published"),
                "contribution.shift_add": _("Volunteer shift added"),
                "contribution.signup": _("Signed up for a volunteer shift"),
                "contribution.signup_cancel": _("Volunteer shift sign-up cancelled"),
                "contribution.check_in": _("Volunteer checked in"),
                "contribution.check_out": _("Volunteer checked out; hours logged"),
                "contribution.shift_remind": _("Volunteers reminded of a shift"),
            }
        )
