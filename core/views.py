"""Shared view plumbing: one confirm-then-act pattern, and the staff workspace.

Confirm, then act. An action that cannot be undone lightly first shows a question page
(`core/confirm.html`): a title, what will happen, optionally a form (a reason), one button and a
way back. The page posts back to the same URL; the view then acts.

- `confirm(request, ...)` renders the question page. Views that already have their own flow
  (a POST from a button elsewhere that must be confirmed first) call it directly, with
  `confirmed(request)` telling whether the person answered.
- `confirm_then_act(request, act=..., ...)` is the whole pattern: the question, the act, a
  refusal turned into a form error or a message (`core.errors`), and the redirect.

A page without a form confirms with a hidden `confirm=1`; a page with a form is confirmed by
the form being valid (forms that need an explicit tick carry their own checkbox).
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from core import errors, workspace

CONFIRM_TEMPLATE = "core/confirm.html"


def id_param(value) -> int | None:
    """An object's id as a request sends it (a query parameter, a hidden field, a button's
    value): the number, or None when it is missing or not a number, so that the lookup finds
    nothing (a 404) instead of raising ValueError (a 500). ``str.isdigit`` would let "²"
    through to ``int``. A number past the database's integers also finds nothing."""
    value = (value or "").strip()
    return int(value) if value.isdecimal() else None


def confirmed(request, form=None) -> bool:
    """Whether the person answered the question: a valid form, or the page's `confirm=1`."""
    if request.method != "POST":
        return False
    if form is not None:
        return form.is_valid()
    return request.POST.get("confirm") == "1"


def confirm(
    request,
    *,
    title: str,
    button: str,
    cancel_url: str,
    question: str = "",
    form=None,
    fields: dict | None = None,
    danger: bool = False,
    summary: str = "",
    quote: str = "",
    back_url: str = "",
    back_label: str = "",
    cancel_label: str = "",
    refusal: str = "",
    head_template: str = "",
    status: int | None = None,
) -> HttpResponse:
    """The question page. `summary` names what the action is on, `quote` shows its text (a
    comment to hide); `fields` are posted back hidden (e.g. the phase chosen on the page
    before); `refusal` replaces the form with why the action is not possible now;
    `head_template` adds an app's stylesheet. The status follows the form's errors."""
    if status is None:
        status = errors.form_status(form) if form is not None else 200
    return render(
        request,
        CONFIRM_TEMPLATE,
        {
            "title": title,
            "question": question,
            "button": button,
            "cancel_url": cancel_url,
            "cancel_label": cancel_label,
            "form": form,
            "fields": fields or {},
            "danger": danger,
            "summary": summary,
            "quote": quote,
            "back_url": back_url,
            "back_label": back_label,
            "refusal": refusal,
            "head_template": head_template,
        },
        status=status,
    )


def confirm_then_act(
    request,
    *,
    act: Callable[[dict], object],
    success: str,
    next_url: str,
    form=None,
    error_url: str = "",
    **page,
) -> HttpResponse:
    """Ask, then call `act(cleaned_data)` (a service call) once the person confirmed.

    A ValidationError goes onto the form (the page is shown again, 400 or by its code) or,
    without a form, into a message on `error_url` (default `next_url`). PermissionDenied is
    left to Django (403). On success: `success` as a message and a redirect to `next_url`.
    `page` is passed to `confirm()`.
    """
    if confirmed(request, form):
        try:
            act(form.cleaned_data if form is not None else {})
        except ValidationError as exc:
            if form is None:
                errors.flash(request, exc)
                return redirect(error_url or next_url)
            errors.add_to_form(form, exc)
        else:
            messages.success(request, success)
            return redirect(next_url)
    return confirm(request, form=form, **page)


# The staff workspace -----------------------------------------------------------------------


@login_required
def workspace_home(request):
    """Where everyone lands after logging in: staff on the dashboard of their roles, residents
    on their own page."""
    panels = workspace.panels_for(request.user)
    if not panels and not workspace.links_for(request.user):
        return redirect(workspace.RESIDENT_HOME)
    return render(request, "core/workspace.html", {"panels": panels})
