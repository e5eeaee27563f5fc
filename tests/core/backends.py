"""Email backends for tests (the only mocks the suite allows)."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every recipient; counts the attempts. Like Django's SMTP
    backend, it swallows the error when asked to fail silently."""

    attempts = 0

    def send_messages(self, email_messages):
        RefusingBackend.attempts += 1
        if self.fail_silently:
            return 0
        raise smtplib.SMTPRecipientsRefused(
            {m.to[0]: (550, b"mailbox unavailable") for m in email_messages}
        )
