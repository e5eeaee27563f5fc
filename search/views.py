from django.core.paginator import Paginator
from django.shortcuts import render

from proposals.selectors import district_choices
from search import services
from search.forms import SearchForm

PAGE_SIZE = 20


def search_page(request):
    form = SearchForm(request.GET or None, districts=district_choices(with_census=True))
    hits, query = [], ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        hits = services.search(
            request.user,
            query,
            type_key=form.cleaned_data["type"],
            district=form.cleaned_data["district"],
            request=request,
        )
    page = Paginator(hits, PAGE_SIZE).get_page(request.GET.get("page"))
    pattern = services.terms_pattern(query)
    results = [
        {
            "hit": hit,
            "title": hit.title_html(pattern),
            "snippet": services.highlight(hit.snippet(pattern), pattern),
        }
        for hit in page
    ]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "search/results.html",
        {
            "form": form,
            "query": query,
            "page": page,
            "results": results,
            "querystring": params.urlencode(),
        },
    )
