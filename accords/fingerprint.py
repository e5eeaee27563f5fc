"""The fingerprint of an accord version: exactly which bytes are hashed.

    fingerprint = SHA-256( canonical_bytes(version) ), as 64 lowercase hex digits

`canonical_bytes` is the UTF-8 encoding of a JSON object written with sorted keys, no
insignificant whitespace (separators "," and ":") and non-ASCII characters as themselves
(not \\u escapes). Its keys:

    schema                "partnercity.accord/1"
    accord                the accord's reference, e.g. "PA-2026-00007"
    version               the version number (integer)
    kind                  "original" | "amendment" | "extension" | "renewal"
    title, objectives, actions, city_commitments, civic_commitments, collective_use_rules,
    monitoring_plan, insurance, suspension_causes, termination_causes, end_arrangements,
    dispute_clause        the text sections, as stored (line ends normalised to "\\n",
                          Unicode NFC, trailing spaces removed when the version was saved)
    start_date, end_date  ISO dates "YYYY-MM-DD"
    parties               the parties as written in the version: a list of objects
                          {side, kind, name, registration_number, representatives[]}
    place                 {name, address, district, kind}
    support_items         a list, in order, of {kind, description, quantity, unit, value};
                          quantity and value are strings with two decimals ("12.50") or null

Anyone can check a published fingerprint: take the JSON export of a version
(`/accords/<id>/versions/<n>/canonical.json` serves exactly these bytes) and hash it.
Tracking fields (support status, delivery dates), comments and signatures are not part of
the text and are not hashed.
"""

import hashlib
import json
from decimal import Decimal

from accords.models.versions import CONTENT_TEXT_FIELDS, AccordVersion

SCHEMA = "partnercity.accord/1"


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def canonical_content(version: AccordVersion, items=None) -> dict:
    """The version's content as a plain dict (the object that is serialised and hashed)."""
    if items is None:
        items = version.support_items.all()
    content = {
        "schema": SCHEMA,
        "accord": version.accord.reference,
        "version": version.number,
        "kind": version.kind,
        "start_date": version.start_date.isoformat(),
        "end_date": version.end_date.isoformat(),
        "parties": version.parties,
        "place": version.place,
        "support_items": [
            {
                "kind": item.kind,
                "description": item.description,
                "quantity": _decimal(item.quantity),
                "unit": item.unit,
                "value": _decimal(item.value),
            }
            for item in sorted(items, key=lambda i: (i.position, i.pk or 0))
        ],
    }
    for name in CONTENT_TEXT_FIELDS:
        content[name] = getattr(version, name)
    return content


def canonical_bytes(version: AccordVersion, items=None) -> bytes:
    return json.dumps(
        canonical_content(version, items),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


def fingerprint(version: AccordVersion, items=None) -> str:
    return hashlib.sha256(canonical_bytes(version, items)).hexdigest()
