"""The models that carry comments, each delegating "who may read" and "who may write" to its
own policy. To attach comments to another model (a meeting, an assembly), add one
`registry.register(...)` here (or in that app's `AppConfig.ready()`), then one line in its
page: `{% load comments %}{% comments_for meeting %}`. See `comments/registry.py`.
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from citizens.rules import is_verified_resident
from comments import registry
from core.policy import ALLOW, deny, deny_state

RESIDENTS_ONLY = _(
    "Only residents with a verified residency can comment. Verify it in your profile."
)


def _resident_while(user, visible, closed_message):
    """Verified residents, while the host is public (`visible`, a Verdict for anyone)."""
    if not user.is_authenticated:
        return deny(_("Please log in first."), "login")
    if not is_verified_resident(user):
        return deny(RESIDENTS_ONLY)
    return ALLOW if visible else deny_state(closed_message)


def _register_claims():
    from proposals.models import Claim
    from proposals.notifications import proposers_of
    from proposals.rules import claim_policy

    registry.register(
        Claim,
        can_view=lambda user, claim: claim_policy.allows(user, "view", claim),
        # The claim's own rule: verified residents during the consultation.
        can_comment=lambda user, claim: claim_policy.allows(user, "comment", claim),
        visible=lambda user: claim_policy.queryset(user, "view"),
        authors=proposers_of,
        title=lambda claim: claim.title,
        kinds={"objection": _("Objection")},
    )


def _register_projects():
    from django.contrib.auth.models import AnonymousUser

    from budgeting.models import Project
    from budgeting.permissions import PROJECT, ProjectAction

    def can_comment(user, project):
        public = PROJECT.allows(AnonymousUser(), ProjectAction.VIEW, project)
        return _resident_while(
            user, public, _("Comments are open while the project's process is public.")
        )

    registry.register(
        Project,
        can_view=lambda user, project: PROJECT.allows(user, ProjectAction.VIEW, project),
        can_comment=can_comment,
        visible=lambda user: PROJECT.queryset(user, ProjectAction.VIEW),
        authors=lambda project: [project.proposer] if project.proposer_id else [],
        title=lambda project: project.title,
    )


def _register_accords():
    from django.contrib.auth.models import AnonymousUser

    from accords.models import Accord
    from accords.rules import ACCORDS, Action
    from accords.services._common import civic_users

    def can_comment(user, accord):
        public = ACCORDS.allows(AnonymousUser(), Action.VIEW, accord)
        return _resident_while(user, public, _("This accord is not public."))

    registry.register(
        Accord,
        can_view=lambda user, accord: ACCORDS.allows(user, Action.VIEW, accord),
        can_comment=can_comment,
        visible=lambda user: ACCORDS.queryset(user, Action.VIEW),
        authors=lambda accord: list(civic_users(accord)),
        title=lambda accord: accord.title,
    )


def _register_assemblies():
    from assemblies.models import Assembly, Meeting
    from assemblies.rules import ASSEMBLY, MEETING, Action

    # An assembly: its active members (any role, coordinators included) discuss.
    registry.register(
        Assembly,
        can_view=lambda user, assembly: ASSEMBLY.allows(user, Action.VIEW, assembly),
        can_comment=lambda user, assembly: ASSEMBLY.allows(user, Action.COMMENT, assembly),
        visible=lambda user: ASSEMBLY.queryset(user, Action.VIEW),
        authors=lambda assembly: list(assembly.coordinators()),
        title=lambda assembly: assembly.name,
    )
    # A meeting: registered people, the assembly's members and the chair, unless cancelled.
    registry.register(
        Meeting,
        can_view=lambda user, meeting: MEETING.allows(user, Action.VIEW_MEETING, meeting),
        can_comment=lambda user, meeting: MEETING.allows(user, Action.COMMENT_MEETING, meeting),
        visible=lambda user: MEETING.queryset(user, Action.VIEW_MEETING),
        authors=lambda meeting: meeting.chairs(),
        title=lambda meeting: meeting.title,
    )


_register_claims()
_register_projects()
_register_accords()
if apps.is_installed("assemblies"):
    _register_assemblies()
