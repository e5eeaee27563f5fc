"""The one CSV writer for files people open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel, LibreOffice and Google Sheets (OWASP "CSV injection"): a claim or project
title such as ``=HYPERLINK("http://evil", "click")`` would become a live link, or worse, in an
officer's spreadsheet. Every such text cell is written with a leading apostrophe, which the
spreadsheet shows as plain text. Numbers are written as they are (``-5`` stays a number).

Every CSV download of the project goes through :func:`writer`, :func:`dict_writer` or
:func:`stream`. The Pabulib ``.pb`` files are not spreadsheets but an exchange format read by
pabutools, whose values must round-trip exactly, so ``budgeting.pabulib`` keeps the plain
``csv`` module.
"""

import csv
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The cell as a spreadsheet should show it: None as empty, formula-like text defused."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose every row goes through :func:`safe_cell`."""

    def __init__(self, target, **kwargs):
        kwargs.setdefault("lineterminator", "\r\n")
        self._writer = csv.writer(target, **kwargs)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter:
    """``csv.DictWriter`` whose every value goes through :func:`safe_cell`."""

    def __init__(self, target, fieldnames: Sequence[str], **kwargs):
        kwargs.setdefault("lineterminator", "\r\n")
        self.fieldnames = list(fieldnames)
        self._writer = csv.DictWriter(target, fieldnames=self.fieldnames, **kwargs)

    def writeheader(self):
        return self._writer.writeheader()

    def writerow(self, row: Mapping[str, Any]):
        return self._writer.writerow({k: safe_cell(v) for k, v in row.items()})

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(target, **kwargs) -> SafeWriter:
    """A CSV writer onto ``target`` (a file, an ``HttpResponse``) that defuses formulas."""
    return SafeWriter(target, **kwargs)


def dict_writer(target, fieldnames: Sequence[str], **kwargs) -> SafeDictWriter:
    return SafeDictWriter(target, fieldnames, **kwargs)


class _Echo:
    """A file whose write returns the line, so rows can be streamed one by one."""

    def write(self, value: str) -> str:
        return value


def stream(fieldnames: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """CSV lines (header first) for a ``StreamingHttpResponse``, formulas defused."""
    out = SafeDictWriter(_Echo(), fieldnames)
    yield out.writeheader()
    for row in rows:
        yield out.writerow(row)
