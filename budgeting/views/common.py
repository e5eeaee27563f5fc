"""Small helpers shared by the budgeting views."""

from django.shortcuts import render


def error_text(exc) -> str:
    return " ".join(getattr(exc, "messages", [str(exc)]))


def confirm(
    request,
    *,
    title: str,
    message: str,
    button: str,
    cancel_url: str,
    fields=None,
    danger: bool = False,
    status: int = 200,
):
    """Ask before an action that cannot be undone; the form posts back with confirm=1."""
    return render(
        request,
        "budgeting/confirm.html",
        {
            "title": title,
            "message": message,
            "button": button,
            "cancel_url": cancel_url,
            "fields": fields or {},
            "danger": danger,
        },
        status=status,
    )
