"""The comments' permission matrix, generated from `comments.rules.CommentPolicy`: every action
of the table × every role × every case of a comment on a claim in consultation, and the
queryset twins against `allows()`."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from citizens.rules import Role
from comments.models import Comment
from comments.rules import comment_policy
from core.policy import ImproperlyConfiguredRule
from tests.citizens.factories import resident_create, user_create
from tests.comments.factories import claim_in_consultation, close_consultation, comment_make

pytestmark = pytest.mark.django_db

ANON, UNVERIFIED, RESIDENT, AUTHOR = "anonymous", "unverified", "resident", "author"
MODERATOR, ADMIN = "moderator", "administrator"
ROLES = [ANON, UNVERIFIED, RESIDENT, AUTHOR, MODERATOR, ADMIN]
SIGNED_IN = set(ROLES) - {ANON}
MODERATORS = {MODERATOR, ADMIN}

# Cases: the author's comment on a claim in consultation, in each state; "old" is past the
# edit window; "closed" is published on a claim whose consultation deadline has passed.
PUBLISHED, OLD, CLOSED, HIDDEN, DELETED = "published", "old", "closed", "hidden", "deleted"
CASES = [PUBLISHED, OLD, CLOSED, HIDDEN, DELETED]
SHOWN = {PUBLISHED, OLD, CLOSED}
OPEN_HOST = {PUBLISHED, OLD}


def every(roles, cases):
    return {(role, case) for role in roles for case in cases}


CELLS = {
    "view": every(ROLES, CASES),
    # Writing follows the claim's rule: verified residents during the consultation.
    "reply": every({RESIDENT, AUTHOR}, OPEN_HOST),
    "agree": every({RESIDENT}, OPEN_HOST),
    "edit": every({AUTHOR}, {PUBLISHED, CLOSED}),
    "delete": every({AUTHOR}, SHOWN),
    "report": every(SIGNED_IN - {AUTHOR}, SHOWN),
    "hide": every(MODERATORS, SHOWN),
    "unhide": every(MODERATORS, {HIDDEN}),
    "moderate": every(MODERATORS, CASES),
}


@pytest.fixture
def people():
    return {
        ANON: AnonymousUser(),
        UNVERIFIED: user_create(),
        RESIDENT: resident_create(),
        AUTHOR: resident_create(),
        MODERATOR: user_create(roles=[Role.MODERATOR]),
        ADMIN: user_create(roles=[Role.ADMINISTRATOR]),
    }


def comment_case(case, people) -> Comment:
    claim = claim_in_consultation()
    if case == CLOSED:
        claim = close_consultation(claim)
    created = timezone.now() - (dt.timedelta(hours=1) if case == OLD else dt.timedelta(0))
    fields = {"created_at": created}
    if case == HIDDEN:
        fields |= {"state": "hidden", "hidden_at": timezone.now(), "hidden_reason": "Abusive."}
    if case == DELETED:
        fields |= {"state": "deleted"}
    return comment_make(claim, people[AUTHOR], "" if case == DELETED else "Hello", **fields)


def test_every_action_of_the_table_has_its_cells():
    assert set(comment_policy.rules) == set(CELLS)


@pytest.mark.parametrize("case", CASES)
def test_comment_permission_matrix(case, people):
    comment = comment_case(case, people)
    wrong = []
    for action in comment_policy.rules:
        for role in ROLES:
            fresh = Comment.objects.get(pk=comment.pk)  # no cached host verdicts
            allowed = bool(comment_policy.allows(people[role], action, fresh))
            expected = (role, case) in CELLS[action]
            if allowed != expected:
                wrong.append(f"{case}: {role} {action}: got {allowed}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def _twins() -> list[str]:
    found = []
    for action in comment_policy.rules:
        try:
            comment_policy.queryset(AnonymousUser(), action)
            comment_policy.queryset(user_create(), action)
        except ImproperlyConfiguredRule:
            continue
        found.append(action)
    return found


def test_the_queryset_twins_agree_with_the_table(people):
    comments = [comment_case(case, people) for case in CASES]
    draft_comment = comment_make(claim_in_consultation(), people[AUTHOR], "On a draft")
    draft = draft_comment.host
    type(draft).objects.filter(pk=draft.pk).update(state="draft")
    comments.append(Comment.objects.get(pk=draft_comment.pk))
    twins = _twins()
    assert {"view", "edit", "delete", "hide", "unhide"} <= set(twins)
    for role in ROLES:
        user = people[role]
        for action in twins:
            listed = set(
                comment_policy.queryset(user, action).filter(pk__in=[c.pk for c in comments])
            )
            allowed = {
                c
                for c in comments
                if comment_policy.allows(user, action, Comment.objects.get(pk=c.pk))
            }
            assert listed == allowed, (role, action)


def test_the_edit_window_follows_the_setting(settings, people):
    comment = comment_case(PUBLISHED, people)
    author = people[AUTHOR]
    with time_machine.travel(comment.created_at + dt.timedelta(minutes=14), tick=False):
        assert comment_policy.allows(author, "edit", comment)
    with time_machine.travel(comment.created_at + dt.timedelta(minutes=16), tick=False):
        verdict = comment_policy.allows(author, "edit", comment)
        assert not verdict and "within 15 minutes" in verdict.message
        settings.COMMENTS_EDIT_WINDOW = dt.timedelta(minutes=30)
        assert comment_policy.allows(author, "edit", comment)
