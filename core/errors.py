"""One way to turn a service's refusal into what a view answers: a form error, a message, or
an HTTP status.

Services refuse with `django.core.exceptions.ValidationError` (carrying a translated message and
a `code`) or `PermissionDenied`. Views decide what to answer from the error's class and code,
never from its text: the text is translated, so "Too many" in English is "Troppi" in Italian.

    try:
        services.accord_sign(...)
    except ValidationError as exc:
        errors.add_to_form(form, exc)
    ...
    return render(request, template, context, status=errors.form_status(form))
"""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

# Codes that answer something else than 400 Bad Request. Every other refusal (a wrong state, a
# missing field, a rule of the process) is the client's to fix: 400, as the project does.
STATUS_BY_CODE = {
    "throttled": 429,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
}


def codes(exc: BaseException) -> list[str]:
    """Every code a ValidationError carries (a list or a dict of errors), in order."""
    if not isinstance(exc, ValidationError):
        return []
    if hasattr(exc, "error_dict"):
        errors = [e for field_errors in exc.error_dict.values() for e in field_errors]
    else:
        errors = exc.error_list
    return list(dict.fromkeys(e.code for e in errors if e.code))


def http_status(exc: BaseException, default: int = 400, by_code: dict | None = None) -> int:
    """The HTTP status a refusal answers: 403 for PermissionDenied, 404 for a missing object,
    else by the first code that has one (`STATUS_BY_CODE`, then `by_code`, a protocol's own
    table such as the kiosk's), else `default`."""
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return 404
    table = STATUS_BY_CODE | (by_code or {})
    for code in codes(exc):
        if code in table:
            return table[code]
    return default


def message(exc: BaseException) -> str:
    """The refusal's text for a person: every message of a ValidationError, joined."""
    if isinstance(exc, ValidationError):
        text = " ".join(str(m) for m in exc.messages)
    else:
        text = str(exc.args[0]) if exc.args else ""
    return text or _("This action is not possible now.")


def add_to_form(form, exc: BaseException, field: str | None = None) -> None:
    """Put a service's refusal on a form, keeping its codes: on the fields it names when the
    form has them, else on `field` (or the form as a whole). A PermissionDenied becomes an
    error coded "forbidden"."""
    if not isinstance(exc, ValidationError):
        code = "forbidden" if isinstance(exc, PermissionDenied) else "invalid"
        exc = ValidationError(message(exc), code=code)
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else field, errors)
    else:
        form.add_error(field, exc)


def form_status(form, ok: int = 200) -> int:
    """The status of a page that shows `form`: `ok` without errors, else by its errors' codes
    (a throttled attempt answers 429 whichever field carries it), else 400."""
    if not form.errors:
        return ok
    found = [
        error.code
        for errors in form.errors.as_data().values()
        for error in errors
        if error.code in STATUS_BY_CODE
    ]
    return STATUS_BY_CODE[found[0]] if found else 400


def flash(request, exc: BaseException) -> None:
    """Show the refusal as an error message on the next page."""
    messages.error(request, message(exc))
