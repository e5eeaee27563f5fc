"""Roles and permissions in one place.

Each role is a Django group holding permission constants below. The role rules
(`is_officer(user)`, ...) answer "who is this user?"; rules on an object are a policy table
(`core.policy`): `group_policy.allows(user, "manage", group)` and its queryset twin
`group_policy.queryset(user, "view")`. A user's roles are read once per user object (one
request) and cached on it.
"""

from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from citizens.models import CivicGroup, Membership
from core.policy import Policy, Rule, Who, register, roles_cached
from core.policy import role as role_actor


class Role(StrEnum):
    RESIDENT = "resident"
    OFFICER = "officer"
    SIGNATORY = "signatory"
    FACILITATOR = "facilitator"
    MODERATOR = "moderator"
    CONTENT_EDITOR = "content_editor"
    ADMINISTRATOR = "administrator"


# Permission names ("app_label.codename"). A test asserts that every one exists.
PERM_OFFICER = "citizens.act_as_officer"
PERM_SIGN_FOR_CITY = "citizens.sign_for_city"
PERM_FACILITATE = "citizens.facilitate_sessions"
PERM_MODERATE = "citizens.moderate_content"
PERM_IMPORT_CENSUS = "citizens.import_census"
PERM_MANAGE_PROCEDURE = "citizens.manage_procedure"
PERM_WAGTAIL_ADMIN = "wagtailadmin.access_admin"
# The background tasks' results in the Django admin (failed emails, imports, PDFs).
PERM_VIEW_TASKS = "django_tasks_database.view_dbtaskresult"
# The CMS page's "Translate" action (wagtail.contrib.simple_translation).
PERM_TRANSLATE_PAGES = "simple_translation.submit_translation"

ALL_PERMISSIONS = [
    PERM_OFFICER,
    PERM_SIGN_FOR_CITY,
    PERM_FACILITATE,
    PERM_MODERATE,
    PERM_IMPORT_CENSUS,
    PERM_MANAGE_PROCEDURE,
    PERM_WAGTAIL_ADMIN,
    PERM_VIEW_TASKS,
    PERM_TRANSLATE_PAGES,
]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.RESIDENT: [],
    Role.OFFICER: [PERM_OFFICER],
    Role.SIGNATORY: [PERM_OFFICER, PERM_SIGN_FOR_CITY],
    Role.FACILITATOR: [PERM_FACILITATE],
    Role.MODERATOR: [PERM_MODERATE],
    Role.CONTENT_EDITOR: [PERM_WAGTAIL_ADMIN, PERM_TRANSLATE_PAGES],
    Role.ADMINISTRATOR: list(ALL_PERMISSIONS),
}


def permissions_by_name(names) -> dict[str, Permission]:
    wanted = Q()
    for name in names:
        app_label, codename = name.split(".", 1)
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    found = Permission.objects.filter(wanted).select_related("content_type")
    return {f"{p.content_type.app_label}.{p.codename}": p for p in found}


def sync_role_groups() -> None:
    """Create one group per role holding exactly its permissions.

    Runs after every app's post_migrate, so it tolerates permissions not created yet; the
    last run sees them all.
    """
    perms = permissions_by_name(ALL_PERMISSIONS)
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set([perms[n] for n in names if n in perms])


def grant_role(user, role: Role) -> None:
    group, created = Group.objects.get_or_create(name=role.value)
    if created:  # e.g. after a test flush: give the new group its permissions
        sync_role_groups()
    user.groups.add(group)
    forget_roles(user)
    if role == Role.ADMINISTRATOR and not user.is_staff:
        # Administrators reach the Django admin (census upload, configuration).
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    for attr in ("_perm_cache", "_group_perm_cache", "_user_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)


def roles_of(user) -> set[str]:
    """The user's role names, read once per user object (a request's `request.user`)."""
    if not user.is_authenticated:
        return set()
    cache = roles_cached(user)
    if "roles" not in cache:
        names = {g.name for g in user.groups.all()}
        if user.is_superuser:
            names.add(Role.ADMINISTRATOR.value)
        cache["roles"] = frozenset(names)
    return set(cache["roles"])


def forget_roles(user) -> None:
    """Drop the cached roles (after granting one to this same user object)."""
    roles_cached(user).pop("roles", None)


def has_role(user, role: Role) -> bool:
    return role.value in roles_of(user)


# Rules ------------------------------------------------------------------------------------


def is_officer(user) -> bool:
    return user.is_authenticated and user.has_perm(PERM_OFFICER)


def can_sign_for_city(user) -> bool:
    return user.is_authenticated and user.has_perm(PERM_SIGN_FOR_CITY)


def is_facilitator(user) -> bool:
    return user.is_authenticated and user.has_perm(PERM_FACILITATE)


def is_moderator(user) -> bool:
    return user.is_authenticated and user.has_perm(PERM_MODERATE)


def can_import_census(user) -> bool:
    return user.is_authenticated and user.has_perm(PERM_IMPORT_CENSUS)


def is_administrator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.ADMINISTRATOR))


def is_verified_resident(user) -> bool:
    return user.is_authenticated and user.is_verified_resident


# Civic groups -------------------------------------------------------------------------------


def _groups_of(user, **membership) -> Q:
    return Q(pk__in=Membership.objects.filter(user=user, **membership).values("group_id"))


ADMINISTRATOR = role_actor("administrator", is_administrator, _("Only administrators can do this."))
MEMBER = Who(
    "member",
    lambda u, g: g.memberships.filter(user=u).exists(),
    _groups_of,
    refusal=_("Only members can see this group's page."),
)
REPRESENTATIVE = Who(
    "representative",
    lambda u, g: g.memberships.filter(user=u, is_representative=True).exists(),
    lambda u: _groups_of(u, is_representative=True),
    refusal=_("Only the group's representatives can do this."),
)


class CivicGroupPolicy(Policy):
    model = CivicGroup
    rules = {
        "view": Rule(MEMBER | ADMINISTRATOR),  # the group's page and "My groups"
        "manage": Rule(REPRESENTATIVE | ADMINISTRATOR),  # invite, name representatives
    }


group_policy = register(CivicGroupPolicy())


def can_manage_group(user, group) -> bool:
    """Representatives manage a civic group's members; administrators too."""
    return group_policy.can(user, "manage", group)


# Queryset twins ---------------------------------------------------------------------------


def users_with_permission(perm: str) -> QuerySet:
    app_label, codename = perm.split(".", 1)
    match = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    ) | Q(
        user_permissions__codename=codename,
        user_permissions__content_type__app_label=app_label,
    )
    return get_user_model().objects.filter(match | Q(is_superuser=True), is_active=True).distinct()


def officers_of(department) -> QuerySet:
    return users_with_permission(PERM_OFFICER).filter(department=department)
