"""Every catalogue in the project is complete: no untranslated or fuzzy Italian entries."""

import re
from pathlib import Path

import polib
import pytest

REPO = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(
    p for p in REPO.glob("**/locale/it/LC_MESSAGES/django.po") if ".venv" not in p.parts
)
TEMPLATE_STRING = re.compile(r"""{%\s*translate\s+"([^"]+)"\s*%}""")


def test_there_is_an_italian_catalogue():
    assert REPO / "locale" / "it" / "LC_MESSAGES" / "django.po" in CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(REPO)))
def test_catalogue_is_complete(path):
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated in {path}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {path}: {fuzzy[:10]}"


def test_every_template_string_is_in_a_catalogue():
    known = set()
    for path in CATALOGUES:
        known |= {e.msgid for e in polib.pofile(str(path)) if not e.obsolete}
    missing = []
    for template in REPO.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        missing += [
            (template.name, s)
            for s in TEMPLATE_STRING.findall(template.read_text())
            if s not in known
        ]
    assert not missing, missing[:20]
