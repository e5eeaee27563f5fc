"""Unsubscribe links that work without logging in: a signed (user, kind) with a salt of its
own, so no other signed value of the site can be replayed here, and an age limit."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "follows.unsubscribe"
ALL = "all"  # every notification email (the digest's link, the List-Unsubscribe of a digest)


def unsubscribe_token(user, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[int, str]:
    """(user id, kind) from a token; raises signing.BadSignature (SignatureExpired too)."""
    data = signing.loads(token, salt=SALT, max_age=settings.UNSUBSCRIBE_TOKEN_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise signing.BadSignature("malformed")
    return data["u"], str(data.get("k", ""))


def unsubscribe_url(user, kind: str) -> str:
    path = reverse("follows:unsubscribe", args=[unsubscribe_token(user, kind)])
    return f"{settings.SITE_URL}{path}"
