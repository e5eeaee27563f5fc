"""The one CSV writer: spreadsheet formulas are defused, and every export uses it."""

import csv as std_csv
import io
import re
from pathlib import Path

import pytest

from core import csv as safe_csv

REPO = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize("payload", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_like_text_is_written_as_plain_text(payload):
    out = io.StringIO()
    safe_csv.writer(out).writerow([payload, "Alpha", 3, -5, None])
    (row,) = std_csv.reader(io.StringIO(out.getvalue()))
    assert row == ["'" + payload, "Alpha", "3", "-5", ""]


def test_dict_rows_are_defused_and_streamed_line_by_line():
    lines = list(safe_csv.stream(["title", "cost"], [{"title": "=cmd|' /C calc'!A0", "cost": 5}]))
    assert lines == ["title,cost\r\n", "'=cmd|' /C calc'!A0,5\r\n"]


def test_no_export_writes_csv_without_the_guarded_writer():
    """A new export that reaches for the csv module directly would skip the guard."""
    raw = re.compile(r"\bcsv\.(writer|DictWriter)\(")
    allowed = {REPO / "core" / "csv.py", REPO / "budgeting" / "pabulib.py"}  # .pb: not a sheet
    offenders = [
        str(path.relative_to(REPO))
        for path in REPO.glob("*/**/*.py")
        if path.parts[len(REPO.parts)] not in {".venv", "tests", "bench", "node_modules"}
        and path not in allowed
        and raw.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []
