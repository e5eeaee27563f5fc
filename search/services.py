"""Site search: Wagtail's search over every registered type, filtered through each policy.

Each type is searched in its own query (relevance order inside the type), on the objects this
user may see (`SearchType.visible_to`), and the lists are interleaved so the first page shows
the best hits of every type. At most `PER_TYPE_LIMIT` hits per type are kept.
"""

import html
import re
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, zip_longest

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from wagtail.search.backends import get_search_backend
from wagtail.search.index import SearchField

from search.registry import SearchType, installed_types

PER_TYPE_LIMIT = 100
SNIPPET_LENGTH = 240
MAX_QUERY_LENGTH = 200
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Hit:
    type: SearchType
    obj: object
    title: str
    url: str
    district: str

    @cached_property
    def text(self) -> str:
        """The plain text the snippet is cut from."""
        return body_text(self.obj, self.type.title)

    def title_html(self, pattern) -> SafeString:
        return highlight(self.title, pattern)

    def snippet(self, pattern) -> str:
        return cut_snippet(self.text, pattern)


def terms_pattern(query: str) -> re.Pattern | None:
    """A regex for the words of the query and their inflections, by a prefix of each word
    ("giardini" marks "giardino", "gardens" marks "garden"): for marking, not for matching."""
    stems = set()
    for word in _WORD.findall(query):
        stems.add(word if len(word) <= 4 else word[: max(4, len(word) - 2)])
    if not stems:
        return None
    alternatives = "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE | re.UNICODE)


def highlight(text: str, pattern: re.Pattern | None) -> SafeString:
    """The text escaped, each match wrapped in <mark> (escaped piece by piece, so no markup
    in the text can survive)."""
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 (every piece escaped above)


def cut_snippet(text: str, pattern: re.Pattern | None) -> str:
    """About SNIPPET_LENGTH characters of the text around its first match (plain text)."""
    match = pattern.search(text) if pattern else None
    start = 0
    if match and match.start() > SNIPPET_LENGTH // 3:
        start = text.rfind(" ", 0, match.start() - SNIPPET_LENGTH // 3) + 1
    end = start + SNIPPET_LENGTH
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    snippet = text[start:end].strip()
    return ("… " if start else "") + snippet + (" …" if end < len(text) else "")


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return " ".join(_plain(v) for v in value.values())
    return " ".join(html.unescape(strip_tags(str(value))).split())


def body_text(obj, title_field: str = "title") -> str:
    """The searchable text of an object other than its title, as plain text."""
    return " ".join(
        filter(
            None,
            (
                _plain(field.get_value(obj))
                for field in obj.get_search_fields()
                if isinstance(field, SearchField) and field.field_name != title_field
            ),
        )
    )


def _search_type(t: SearchType, user, query: str, district: str, request) -> list[Hit]:
    visible = t.visible_to(user)
    if district:
        if not t.district:
            return []
        visible = visible.filter(**{t.district: district})
    model = t.model_class
    queryset = model._default_manager.filter(pk__in=visible.order_by().values("pk"))
    if t.related:
        queryset = queryset.select_related(*t.related)
    if hasattr(queryset, "specific"):  # Wagtail pages: their own fields and URLs
        queryset = queryset.specific()
    results = get_search_backend().search(query, queryset, operator="and")[:PER_TYPE_LIMIT]
    hits = []
    for obj in results:
        title = str(getattr(obj, t.title, "") or obj)
        url = obj.get_url(request) if hasattr(obj, "get_url") else obj.get_absolute_url()
        district_value = getattr(obj, t.district, "") if t.district else ""
        hits.append(Hit(t, obj, title, url or "", district_value or ""))
    return hits


def search(user, query: str, *, type_key: str = "", district: str = "", request=None):
    """Every hit this user may see, best first within each type, the types interleaved."""
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if not _WORD.search(query):
        return []
    types = [t for t in installed_types() if not type_key or t.key == type_key]
    lists = [_search_type(t, user, query, district, request) for t in types]
    return [hit for hit in chain.from_iterable(zip_longest(*lists)) if hit is not None]
