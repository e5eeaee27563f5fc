"""`/api/search`: the site search as JSON, with the same visibility rules as the page."""

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from core.api import BoundedPageNumber, QueryText
from search import services

router = Router(tags=["search"])


class SearchFilters(Schema):
    q: QueryText = Field("", description="Words to look for (all of them must match).")
    type: QueryText = Field(
        "", description="resources, claims, accords, processes, projects or pages."
    )
    district: QueryText = ""


class SearchHitOut(Schema):
    type: str
    type_label: str
    title: str
    url: str
    district: str
    snippet: str


@router.get("/search", response=list[SearchHitOut])
@paginate(BoundedPageNumber, page_size=20)
def search(request, filters: Query[SearchFilters]):
    pattern = services.terms_pattern(filters.q)
    hits = services.search(
        request.user, filters.q, type_key=filters.type, district=filters.district, request=request
    )
    return [
        {
            "type": hit.type.key,
            "type_label": str(hit.type.label),
            "title": hit.title,
            "url": hit.url,
            "district": hit.district,
            "snippet": hit.snippet(pattern),
        }
        for hit in hits
    ]
