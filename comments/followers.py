"""Followers of a host, from the `follows` app (its contract: `follows.services.followers_of`,
a queryset of users, and `follow(user, obj, auto=True)`). Without that app, or for a host it
does not register as followable, nobody follows and nothing is followed."""

from django.apps import apps


def _followable(obj) -> bool:
    if not apps.is_installed("follows"):
        return False
    from follows.registry import is_followable

    return is_followable(obj)


def followers_of(obj) -> list:
    if not _followable(obj):
        return []
    from follows.services import followers_of as follows_followers_of

    return list(follows_followers_of(obj))


def follow_automatically(user, obj) -> None:
    """Who comments on something follows it, as authors and supporters do (an automatic
    follow never downgrades a manual one; commenting again after unfollowing follows again)."""
    if not _followable(obj):
        return
    from follows.services import follow

    follow(user, obj, auto=True)
