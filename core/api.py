"""What every API module shares: bounded pagination and query text without control characters.

django-ninja validates query parameters against their schema and answers 422 on a mismatch;
the bounds here keep each value inside what the database can take, so bad input is refused
by the schema instead of failing in SQL (a page of 2**63 overflows PostgreSQL's bigint, a NUL
byte is refused by PostgreSQL's text type, year 10000 by Python's date).
"""

import datetime as dt
import re
from typing import Annotated

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, PageNumberPagination
from pydantic import AfterValidator

MAX_LIMIT = 1000
# Far beyond any list this project will hold, far below the database's integer limits.
MAX_OFFSET = 1_000_000_000
MAX_PAGE = 10_000_000
MAX_ID = 2**63 - 1  # PostgreSQL bigint, the type of every primary key here
MAX_TEXT = 200

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _printable(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


# A query-string text: at most MAX_TEXT characters, none of them a control character.
QueryText = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_printable)]


def _utc(value: dt.datetime) -> dt.datetime:
    """In UTC: PostgreSQL refuses offsets beyond about 16 hours, Python allows up to 24."""
    if value.tzinfo is None:
        from django.utils import timezone

        value = timezone.make_aware(value)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("the date is out of range") from None


# A date and time in a query string, as UTC (a naive one is read in the site's time zone).
QueryDateTime = Annotated[dt.datetime, AfterValidator(_utc)]
# An id in a query string or path, inside the database's bigint.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class BoundedLimitOffset(LimitOffsetPagination):
    """``?limit=&offset=`` with upper bounds (ninja's own have none for ``offset``)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


class BoundedPageNumber(PageNumberPagination):
    """``?page=`` (and ``page_size``) with upper bounds."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_LIMIT)
