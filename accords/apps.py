from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def under_accord_condition():
    """For the resource registry: a resource is "under accord" while an accord on it is in
    force (active or suspended)."""
    from django.db.models import Exists, OuterRef

    from accords.models import Accord
    from accords.models.accords import IN_FORCE_STATES

    return Exists(Accord.objects.filter(resource=OuterRef("pk"), state__in=sorted(IN_FORCE_STATES)))


class AccordsConfig(AppConfig):
    name = "accords"
    verbose_name = _("Public-commons accords")

    def ready(self):
        from accords import rules  # noqa: F401 - registers the accords' permission policies
        from proposals.models import register_under_accord_condition

        register_under_accord_condition(under_accord_condition)

        from audit.labels import register_labels

        # Actions written by the services outside the state machines (those carry labels).
        register_labels(
            {
                "accord.start": _("Accord started"),
                "accord.sign": _("Signed"),
                "accord.reopen": _("Co-design reopened"),
                "accord.expiry_notice": _("Expiry notice sent"),
                "accord.amendment.in_force": _("Amendment in force"),
                "accord.version.create": _("Version saved"),
                "accord.version.comment": _("Comment on a version"),
                "accord.version.propose": _("Version proposed as final"),
                "accord.version.agree": _("Version agreed"),
                "accord.report.submit": _("Activity report filed"),
                "accord.report.acknowledge": _("Activity report acknowledged"),
                "accord.dispute.open": _("Dispute opened"),
                "accord.dispute.member": _("Committee member named"),
                "accord.dispute.third_member.propose": _("Third member proposed"),
                "accord.dispute.third_member.agree": _("Third member agreed"),
                "accord.dispute.settlement": _("Settlement proposed"),
                "accord.dispute.overdue": _("Dispute overdue"),
                "accord.dispute.close": _("Dispute closed"),
            }
        )
