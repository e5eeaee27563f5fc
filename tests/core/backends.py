"""Email backends for tests (the only mocks the suite allows)."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every recipient; counts the attempts."""

    attempts = 0

    def send_messages(self, email_messages):
        RefusingBackend.attempts += 1
        raise smtplib.SMTPRecipientsRefused(
            {m.to[0]: (550, b"mailbox unavailable") for m in email_messages}
        )
