"""The followers of a host, from the `follows` app when it is installed (its contract:
`follows.services.followers_of(obj)`, a queryset of users); nobody until then."""

from django.apps import apps


def followers_of(obj) -> list:
    if not apps.is_installed("follows"):
        return []
    from follows.services import followers_of as follows_followers_of

    return list(follows_followers_of(obj))
