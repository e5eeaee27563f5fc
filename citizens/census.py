"""Census identities: an HMAC of the normalised document id and birth date, never the raw id."""

import csv
import datetime as dt
import hashlib
import hmac
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens.models import CensusRecord

REQUIRED_COLUMNS = ("document_id", "birth_date", "district")
MAX_DISTRICT_LENGTH = 100


class CensusImportError(Exception):
    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(
            message
            if line is None
            else _("Line %(line)s: %(msg)s")
            % {
                "line": line,
                "msg": message,
            }
        )


def normalise_document_id(document_id: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", (document_id or "").upper())


def parse_birth_date(value: str) -> dt.date:
    value = (value or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError(value)


def identity_hash(document_id: str, birth_date: dt.date) -> str:
    key = settings.CENSUS_HMAC_KEY
    if not key:
        raise ImproperlyConfigured("CENSUS_HMAC_KEY is not set.")
    message = f"{normalise_document_id(document_id)}|{birth_date.isoformat()}"
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def census_lookup(*, document_id: str, birth_date: dt.date) -> CensusRecord | None:
    if not normalise_document_id(document_id):
        return None
    return CensusRecord.objects.filter(identity_hash=identity_hash(document_id, birth_date)).first()


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _rows(text: str):
    reader = csv.DictReader(io.StringIO(text), delimiter=_sniff_delimiter(text))
    if reader.fieldnames is None:
        raise CensusImportError(_("The file is empty."), 1)
    header = {(name or "").strip().lower(): name for name in reader.fieldnames}
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CensusImportError(_("Missing column(s): %(cols)s.") % {"cols": ", ".join(missing)}, 1)
    for row in reader:
        yield reader.line_num, {c: (row.get(header[c]) or "").strip() for c in REQUIRED_COLUMNS}


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def census_import(*, data: bytes | str, actor=None) -> ImportReport:  # noqa: C901 - validates every row before writing any
    """Import a census CSV. All rows are validated first; a bad row aborts the whole import."""
    from audit.services import audit_log

    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CensusImportError(_("The file is not UTF-8 text.")) from exc
    else:
        text = data
    parsed: dict[str, tuple[str, int]] = {}
    for line, row in _rows(text):
        if not any(row.values()):
            continue
        if not normalise_document_id(row["document_id"]):
            raise CensusImportError(_("The document id is empty."), line)
        try:
            birth = parse_birth_date(row["birth_date"])
        except ValueError:
            raise CensusImportError(
                _("“%(value)s” is not a date (use YYYY-MM-DD).") % {"value": row["birth_date"]},
                line,
            ) from None
        if not (1880 <= birth.year <= timezone.localdate().year):
            raise CensusImportError(_("The birth date is out of range."), line)
        if not row["district"] or len(row["district"]) > MAX_DISTRICT_LENGTH:
            raise CensusImportError(_("The district is empty or too long."), line)
        key = identity_hash(row["document_id"], birth)
        if key in parsed:
            raise CensusImportError(_("The same person appears twice in the file."), line)
        parsed[key] = (row["district"], birth.year)
    if not parsed:
        raise CensusImportError(_("The file has no rows."))

    report = ImportReport()
    now = timezone.now()
    with transaction.atomic():
        existing = {
            r.identity_hash: r
            for r in CensusRecord.objects.select_for_update().filter(identity_hash__in=list(parsed))
        }
        to_create, to_update = [], []
        for key, (district, year) in parsed.items():
            record = existing.get(key)
            if record is None:
                to_create.append(
                    CensusRecord(identity_hash=key, district=district, birth_year=year)
                )
            elif record.district != district or record.birth_year != year:
                record.district, record.birth_year, record.imported_at = district, year, now
                to_update.append(record)
            else:
                report.unchanged += 1
        CensusRecord.objects.bulk_create(to_create, batch_size=2000)
        CensusRecord.objects.bulk_update(
            to_update, ["district", "birth_year", "imported_at"], batch_size=2000
        )
        report.created, report.updated = len(to_create), len(to_update)
        audit_log(
            actor=actor,
            action="census.import",
            after={
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
        )
    return report
