"""What a party writes: the content of a version, how it is cleaned and how it is stored."""

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accords.models import Accord, AccordVersion, SupportItem, SupportKind, VersionKind
from accords.models.versions import CONTENT_TEXT_FIELDS, TEXT_LIMIT
from accords.services import _common as c

MAX_SUPPORT_ITEMS = 50
MAX_AMOUNT = Decimal("99999999.99")
OPTIONAL_TEXT = {"collective_use_rules", "insurance"}


@dataclasses.dataclass
class SupportItemDraft:
    kind: str
    description: str
    quantity: Decimal | None = None
    unit: str = ""
    value: Decimal | None = None
    key: uuid.UUID | None = None


@dataclasses.dataclass
class VersionDraft:
    """What a party types into the accord form (the content of one version)."""

    title: str
    objectives: str
    actions: str
    start_date: dt.date
    end_date: dt.date
    city_commitments: str
    civic_commitments: str
    monitoring_plan: str
    suspension_causes: str
    termination_causes: str
    end_arrangements: str
    dispute_clause: str
    collective_use_rules: str = ""
    insurance: str = ""
    support_items: list[SupportItemDraft] = dataclasses.field(default_factory=list)

    @classmethod
    def from_version(cls, version: AccordVersion, **changes) -> "VersionDraft":
        values = {name: getattr(version, name) for name in CONTENT_TEXT_FIELDS}
        values.update(start_date=version.start_date, end_date=version.end_date)
        values["support_items"] = [
            SupportItemDraft(
                kind=i.kind,
                description=i.description,
                quantity=i.quantity,
                unit=i.unit,
                value=i.value,
                key=i.key,
            )
            for i in version.support_items.all()
        ]
        values.update(changes)
        return cls(**values)


def parties_snapshot(accord: Accord) -> list[dict]:
    out = []
    parties = accord.parties.select_related("department", "group", "user").prefetch_related(
        "group__memberships__user"
    )
    for party in parties:
        representatives = []
        registration = ""
        if party.group_id:
            registration = party.group.registration_number
            representatives = sorted(
                c.public_name(m.user)
                for m in party.group.memberships.all()
                if m.is_representative and m.user.is_active
            )
        name = c.public_name(party.user) if party.user_id else party.name
        out.append(
            {
                "side": party.side,
                "kind": party.kind,
                "name": name,
                "registration_number": registration,
                "representatives": representatives,
            }
        )
    return out


def place_snapshot(accord: Accord) -> dict:
    return {
        "name": accord.place_name,
        "address": accord.address,
        "district": accord.district,
        "kind": accord.kind,
    }


def _amount(value, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(field)s must be a number.") % {"field": label}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError(_("%(field)s cannot be negative.") % {"field": label})
    if amount > MAX_AMOUNT:
        raise ValidationError(_("%(field)s is too large.") % {"field": label})
    return amount.quantize(Decimal("0.01"))


def clean_support_items(items: list[SupportItemDraft]) -> list[SupportItemDraft]:
    if len(items) > MAX_SUPPORT_ITEMS:
        raise ValidationError(
            _("An accord can list at most %(n)s support items.") % {"n": MAX_SUPPORT_ITEMS}
        )
    cleaned = []
    for n, item in enumerate(items, start=1):
        if item.kind not in SupportKind.values:
            raise ValidationError(
                _(
                    "Support item %(n)s: “%(kind)s” is not a kind of support the city gives. "
                    "Cash grants are not possible; documented costs can be reimbursed up to a "
                    "cap."
                )
                % {"n": n, "kind": str(item.kind)[:40]},
                code="kind",
            )
        description = c.clean_text(
            item.description, label=_("Support item %(n)s: description") % {"n": n}, limit=300
        )
        quantity = _amount(item.quantity, _("Support item %(n)s: quantity") % {"n": n})
        value = _amount(item.value, _("Support item %(n)s: value") % {"n": n})
        if quantity is not None and quantity == 0:
            raise ValidationError(
                _("Support item %(n)s: the quantity must be more than zero.") % {"n": n}
            )
        if quantity is None and value is None:
            raise ValidationError(
                _("Support item %(n)s: give a quantity or a value.") % {"n": n}, code="amount"
            )
        if item.kind == SupportKind.REIMBURSEMENT and not value:
            raise ValidationError(
                _("Support item %(n)s: a reimbursement needs a maximum amount (the cap).")
                % {"n": n},
                code="cap",
            )
        unit = c.clean_text(item.unit, label=_("unit"), required=False, limit=40)
        cleaned.append(
            dataclasses.replace(
                item, description=description, quantity=quantity, value=value, unit=unit
            )
        )
    return cleaned


def clean_draft(draft: VersionDraft) -> VersionDraft:
    values = {}
    for name in CONTENT_TEXT_FIELDS:
        label = AccordVersion._meta.get_field(name).verbose_name
        values[name] = c.clean_text(
            getattr(draft, name),
            label=str(label).capitalize(),
            required=name not in OPTIONAL_TEXT,
            limit=200 if name == "title" else TEXT_LIMIT,
        )
    if not isinstance(draft.start_date, dt.date) or not isinstance(draft.end_date, dt.date):
        raise ValidationError(_("Give the start and end dates."), code="dates")
    return dataclasses.replace(
        draft, **values, support_items=clean_support_items(list(draft.support_items))
    )


def same_content(draft: VersionDraft, base: AccordVersion) -> bool:
    mine = dataclasses.asdict(draft)
    theirs = dataclasses.asdict(VersionDraft.from_version(base))
    for items in (mine["support_items"], theirs["support_items"]):
        for item in items:
            item.pop("key")
    return mine == theirs


def insert_version(*, accord, actor, side, draft, kind, base, change_note) -> AccordVersion:
    number = (accord.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = AccordVersion.objects.create(
        accord=accord,
        number=number,
        kind=kind,
        based_on=base,
        parties=parties_snapshot(accord),
        place=place_snapshot(accord),
        change_note=change_note[:300],
        created_by=actor,
        created_side=side,
        start_date=draft.start_date,
        end_date=draft.end_date,
        **{name: getattr(draft, name) for name in CONTENT_TEXT_FIELDS},
    )
    known = {i.key for i in base.support_items.all()} if base is not None else set()
    SupportItem.objects.bulk_create(
        SupportItem(
            version=version,
            key=item.key if item.key in known else uuid.uuid4(),
            position=position,
            kind=item.kind,
            description=item.description,
            quantity=item.quantity,
            unit=item.unit,
            value=item.value,
        )
        for position, item in enumerate(draft.support_items)
    )
    if accord.current_version_id is None and accord.title != version.title:
        accord.title = version.title
        accord.save(update_fields=["title", "updated_at"])
    return version


def cycle_kind_and_start(accord: Accord, base: AccordVersion | None, kind: str | None):
    """The kind of a new version and the start date it must keep (None: free)."""
    current = accord.current_version
    if current is None:
        return VersionKind.ORIGINAL, None
    if base is not None and base.number > current.number:
        kind = base.kind  # continuing an amendment, extension or renewal in progress
    kind = kind or VersionKind.AMENDMENT
    if kind == VersionKind.RENEWAL:
        return kind, current.end_date + dt.timedelta(days=1)
    return kind, current.start_date
