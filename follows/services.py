"""Following: `follow`, `unfollow`, `is_following`, `followers_of`.

`follow` is safe inside another service's transaction (the automatic follows of authors,
supporters, signatories and voters) and under concurrency: the unique constraint decides,
a duplicate is simply the existing follow.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from follows.models import Follow
from follows.registry import is_followable


def target_key(obj) -> dict:
    if obj is None or obj.pk is None or not is_followable(obj):
        raise ValidationError(_("This cannot be followed."), code="not_followable")
    return {
        "content_type": ContentType.objects.get_for_model(obj, for_concrete_model=True),
        "object_id": obj.pk,
    }


def follow(user, obj, *, auto: bool = False) -> Follow:
    """`user` follows `obj` (idempotent). A manual follow of something followed automatically
    becomes manual; an automatic one never downgrades a manual follow."""
    key = target_key(obj)
    existing = Follow.objects.filter(user=user, **key).first()
    if existing is None:
        try:
            with transaction.atomic():
                return Follow.objects.create(user=user, auto=auto, **key)
        except IntegrityError:
            existing = Follow.objects.get(user=user, **key)
    if existing.auto and not auto:
        existing.auto = False
        existing.save(update_fields=["auto"])
    return existing


def unfollow(user, obj) -> bool:
    """Stop following `obj`; True when there was a follow to remove."""
    deleted, _count = Follow.objects.filter(user=user, **target_key(obj)).delete()
    return bool(deleted)


def is_following(user, obj) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Follow.objects.filter(user=user, **target_key(obj)).exists()


def followers_of(obj, *, manual_only: bool = False) -> QuerySet:
    """The active users following `obj` (`manual_only`: those who chose to, not the automatic
    follows). One filter() call: every condition holds for the same follow row (a second
    filter() on `follows__auto` would match someone's manual follow of another object)."""
    from django.contrib.auth import get_user_model

    key = target_key(obj)
    conditions = {
        "follows__content_type": key["content_type"],
        "follows__object_id": key["object_id"],
    }
    if manual_only:
        conditions["follows__auto"] = False
    return get_user_model().objects.filter(is_active=True, **conditions).distinct()
