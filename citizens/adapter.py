"""django-allauth adapter: login throttling that slows guessers without locking out owners.

allauth's own ``login_failed`` limit counts failures per email: six wrong passwords from
anywhere locked the account's owner out for five minutes. Here failures are counted per
(account, address) pair and per address, each with exponential back-off
(citizens.throttle.Backoff): a stranger guessing from elsewhere slows only themselves, and the
owner logs in from their own address as usual.
"""

from django.conf import settings

from citizens.throttle import Backoff
from core.emails import AccountAdapter as EmailAccountAdapter


def _pair_backoff() -> Backoff:
    return Backoff(
        "login_pair",
        free=settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS,
        base=settings.LOGIN_BACKOFF_SECONDS,
        cap=settings.LOGIN_BACKOFF_MAX_SECONDS,
    )


def _address_backoff() -> Backoff:
    return Backoff(
        "login_address",
        free=settings.LOGIN_FAILURES_PER_ADDRESS,
        base=settings.LOGIN_BACKOFF_SECONDS,
        cap=settings.LOGIN_BACKOFF_MAX_SECONDS,
    )


class AccountAdapter(EmailAccountAdapter):
    """Login back-off, over the kernel's adapter that sends allauth's emails by the queue."""

    def _login_idents(self, request, credentials) -> tuple[str, str]:
        address = self.get_client_ip(request)
        login = str(credentials.get("email") or credentials.get("username") or "").lower()
        return f"{login}|{address}", address

    def pre_authenticate(self, request, **credentials):
        pair, address = self._login_idents(request, credentials)
        if _pair_backoff().wait(pair) or _address_backoff().wait(address):
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            # The owner's success forgets their own pair's failures, not the address's.
            _pair_backoff().reset(self._login_idents(request, credentials)[0])
        return user

    def authentication_failed(self, request, **credentials):
        pair, address = self._login_idents(request, credentials)
        _pair_backoff().fail(pair)
        _address_backoff().fail(address)
        super().authentication_failed(request, **credentials)
