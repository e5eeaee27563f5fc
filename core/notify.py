"""One `notify()` for every app: the in-app notification now, the live push and the email
after commit. The email is a background task (`notification_email_send`), so a slow or
refusing mail server neither slows the request nor loses the message: it is tried again and,
in the end, shown as failed in the admin's task results.

Notifications are stored by `citizens` (its `Notification` model and the user's group for the
live push); they are looked up when called, so that core imports no app at load time.

Each notification has a `kind` (derived from its verb by `kind_of`, or passed explicitly): the
group of events a person sets a preference for. An app may install an email router
(`set_email_router`, the `follows` app does): it decides per notification whether the email
leaves now, waits for a digest or is not sent, and gives the unsubscribe link of each email.
Without one, every notification is emailed at once.
"""

from collections.abc import Callable, Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import translation

from core.emails import email_render
from core.tasks import background

# The kinds of events a person sets a preference for, by the first part of the verb
# ("claim.decided" → "claim"). Verbs about comments ("claim.comment", "comment.hidden") are
# "comment" whatever their first part; anything unknown is "other".
KIND_BY_PREFIX = {
    "claim": "claim",
    "review": "claim",
    "accord": "accord",
    "dispute": "accord",
    "budgeting": "budgeting",
    "pb": "budgeting",
    "assembly": "assembly",
    "assemblies": "assembly",
    "meeting": "assembly",
    "motion": "assembly",
    "implementation": "implementation",
    "comment": "comment",
    "comments": "comment",
}
KINDS = ("claim", "accord", "comment", "budgeting", "assembly", "implementation", "other")


def kind_of(verb: str) -> str:
    """The kind of event a verb belongs to (see KIND_BY_PREFIX)."""
    parts = verb.split(".")
    if "comment" in parts or "comments" in parts:
        return "comment"
    return KIND_BY_PREFIX.get(parts[0], "other")


class EmailRouter:
    """What the default (no router installed) does: every email now, no unsubscribe link."""

    def route(self, notifications: list) -> list:
        """Called in the caller's transaction with the new notifications (saved); returns
        those to email at once (the others wait for a digest or are not emailed)."""
        return notifications

    def unsubscribe_url(self, user, kind: str) -> str:
        """An absolute link that stops emails of `kind` to `user` without logging in."""
        return ""


_router = EmailRouter()


def set_email_router(router: EmailRouter | None) -> None:
    global _router
    _router = router or EmailRouter()


def email_router() -> EmailRouter:
    return _router


def notify(
    users: Iterable,
    verb: str,
    message: Callable[[], str] | str,
    url: str = "",
    *,
    email: bool = True,
    exclude=None,
    kind: str = "",
) -> list:
    """Tell `users` (but not `exclude`) that something happened; returns the notifications.

    `message` is rendered in each recipient's language: pass a callable returning a gettext
    string so it is evaluated under that language. Inactive users are skipped; the email goes
    to those who did not opt out of notification emails, once the transaction commits, at
    once or in a digest as each recipient prefers for this `kind` of event (default: derived
    from `verb`).
    """
    notification_model = apps.get_model("citizens", "Notification")
    recipients = {
        u.pk: u
        for u in users
        if u is not None and u.is_active and (exclude is None or u.pk != exclude.pk)
    }
    created = []
    for user in recipients.values():
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            text = str(message() if callable(message) else message)
        created.append(
            notification_model(
                user=user, verb=verb, kind=kind or kind_of(verb), message=text[:500], url=url
            )
        )
    notification_model.objects.bulk_create(created)
    emailable = [n for n in created if email and n.user.notify_by_email and n.user.email]
    now = _router.route(emailable) if emailable else []

    def after_commit():
        for note in now:
            notification_email_send.enqueue(notification_id=note.pk)
        _push_live(created)

    if created:
        transaction.on_commit(after_commit)
    return created


def _push_live(notifications: list) -> None:
    from citizens.consumers import user_group

    layer = get_channel_layer()
    if layer is None:
        return
    for note in notifications:
        async_to_sync(layer.group_send)(
            user_group(note.user_id),
            {"type": "notify", "data": {"message": note.message, "url": note.url}},
        )


@background
def notification_email_send(*, notification_id: int) -> dict:
    """Email one notification to its recipient, in their language, unless they opted out
    since (or the notification was deleted with their account)."""
    notification = (
        apps.get_model("citizens", "Notification")
        .objects.select_related("user")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:
        return {"sent": False, "reason": "deleted"}
    user = notification.user
    if not (user.is_active and user.notify_by_email and user.email):
        return {"sent": False, "reason": "opted out"}
    link = f"{settings.SITE_URL}{notification.url}" if notification.url else ""
    unsubscribe = _router.unsubscribe_url(user, notification.kind)
    message = email_render(
        "notification",
        {
            "user": user,
            "message": notification.message,
            "link": link,
            "unsubscribe_url": unsubscribe,
        },
        to=[user.email],
        language=user.preferred_language,
    )
    message.extra_headers.update(list_unsubscribe_headers(unsubscribe))
    message.send(fail_silently=False)
    return {"sent": True}


def list_unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers: mail clients show an "Unsubscribe" button that POSTs."""
    if not url:
        return {}
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
