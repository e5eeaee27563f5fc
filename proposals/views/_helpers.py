from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator

PER_PAGE = 20


def paginate(request, queryset, per_page: int = PER_PAGE):
    """The requested page (out-of-range numbers give the last page) and the query string of
    the other parameters, for the pagination links."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


def error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def add_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field when it names known fields."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def flash_error(request, exc: ValidationError) -> None:
    messages.error(request, error_text(exc))
