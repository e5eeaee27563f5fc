from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    label = "comments"
    verbose_name = _("Comments")

    def ready(self):
        from audit.labels import register_labels
        from comments import hosts, rules  # noqa: F401  (registers the policy and the hosts)

        register_labels(
            {
                "comment.report": _("Comment reported"),
                "comment.report_dismiss": _("Report on a comment dismissed"),
                "comment.hide": _("Comment hidden by a moderator"),
                "comment.unhide": _("Comment shown again by a moderator"),
                "comment.delete": _("Comment deleted by its author"),
            }
        )
