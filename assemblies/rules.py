"""Who may do what with assemblies, their members, meetings and registrations, in one place.

Three tables (read by ``core.policy``): ``AssemblyPolicy`` (the assembly, its charter, its
members and documents, creating meetings), ``MeetingPolicy`` (editing, opening, closing,
registering, the door) and ``RegistrationPolicy`` / ``MembershipPolicy`` (acting on one
person's registration or membership). The permission-matrix tests walk every action of
every table for every actor and state.

Actors: anyone; a logged-in person; the assembly's active members (any role), its voting
members (coordinator or member) and its coordinators; a meeting's chairs (the named chair and
the assembly's coordinators); city officers (they create thematic and district assemblies and
may plan meetings); administrators.
"""

from enum import StrEnum

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assemblies.models import (
    Assembly,
    Meeting,
    MeetingState,
    Membership,
    MembershipPolicy,
    MembershipState,
    Registration,
    RegistrationState,
    Role,
)
from citizens.rules import is_administrator, is_officer
from core.policy import (
    ALLOW,
    ANYONE,
    AUTHENTICATED,
    EVERY,
    NONE,
    Policy,
    Rule,
    Who,
    deny_state,
    register,
    roles_cached,
)

M = MeetingState


class Action(StrEnum):
    # AssemblyPolicy
    VIEW = "assembly.view"
    CREATE = "assembly.create"  # obj None: a thematic or district assembly
    EDIT = "assembly.edit"  # name, description, membership policy
    EDIT_CHARTER = "charter.edit"  # writes the next charter version
    JOIN = "assembly.join"  # open assemblies: active at once
    REQUEST = "assembly.request"  # by-request assemblies: a coordinator accepts
    VIEW_MEMBERS = "assembly.view_members"  # the list of names (counts are public)
    MANAGE_MEMBERS = "assembly.manage_members"  # the requests page; roles
    UPLOAD_DOCUMENT = "document.upload"
    VIEW_DOCUMENT = "document.view"
    CREATE_MEETING = "meeting.create"
    ADHERE = "assembly.adhere"  # a civic group adheres to the charter (city assembly)
    COMMENT = "assembly.comment"  # the assembly's discussion (comments app)
    # MembershipPolicy
    ACCEPT = "membership.accept"
    REFUSE = "membership.refuse"
    LEAVE = "membership.leave"  # leave, or withdraw one's request
    REMOVE = "membership.remove"
    # MeetingPolicy
    VIEW_MEETING = "meeting.view"
    EDIT_MEETING = "meeting.edit"  # details and agenda
    OPEN = "meeting.open"
    CLOSE = "meeting.close"
    PUBLISH_MINUTES = "meeting.publish_minutes"
    CANCEL = "meeting.cancel"
    REGISTER = "meeting.register"
    CHECK_IN = "meeting.check_in"  # the door: by code or from the list
    VIEW_REGISTRATIONS = "meeting.view_registrations"
    VIEW_ONLINE_LINK = "meeting.view_online_link"
    COMMENT_MEETING = "meeting.comment"  # the meeting's discussion (comments app)
    # RegistrationPolicy
    VIEW_REGISTRATION = "registration.view"  # the code and its QR
    CANCEL_REGISTRATION = "registration.cancel"
    CHECK_IN_REGISTRATION = "registration.check_in"
    ATTEND_ONLINE = "registration.attend_online"  # joined an online or hybrid meeting


# ---- who the user is in an assembly (one query per request) ---------------------------------


def live_roles(user) -> dict[int, tuple[str, str]]:
    """{assembly_id: (role, state)} of the user's requested or active memberships, cached on
    the user object for the request."""
    if not user.is_authenticated:
        return {}
    cache = roles_cached(user)
    if "assembly_roles" not in cache:
        cache["assembly_roles"] = {
            a: (r, s)
            for a, r, s in Membership.objects.filter(
                user=user, state__in=(MembershipState.REQUESTED, MembershipState.ACTIVE)
            ).values_list("assembly_id", "role", "state")
        }
    return cache["assembly_roles"]


def forget_assembly_roles(user) -> None:
    """Drop the cached memberships (after a service changed this same user object's)."""
    roles_cached(user).pop("assembly_roles", None)


def role_in(user, assembly_id) -> str:
    """The user's active role in the assembly ("" when not an active member)."""
    found = live_roles(user).get(assembly_id)
    return found[0] if found and found[1] == MembershipState.ACTIVE else ""


def is_member(user, assembly) -> bool:
    return assembly is not None and bool(role_in(user, assembly.pk))


def is_coordinator(user, assembly) -> bool:
    return assembly is not None and role_in(user, assembly.pk) == Role.COORDINATOR


def has_live_membership(user, assembly) -> bool:
    return assembly is not None and assembly.pk in live_roles(user)


def _active_q(user, prefix: str, **extra) -> Q:
    ids = Membership.objects.filter(user=user, state=MembershipState.ACTIVE, **extra).values(
        "assembly_id"
    )
    return Q(**{f"{prefix}__in": ids})


def _chairs(user, meeting) -> bool:
    return meeting is not None and (
        meeting.chair_id == user.pk or is_coordinator(user, meeting.assembly)
    )


def is_chair(user, meeting) -> bool:
    """May chair this meeting: its named chair or a coordinator of its assembly."""
    return user.is_authenticated and _chairs(user, meeting)


def _chairs_q(user) -> Q:
    return Q(chair=user) | _active_q(user, "assembly", role=Role.COORDINATOR)


OFFICER = Who(
    "officer",
    lambda u, o: is_officer(u),
    lambda u: EVERY if is_officer(u) else NONE,
    _("Only city officers can do this."),
)
ADMINISTRATOR = Who(
    "administrator",
    lambda u, o: is_administrator(u),
    lambda u: EVERY if is_administrator(u) else NONE,
    _("Only administrators can do this."),
)
COORDINATOR = Who(
    "coordinator",
    lambda u, a: is_coordinator(u, a),
    lambda u: _active_q(u, "pk", role=Role.COORDINATOR),
    _("Only the assembly's coordinators can do this."),
)
MEMBER = Who(
    "member",
    lambda u, a: is_member(u, a),
    lambda u: _active_q(u, "pk"),
    _("Only the assembly's members can do this."),
)
CHAIR = Who(
    "chair",
    lambda u, m: _chairs(u, m),
    _chairs_q,
    _("Only the meeting's chair and the assembly's coordinators can do this."),
)
# On a meeting: the active members of its assembly (any role).
MEETING_MEMBER = Who(
    "member",
    lambda u, m: m is not None and is_member(u, m.assembly),
    lambda u: _active_q(u, "assembly"),
    _("Only the assembly's members can do this."),
)
# On a membership: the assembly's coordinators; the person themselves.
MEMBERSHIP_COORDINATOR = Who(
    "coordinator",
    lambda u, ms: ms is not None and is_coordinator(u, ms.assembly),
    lambda u: _active_q(u, "assembly", role=Role.COORDINATOR),
    _("Only the assembly's coordinators can do this."),
)
SELF = Who(
    "the person",
    lambda u, o: o is not None and o.user_id == u.pk,
    lambda u: Q(user=u),
    _("Only the person concerned can do this."),
)
# On a registration: the meeting's chairs.
REGISTRATION_CHAIR = Who(
    "chair",
    lambda u, r: r is not None and _chairs(u, r.meeting),
    lambda u: Q(meeting__chair=u) | _active_q(u, "meeting__assembly", role=Role.COORDINATOR),
    _("Only the meeting's chair and the assembly's coordinators can do this."),
)
REGISTRANT = Who(
    "registrant",
    lambda u, m: m is not None and m.is_registered(u),
    lambda u: Q(
        pk__in=Registration.objects.filter(user=u, state=RegistrationState.REGISTERED).values(
            "meeting_id"
        )
    ),
    _("Only people registered for the meeting see this."),
)


# ---- checks a table cannot say ---------------------------------------------------------------


def _not_yet(user, assembly):
    if not has_live_membership(user, assembly):
        return ALLOW
    return deny_state(_("You are already a member of this assembly, or your request is waiting."))


def _open_policy(user, assembly):
    already = _not_yet(user, assembly)
    if not already:
        return already
    if assembly.membership_policy == MembershipPolicy.OPEN:
        return ALLOW
    return deny_state(_("This assembly admits members by request: ask to join instead."))


def _request_policy(user, assembly):
    already = _not_yet(user, assembly)
    if not already:
        return already
    if assembly.membership_policy == MembershipPolicy.REQUEST:
        return ALLOW
    return deny_state(_("This assembly is open: join it directly."))


def _city_assembly(user, assembly):
    if assembly is not None and assembly.is_city:
        return ALLOW
    return deny_state(_("Groups adhere to the charter of the Assembly of the Commons."))


def _is_group_representative(user):
    from citizens.models import Membership as GroupMembership

    return GroupMembership.objects.filter(user=user, is_representative=True).exists()


def _representative(user, assembly):
    if _is_group_representative(user):
        return ALLOW
    return deny_state(_("Only a civic group's representatives can declare its adherence."))


def _takes_registrations(user, meeting):
    from django.utils import timezone

    if meeting.ends_at <= timezone.now():
        return deny_state(_("This meeting is over."))
    if meeting.registration_of(user) is not None:
        return deny_state(_("You are already registered for this meeting."))
    return ALLOW


def _has_online_part(user, meeting):
    if meeting.is_online and meeting.online_url:
        return ALLOW
    return deny_state(_("This meeting has no online link."))


def _meeting_takes_registrations(user, registration):
    if registration.meeting.state in Meeting.REGISTRATION_STATES:
        return ALLOW
    return deny_state(_("Registrations for this meeting are closed."))


def _meeting_at_the_door(user, registration):
    if registration.meeting.state in Meeting.CHECK_IN_STATES:
        return ALLOW
    return deny_state(_("Check-in is possible only before and during the meeting."))


def _online_in_progress(user, registration):
    meeting = registration.meeting
    if meeting.is_open and meeting.is_online:
        return ALLOW
    return deny_state(_("Online attendance is marked while an online or hybrid meeting is on."))


def _not_checked_in(user, registration):
    if registration.checked_in_at is None:
        return ALLOW
    return deny_state(_("This person is already checked in."))


class AssemblyPolicy(Policy):
    model = Assembly
    rules = {
        Action.VIEW: Rule(ANYONE),
        Action.CREATE: Rule(OFFICER | ADMINISTRATOR),
        Action.EDIT: Rule(COORDINATOR | OFFICER | ADMINISTRATOR),
        Action.EDIT_CHARTER: Rule(COORDINATOR | ADMINISTRATOR),
        Action.JOIN: Rule(AUTHENTICATED, check=_open_policy),
        Action.REQUEST: Rule(AUTHENTICATED, check=_request_policy),
        Action.VIEW_MEMBERS: Rule(MEMBER | OFFICER | ADMINISTRATOR),
        Action.MANAGE_MEMBERS: Rule(COORDINATOR | ADMINISTRATOR),
        Action.UPLOAD_DOCUMENT: Rule(COORDINATOR | ADMINISTRATOR),
        Action.VIEW_DOCUMENT: Rule(ANYONE),
        Action.CREATE_MEETING: Rule(COORDINATOR | OFFICER | ADMINISTRATOR),
        Action.ADHERE: Rule(
            AUTHENTICATED,
            check=lambda u, a: _city_assembly(u, a) and _representative(u, a),
        ),
        Action.COMMENT: Rule(MEMBER),
    }


ASSEMBLY = register(AssemblyPolicy())


class MembershipPolicyTable(Policy):
    model = Membership
    rules = {
        Action.ACCEPT: Rule(MEMBERSHIP_COORDINATOR | ADMINISTRATOR, moves=("accept",)),
        Action.REFUSE: Rule(MEMBERSHIP_COORDINATOR | ADMINISTRATOR, moves=("refuse",)),
        Action.LEAVE: Rule(SELF, moves=("leave", "withdraw")),
        Action.REMOVE: Rule(MEMBERSHIP_COORDINATOR | ADMINISTRATOR, moves=("remove",)),
    }


MEMBERSHIP = register(MembershipPolicyTable())

LIVE = frozenset({M.PLANNED, M.OPEN})


class MeetingPolicy(Policy):
    model = Meeting
    rules = {
        Action.VIEW_MEETING: Rule(ANYONE),
        Action.EDIT_MEETING: Rule(CHAIR | OFFICER | ADMINISTRATOR, LIVE, _("until it closes")),
        Action.OPEN: Rule(CHAIR | ADMINISTRATOR, moves=("open",)),
        Action.CLOSE: Rule(CHAIR | ADMINISTRATOR, moves=("close",)),
        Action.PUBLISH_MINUTES: Rule(CHAIR | ADMINISTRATOR, moves=("publish_minutes",)),
        Action.CANCEL: Rule(CHAIR | OFFICER | ADMINISTRATOR, moves=("cancel",)),
        Action.REGISTER: Rule(
            AUTHENTICATED,
            Meeting.REGISTRATION_STATES,
            _("before it closes"),
            check=_takes_registrations,
        ),
        Action.CHECK_IN: Rule(CHAIR | ADMINISTRATOR, Meeting.CHECK_IN_STATES, _("until it closes")),
        Action.VIEW_REGISTRATIONS: Rule(CHAIR | OFFICER | ADMINISTRATOR),
        Action.VIEW_ONLINE_LINK: Rule(
            REGISTRANT | CHAIR | ADMINISTRATOR, LIVE, _("until it closes"), check=_has_online_part
        ),
        Action.COMMENT_MEETING: Rule(
            REGISTRANT | MEETING_MEMBER | CHAIR,
            frozenset(M) - {M.CANCELLED},
            otherwise=_("The meeting is cancelled: its discussion is closed."),
        ),
    }


MEETING = register(MeetingPolicy())


class RegistrationPolicy(Policy):
    model = Registration
    rules = {
        Action.VIEW_REGISTRATION: Rule(SELF | REGISTRATION_CHAIR | ADMINISTRATOR),
        Action.CANCEL_REGISTRATION: Rule(
            SELF | REGISTRATION_CHAIR | ADMINISTRATOR,
            moves=("cancel",),
            check=_meeting_takes_registrations,
        ),
        Action.CHECK_IN_REGISTRATION: Rule(
            REGISTRATION_CHAIR | ADMINISTRATOR,
            {RegistrationState.REGISTERED},
            _("once the person has a seat"),
            check=lambda u, r: _meeting_at_the_door(u, r) and _not_checked_in(u, r),
        ),
        Action.ATTEND_ONLINE: Rule(
            SELF | REGISTRATION_CHAIR | ADMINISTRATOR,
            {RegistrationState.REGISTERED},
            _("once the person has a seat"),
            check=_online_in_progress,
        ),
    }


REGISTRATION = register(RegistrationPolicy())
