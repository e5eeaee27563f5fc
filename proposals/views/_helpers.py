from django.core.paginator import Paginator

PER_PAGE = 20


def paginate(request, queryset, per_page: int = PER_PAGE):
    """The requested page (out-of-range numbers give the last page) and the query string of
    the other parameters, for the pagination links."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()
