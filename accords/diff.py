"""Side-by-side comparison of two versions, rendered on the server with difflib.

Lines are matched first; within a changed pair of lines, words are compared, so a one-word
edit in a long paragraph shows as one word. Removed text is wrapped in <del>, added text in
<ins>, and each changed row carries a text marker (− / +, and a visually hidden "removed" /
"added"), so changes are not told by colour alone.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accords.models import AccordVersion, SupportItem
from accords.models.versions import CONTENT_TEXT_FIELDS

TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass
class Row:
    kind: str  # "equal", "delete", "insert", "replace"
    left: SafeString
    right: SafeString


@dataclass
class Section:
    key: str
    label: str
    rows: list[Row] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(row.kind != "equal" for row in self.rows)


def _words(old: str, new: str) -> tuple[str, str]:
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    left, right = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old_part, new_part = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if tag == "equal":
            left.append(old_part)
            right.append(new_part)
            continue
        if i2 > i1:
            left.append(f"<del>{old_part}</del>")
        if j2 > j1:
            right.append(f"<ins>{new_part}</ins>")
    return "".join(left), "".join(right)


def diff_lines(old: list[str], new: list[str]) -> list[Row]:
    rows = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [
                Row("equal", mark_safe(escape(x)), mark_safe(escape(y)))  # noqa: S308
                for x, y in zip(old[i1:i2], new[j1:j2], strict=True)
            ]
        elif tag == "delete":
            rows += [
                Row("delete", mark_safe(f"<del>{escape(x)}</del>"), mark_safe(""))  # noqa: S308
                for x in old[i1:i2]
            ]
        elif tag == "insert":
            rows += [
                Row("insert", mark_safe(""), mark_safe(f"<ins>{escape(y)}</ins>"))  # noqa: S308
                for y in new[j1:j2]
            ]
        else:
            left, right = old[i1:i2], new[j1:j2]
            for n in range(max(len(left), len(right))):
                x = left[n] if n < len(left) else None
                y = right[n] if n < len(right) else None
                if x is not None and y is not None:
                    lh, rh = _words(x, y)
                    rows.append(Row("replace", mark_safe(lh), mark_safe(rh)))  # noqa: S308
                elif x is not None:
                    rows.append(
                        Row("delete", mark_safe(f"<del>{escape(x)}</del>"), mark_safe(""))  # noqa: S308
                    )
                else:
                    rows.append(
                        Row("insert", mark_safe(""), mark_safe(f"<ins>{escape(y)}</ins>"))  # noqa: S308
                    )
    return rows


def _money(value) -> str:
    return "" if value is None else f"€ {value:,.2f}"


def support_line(item: SupportItem) -> str:
    parts = [str(SupportItem.Kind(item.kind).label), item.description]
    if item.quantity is not None:
        parts.append(f"{item.quantity.normalize():f} {item.unit}".strip())
    if item.value is not None:
        parts.append(_money(item.value))
    return " — ".join(parts)


def party_line(party: dict) -> str:
    side = _("City") if party["side"] == "city" else _("Civic actors")
    line = f"{side}: {party['name']}"
    if party.get("registration_number"):
        line += f" ({party['registration_number']})"
    if party.get("representatives"):
        line += " — " + _("represented by %(names)s") % {
            "names": ", ".join(party["representatives"])
        }
    return line


def version_lines(version: AccordVersion) -> dict[str, tuple[str, list[str]]]:
    """Every section of a version as (label, lines), in the order they are compared."""
    meta = AccordVersion._meta
    out: dict[str, tuple[str, list[str]]] = {}
    out["parties"] = (_("Parties"), [party_line(p) for p in version.parties])
    place = version.place or {}
    out["place"] = (
        _("Place"),
        [
            " — ".join(
                x for x in (place.get("name"), place.get("address"), place.get("district")) if x
            )
        ],
    )
    out["dates"] = (
        _("Duration"),
        [
            _("From %(start)s to %(end)s")
            % {"start": version.start_date.isoformat(), "end": version.end_date.isoformat()}
        ],
    )
    for name in CONTENT_TEXT_FIELDS:
        text = getattr(version, name)
        out[name] = (
            str(meta.get_field(name).verbose_name).capitalize(),
            text.split("\n") if text else [],
        )
    out["support_items"] = (
        _("The city's support"),
        [support_line(i) for i in version.support_items.all()],
    )
    return out


def compare(old: AccordVersion, new: AccordVersion) -> list[Section]:
    a, b = version_lines(old), version_lines(new)
    return [Section(key, a[key][0], diff_lines(a[key][1], b[key][1])) for key in a]
