"""Which models carry comments, and who may read and write on each of them.

A host registers once (see `comments/hosts.py`), delegating to its own policy:

    from comments import registry
    registry.register(
        Claim,
        can_view=lambda user, claim: claim_policy.allows(user, "view", claim),
        can_comment=lambda user, claim: claim_policy.allows(user, "comment", claim),
        visible=lambda user: claim_policy.queryset(user, "view"),
        authors=lambda claim: notifications.proposers_of(claim),
    )

then a template shows the thread and its form with `{% load comments %}{% comments_for claim %}`.

- `can_view(user, obj)` and `can_comment(user, obj)` return a `core.policy.Verdict` (or a
  bool); `can_comment`'s refusal is shown where the form would be.
- `visible(user)` is the queryset twin of `can_view`: the hosts the user may read (the
  moderation queue and `comment_policy.queryset` use it).
- `authors(obj)` are the people told about new comments (a claim's proposers, a project's
  proposer, an accord's representatives); optional.
- `title(obj)` names the host in notifications (default `str(obj)`); `url(obj)` is its page
  (default `obj.get_absolute_url()`).
- `kinds` names the host's own kinds of comment (`{"objection": _("Objection")}`), shown as a
  badge; each comes once per person and host.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q
from django.http import Http404

from core.policy import ALLOW, Verdict, deny


@dataclass(frozen=True)
class Host:
    model: type[Model]
    can_view: Callable[[Any, Any], Any]
    can_comment: Callable[[Any, Any], Any]
    visible: Callable[[Any], Any] | None = None
    authors: Callable[[Any], Any] | None = None
    title: Callable[[Any], str] = str
    url: Callable[[Any], str] | None = None
    kinds: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    def view(self, user, obj) -> Verdict:
        return _verdict(self.can_view(user, obj))

    def comment(self, user, obj) -> Verdict:
        return _verdict(self.can_comment(user, obj))

    def url_of(self, obj) -> str:
        return self.url(obj) if self.url else obj.get_absolute_url()

    def authors_of(self, obj) -> list:
        return [u for u in (self.authors(obj) if self.authors else []) if u is not None]


def _verdict(value) -> Verdict:
    if isinstance(value, Verdict):
        return value
    from django.utils.translation import gettext_lazy as _

    return ALLOW if value else deny(_("You may not do this."))


_HOSTS: dict[str, Host] = {}


def register(model: type[Model], *, can_view, can_comment, **options) -> Host:
    """Let `model`'s objects carry comments (idempotent: registering again replaces)."""
    host = Host(model, can_view, can_comment, **options)
    _HOSTS[host.key] = host
    return host


def host_for(obj_or_model) -> Host:
    try:
        return _HOSTS[obj_or_model._meta.label_lower]
    except KeyError:
        raise LookupError(f"{obj_or_model._meta.label} does not carry comments") from None


def hosts() -> list[Host]:
    return list(_HOSTS.values())


def is_registered(obj_or_model) -> bool:
    return obj_or_model._meta.label_lower in _HOSTS


def host_object(key: str, pk) -> tuple[Host, Model]:
    """The registered host `key` ("proposals.claim") and its object `pk`, or 404."""
    host = _HOSTS.get(key)
    if host is None or not str(pk).isdecimal():
        raise Http404
    try:
        return host, host.model._default_manager.get(pk=pk)
    except host.model.DoesNotExist:
        raise Http404 from None


def visible_q(user) -> Q:
    """Comments whose host the user may read, over every registered host."""
    q = Q(pk__in=[])
    for host in hosts():
        ct = ContentType.objects.get_for_model(host.model)
        if host.visible is None:
            continue
        ids = host.visible(user).values("pk")
        q |= Q(content_type=ct, object_id__in=ids)
    return q
