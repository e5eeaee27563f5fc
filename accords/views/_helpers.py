"""Small helpers shared by the accords views: turning service refusals into messages."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect

from accords.models import Accord
from accords.rules import Action
from core import errors
from core.policy import allows


def accord_or_404(pk: int) -> Accord:
    return get_object_or_404(Accord.objects.select_related("department", "current_version"), pk=pk)


def require(user, action: Action, obj) -> None:
    """Refuse with 403 when the user is not the right person (state errors become messages)."""
    result = allows(user, action, obj)
    if not result and result.wrong_person:
        raise PermissionDenied(result.message)


def run(request, call: Callable, *, success: str, next_url: str, error_url: str | None = None):
    """Call a service for a POST with no form to redisplay; PermissionDenied becomes a 403."""
    try:
        call()
    except ValidationError as exc:
        errors.flash(request, exc)
        return redirect(error_url or next_url)
    messages.success(request, success)
    return redirect(next_url)
