"""The email router `core.notify` asks (installed in FollowsConfig.ready): each recipient's
preference for the notification's kind decides whether the email leaves now, waits for the
daily or weekly digest, or is not sent (the in-app list still shows the notification)."""

from core.notify import EmailRouter
from follows import tokens
from follows.models import DIGEST_FREQUENCIES, DigestItem, Frequency
from follows.preferences import frequencies_for


class PreferenceRouter(EmailRouter):
    def route(self, notifications: list) -> list:
        chosen = frequencies_for({n.user_id for n in notifications})
        now, waiting = [], []
        for note in notifications:
            frequency = chosen.get((note.user_id, note.kind), Frequency.IMMEDIATE)
            if frequency == Frequency.IMMEDIATE:
                now.append(note)
            elif frequency in DIGEST_FREQUENCIES:
                waiting.append(
                    DigestItem(notification=note, user_id=note.user_id, frequency=frequency)
                )
        DigestItem.objects.bulk_create(waiting)
        return now

    def unsubscribe_url(self, user, kind: str) -> str:
        return tokens.unsubscribe_url(user, kind)
