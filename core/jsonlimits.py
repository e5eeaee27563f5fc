"""JSON from untrusted clients, parsed with limits on size, nesting depth and numbers.

``json.loads`` alone turns a body of 30,000 nested ``[`` into a RecursionError, ``1e999`` into
``inf`` (an OverflowError wherever it becomes an int) and a 5,000-digit integer into a
ValueError deep in the caller. ``loads`` refuses all of these up front with ``JsonRejected``,
whose ``code`` names the reason, so an endpoint answers 422 (or a socket closes with 1007)
instead of failing later with a 500.
"""

import json
import math

from django.utils.translation import gettext_lazy as _

MAX_BYTES = 64 * 1024
MAX_DEPTH = 16
MAX_DIGITS = 18  # fits a 64-bit integer; no id, count or amount here needs more


class JsonRejected(ValueError):
    """The text is not JSON within the limits. ``code``: too_large, too_deep, bad_number,
    invalid."""

    def __init__(self, message, code: str):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code


def _depth_exceeds(text: str, limit: int) -> bool:
    """Does any bracket nest deeper than ``limit`` (brackets inside strings do not count)?"""
    if text.count("[") + text.count("{") <= limit:
        return False  # the usual small body: nothing to scan
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _bad_number(text):
    raise JsonRejected(_("A number in the request is out of range."), "bad_number")


def loads(
    data: bytes | str,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
):
    """The JSON value of ``data``, or ``JsonRejected``. Never RecursionError or OverflowError.

    Floats must be finite (``1e999``, ``NaN`` and ``Infinity`` are refused) and integers at
    most ``max_digits`` digits long.
    """
    if len(data) > max_bytes:
        raise JsonRejected(_("The request is too large."), "too_large")
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise JsonRejected(_("The request is not valid UTF-8 text."), "invalid") from None
    if _depth_exceeds(data, max_depth):
        raise JsonRejected(_("The request is nested too deeply."), "too_deep")

    def parse_int(text: str) -> int:
        if len(text.lstrip("-")) > max_digits:
            _bad_number(text)
        return int(text)

    def parse_float(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            _bad_number(text)
        return value

    try:
        return json.loads(
            data, parse_int=parse_int, parse_float=parse_float, parse_constant=_bad_number
        )
    except JsonRejected:
        raise
    except (ValueError, RecursionError):
        raise JsonRejected(_("The request is not valid JSON."), "invalid") from None
