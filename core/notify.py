"""One `notify()` for every app: the in-app notification now, the live push and the email
after commit. The email is a background task (`notification_email_send`), so a slow or
refusing mail server neither slows the request nor loses the message: it is tried again and,
in the end, shown as failed in the admin's task results.

Notifications are stored by `citizens` (its `Notification` model and the user's group for the
live push); they are looked up when called, so that core imports no app at load time.
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


def notify(
    users: Iterable,
    verb: str,
    message: Callable[[], str] | str,
    url: str = "",
    *,
    email: bool = True,
    exclude=None,
) -> list:
    """Tell `users` (but not `exclude`) that something happened; returns the notifications.

    `message` is rendered in each recipient's language: pass a callable returning a gettext
    string so it is evaluated under that language. Inactive users are skipped; the email goes
    to those who did not opt out of notification emails, once the transaction commits.
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
        created.append(notification_model(user=user, verb=verb, message=text[:500], url=url))
    notification_model.objects.bulk_create(created)

    def after_commit():
        for note in created:
            if email and note.user.notify_by_email and note.user.email:
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
    message = email_render(
        "notification",
        {"user": user, "message": notification.message, "link": link},
        to=[user.email],
        language=user.preferred_language,
    )
    message.send(fail_silently=False)
    return {"sent": True}
