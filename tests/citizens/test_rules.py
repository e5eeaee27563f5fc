"""Permission matrices: every role against the profile, group and admin areas, and the civic
group policy generated from its table; roles are read once per user object."""

import pytest
from django.contrib.auth.models import Group

from citizens import rules
from citizens.rules import (
    ALL_PERMISSIONS,
    ROLE_PERMISSIONS,
    Role,
    group_policy,
    permissions_by_name,
)
from tests.citizens.factories import group_create, officer_create, user_create

pytestmark = pytest.mark.django_db

ANON = "anonymous"
ROLES = [ANON, *Role]


def test_every_permission_name_exists():
    assert set(permissions_by_name(ALL_PERMISSIONS)) == set(ALL_PERMISSIONS)


def test_every_role_group_holds_exactly_its_permissions():
    for role, names in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(names), role


def _login_as(client, role):
    if role == ANON:
        return None
    if role in (Role.OFFICER, Role.SIGNATORY):
        user = officer_create(signatory=role == Role.SIGNATORY)
    else:
        user = user_create(roles=[role])
    client.force_login(user)
    return user


# role -> expected status for each area
EXPECTED = {
    #                      profile  group-list  other's group  admin  census-import  cms-admin
    ANON: (302, 302, 302, 302, 302, 302),
    Role.RESIDENT: (200, 200, 403, 302, 302, 302),
    Role.OFFICER: (200, 200, 403, 302, 302, 302),
    Role.SIGNATORY: (200, 200, 403, 302, 302, 302),
    Role.FACILITATOR: (200, 200, 403, 302, 302, 302),
    Role.MODERATOR: (200, 200, 403, 302, 302, 302),
    Role.CONTENT_EDITOR: (200, 200, 403, 302, 302, 200),
    Role.ADMINISTRATOR: (200, 200, 200, 200, 200, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_areas(client, role):
    other_group = group_create(representative=user_create())
    _login_as(client, role)
    urls = [
        "/me/",
        "/me/groups/",
        f"/me/groups/{other_group.pk}/",
        "/django-admin/",
        "/django-admin/citizens/censusrecord/import/",
        "/cms-admin/",
    ]
    got = tuple(client.get(url).status_code for url in urls)
    assert got == EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
def test_rule_functions_match_roles(role, rf):
    from django.contrib.auth.models import AnonymousUser

    if role == ANON:
        user = AnonymousUser()
    elif role in (Role.OFFICER, Role.SIGNATORY):
        user = officer_create(signatory=role == Role.SIGNATORY)
    else:
        user = user_create(roles=[role])
    admin = role == Role.ADMINISTRATOR
    assert rules.is_officer(user) == (role in (Role.OFFICER, Role.SIGNATORY) or admin)
    assert rules.can_sign_for_city(user) == (role == Role.SIGNATORY or admin)
    assert rules.is_facilitator(user) == (role == Role.FACILITATOR or admin)
    assert rules.is_moderator(user) == (role == Role.MODERATOR or admin)
    assert rules.can_import_census(user) == admin
    assert rules.is_administrator(user) == admin


def test_queryset_twins_list_the_right_users():
    officer = officer_create()
    signatory = officer_create(signatory=True)
    user_create(roles=[Role.FACILITATOR])
    assert set(rules.users_with_permission(rules.PERM_SIGN_FOR_CITY)) == {signatory}
    assert set(rules.officers_of(officer.department)) == {officer}


# The civic group policy: (role, group) cells where each action is allowed.
OUTSIDER, MEMBER, REPRESENTATIVE = "outsider", "member", "representative"
GROUP_ROLES = [ANON, OUTSIDER, MEMBER, REPRESENTATIVE, Role.ADMINISTRATOR]
GROUP_CELLS = {
    "view": {MEMBER, REPRESENTATIVE, Role.ADMINISTRATOR},
    "manage": {REPRESENTATIVE, Role.ADMINISTRATOR},
}


def test_every_action_of_the_group_table_has_its_cells():
    assert set(group_policy.rules) == set(GROUP_CELLS)


def test_group_permission_matrix_and_its_queryset_twins():
    from django.contrib.auth.models import AnonymousUser

    people = {
        ANON: AnonymousUser(),
        OUTSIDER: user_create(),
        MEMBER: user_create(),
        REPRESENTATIVE: user_create(),
        Role.ADMINISTRATOR: user_create(roles=[Role.ADMINISTRATOR]),
    }
    group = group_create(representative=people[REPRESENTATIVE], members=[people[MEMBER]])
    other = group_create(representative=user_create())
    wrong = []
    for action in group_policy.rules:
        for role in GROUP_ROLES:
            user = people[role]
            allowed = bool(group_policy.allows(user, action, group))
            if allowed != (role in GROUP_CELLS[action]):
                wrong.append(f"{role} {action}: got {allowed}")
            listed = set(group_policy.queryset(user, action))
            expected = {g for g in (group, other) if group_policy.allows(user, action, g)}
            if listed != expected:
                wrong.append(f"{role} {action}: the twin lists {listed}")
    assert not wrong, "\n".join(wrong)


def test_roles_are_read_once_per_user_object(django_assert_num_queries):
    user = user_create(roles=[Role.MODERATOR])
    with django_assert_num_queries(1):
        assert rules.roles_of(user) == {"moderator"}
    with django_assert_num_queries(0):
        assert rules.roles_of(user) == {"moderator"}
        assert not rules.is_administrator(user)
        assert rules.has_role(user, Role.MODERATOR)
    rules.grant_role(user, Role.FACILITATOR)  # granting forgets what was read
    assert rules.roles_of(user) == {"moderator", "facilitator"}
