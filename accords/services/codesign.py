"""Co-design: start an accord from an approved claim, save versions, comment, agree."""

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accords import fingerprint as fp
from accords.clauses import default_clauses
from accords.models import (
    Accord,
    AccordConfig,
    AccordParty,
    AccordState,
    AccordVersion,
    Side,
    SupportItem,
    SupportKind,
    VersionApproval,
    VersionComment,
    VersionKind,
    VersionStatus,
)
from accords.models.versions import CONTENT_TEXT_FIELDS, TEXT_LIMIT
from accords.rules import Action, may_start, verdict
from accords.services import _common as c
from accords.workflow import ACCORD_TRANSITIONS, VERSION_TRANSITIONS, advance
from audit.services import audit_log

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


# Starting ------------------------------------------------------------------------------------


def _months_later(start: dt.date, months: int) -> dt.date:
    from proposals.models.procedure import add_months

    return add_months(start, months) - dt.timedelta(days=1)


def accord_start(*, actor, claim, department=None, start_date: dt.date | None = None) -> Accord:
    """An officer turns an approved claim into an accord draft (version 1), prefilled from it."""
    from proposals.handoff import accord_seed

    may_start(actor, claim).enforce()
    seed = accord_seed(claim)
    department = department or actor.department
    if department is None:
        raise ValidationError(
            {"department": _("Choose the city department that will be party to the accord.")}
        )
    start = start_date or c.today()
    requested_end = _months_later(start, seed.requested_duration_months)
    end = min(requested_end, seed.accord_end_limit(start))
    resource = seed.resource
    try:
        with transaction.atomic():
            # Lock the claim so two officers starting at once create one accord.
            type(claim).objects.select_for_update().get(pk=claim.pk)
            may_start(actor, claim).enforce()
            accord = Accord.objects.create(
                title=seed.title[:200],
                claim=claim,
                resource=resource,
                track=seed.track,
                department=department,
                place_name=(resource.name if resource else claim.location_address)[:300],
                address=(resource.address if resource else claim.location_address)[:300],
                district=(resource.district if resource else claim.district),
                kind=resource.kind if resource else "other",
                latitude=resource.latitude if resource else claim.location_latitude,
                longitude=resource.longitude if resource else claim.location_longitude,
                created_by=actor,
            )
            accord.reference = f"PA-{accord.created_at:%Y}-{accord.pk:05d}"
            accord.save(update_fields=["reference"])
            _create_parties(accord, seed, department)
            schedule = seed.schedule.strip()
            actions = seed.activities.strip()
            if schedule:
                actions += "\n\n" + _("Schedule:") + "\n" + schedule
            draft = VersionDraft(
                title=seed.title,
                objectives=seed.objectives,
                actions=actions,
                start_date=start,
                end_date=end,
                city_commitments=seed.support_requested.strip()
                or _("To be agreed during the co-design."),
                civic_commitments=seed.resources_offered,
                **default_clauses(settlement_days=AccordConfig.get_solo().settlement_days),
            )
            version = _insert_version(
                accord=accord,
                actor=actor,
                side=Side.CITY,
                draft=draft,
                kind=VersionKind.ORIGINAL,
                base=None,
                change_note=_("Prefilled from claim %(ref)s.") % {"ref": claim.reference},
            )
            audit_log(
                actor=actor,
                action="accord.start",
                obj=accord,
                after={"claim": claim.reference, "version": version.number},
            )
    except IntegrityError:
        raise ValidationError(_("This claim already has an accord."), code="exists") from None
    url = accord.workspace_url()
    c.tell(
        c.civic_users(accord),
        "accord.started",
        lambda: (
            _("The city started the accord for “%(title)s”. Co-design it together.")
            % {"title": accord.title}
        ),
        url,
    )
    return accord


def _create_parties(accord: Accord, seed, department) -> None:
    AccordParty.objects.create(
        accord=accord, side=Side.CITY, kind=AccordParty.Kind.DEPARTMENT, department=department
    )
    position = 1
    if seed.group is not None:
        AccordParty.objects.create(
            accord=accord,
            side=Side.CIVIC,
            kind=AccordParty.Kind.GROUP,
            group=seed.group,
            position=position,
        )
        people = list(seed.coauthors)
    else:
        people = [*seed.representatives, *seed.coauthors]
    seen = set()
    for user in people:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        position += 1
        AccordParty.objects.create(
            accord=accord,
            side=Side.CIVIC,
            kind=AccordParty.Kind.RESIDENT,
            user=user,
            position=position,
        )
    _refresh_civic_label(accord)


def _refresh_civic_label(accord: Accord) -> None:
    names = [
        p.group.name if p.group_id else c.public_name(p.user)
        for p in accord.parties.filter(side=Side.CIVIC).select_related("group", "user")
    ]
    accord.civic_label = "; ".join(names)[:500]
    accord.save(update_fields=["civic_label"])


# Versions ------------------------------------------------------------------------------------


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


def _same_content(draft: VersionDraft, base: AccordVersion) -> bool:
    mine = dataclasses.asdict(draft)
    theirs = dataclasses.asdict(VersionDraft.from_version(base))
    for items in (mine["support_items"], theirs["support_items"]):
        for item in items:
            item.pop("key")
    return mine == theirs


def _insert_version(*, accord, actor, side, draft, kind, base, change_note) -> AccordVersion:
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


def version_create(
    *,
    actor,
    accord: Accord,
    draft: VersionDraft,
    change_note: str = "",
    kind: str | None = None,
) -> AccordVersion:
    """Save the text as a new version. Nothing saved before changes."""
    draft = clean_draft(draft)
    change_note = c.clean_text(change_note, label=_("What changed"), required=False, limit=300)
    with transaction.atomic():
        accord = c.lock(accord)
        allowed = verdict(actor, Action.EDIT, accord)
        if not allowed and allowed.wrong_person:
            allowed.enforce()
        if c.agreed_version(accord) is not None:
            raise ValidationError(
                _(
                    "Both sides agreed on the text and it is locked for signing. Reopen the "
                    "co-design to change it."
                ),
                code="locked",
            )
        allowed.enforce()
        side = c.side_of(actor, accord)
        base = c.latest_version(accord)
        if accord.current_version_id and base is not None and base.is_signed:
            base = accord.current_version
        kind, fixed_start = cycle_kind_and_start(accord, base, kind)
        if fixed_start is not None and draft.start_date != fixed_start:
            raise ValidationError(
                {
                    "start_date": _(
                        "An amendment keeps the start date of the accord (%(date)s); a renewal "
                        "starts the day after it ends."
                    )
                    % {"date": fixed_start.isoformat()}
                },
                code="start_fixed",
            )
        c.check_end_date(accord, draft.start_date, draft.end_date)
        if base is not None and _same_content(draft, base):
            raise ValidationError(
                _("Nothing changed since version %(n)s.") % {"n": base.number}, code="unchanged"
            )
        version = _insert_version(
            accord=accord,
            actor=actor,
            side=side,
            draft=draft,
            kind=kind,
            base=base,
            change_note=change_note,
        )
        audit_log(
            actor=actor,
            action="accord.version.create",
            obj=accord,
            after={"version": version.number, "kind": version.kind, "side": side},
            reason=change_note,
        )
    return version


def version_comment(*, actor, version: AccordVersion, body: str) -> VersionComment:
    body = c.clean_text(body, label=_("Comment"), limit=4000)
    accord = version.accord
    side = c.check(actor, Action.COMMENT, accord)
    with transaction.atomic():
        comment = VersionComment.objects.create(version=version, author=actor, side=side, body=body)
        audit_log(
            actor=actor,
            action="accord.version.comment",
            obj=accord,
            after={"version": version.number, "comment": comment.pk},
        )
    c.tell(
        c.other_side_users(accord, side),
        "accord.comment",
        lambda: (
            _("New comment on version %(n)s of accord %(ref)s.")
            % {"n": version.number, "ref": accord.reference}
        ),
        accord.workspace_url() + f"#v{version.number}",
    )
    return comment


def _approvable(accord: Accord, version: AccordVersion) -> None:
    latest = c.latest_version(accord)
    if version.accord_id != accord.pk or latest is None:
        raise ValidationError(_("This version does not belong to the accord."))
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("Version %(n)s is “%(status)s”; only a draft can be agreed.")
            % {"n": version.number, "status": version.get_status_display()},
            code="not_draft",
        )
    if version.number != latest.number:
        raise ValidationError(
            _("Version %(n)s is not the latest: agree on version %(latest)s instead.")
            % {"n": version.number, "latest": latest.number},
            code="not_latest",
        )


def version_propose_final(*, actor, version: AccordVersion) -> VersionApproval:
    """One side proposes the version as final; the other side is asked to agree."""
    with transaction.atomic():
        accord = c.lock(version.accord)
        side = c.check(actor, Action.PROPOSE, accord)
        version = AccordVersion.objects.get(pk=version.pk)
        _approvable(accord, version)
        if version.approvals.filter(side=side).exists():
            raise ValidationError(
                _("Your side has already proposed this version as final."), code="already"
            )
        if version.approvals.exists():
            raise ValidationError(
                _("The other side has already proposed this version: agree to it instead."),
                code="agree_instead",
            )
        approval = VersionApproval.objects.create(version=version, side=side, user=actor)
        audit_log(
            actor=actor,
            action="accord.version.propose",
            obj=accord,
            after={"version": version.number, "side": side},
        )
    c.tell(
        c.other_side_users(accord, side),
        "accord.proposed",
        lambda: (
            _(
                "Version %(n)s of accord %(ref)s was proposed as final. Review it and agree, or "
                "keep editing."
            )
            % {"n": version.number, "ref": accord.reference}
        ),
        accord.workspace_url() + f"#v{version.number}",
    )
    return approval


def version_agree(*, actor, version: AccordVersion) -> AccordVersion:
    """The other side agrees: the version is locked, fingerprinted and goes to signing."""
    with transaction.atomic():
        accord = c.lock(version.accord)
        side = c.check(actor, Action.AGREE, accord)
        version = AccordVersion.objects.get(pk=version.pk)
        _approvable(accord, version)
        sides = set(version.approvals.values_list("side", flat=True))
        if side in sides:
            raise ValidationError(
                _("Your side has already agreed; the other side has to agree now."),
                code="already",
            )
        if not sides:
            raise ValidationError(
                _("Nobody has proposed this version as final yet: propose it first."),
                code="propose_first",
            )
        VersionApproval.objects.create(version=version, side=side, user=actor)
        fields = advance(version, VERSION_TRANSITIONS, "lock")
        version.fingerprint = fp.fingerprint(version)
        version.locked_at = timezone.now()
        version.save(update_fields=[*fields, "fingerprint", "locked_at"])
        if accord.state == AccordState.DRAFTING:
            fields = advance(accord, ACCORD_TRANSITIONS, "agree")
            accord.state_changed_at = timezone.now()
            accord.save(update_fields=[*fields, "state_changed_at", "updated_at"])
        audit_log(
            actor=actor,
            action="accord.version.agree",
            obj=accord,
            after={
                "version": version.number,
                "fingerprint": version.fingerprint,
                "state": accord.state,
            },
        )
    url = accord.workspace_url() + "#signing"
    c.tell(
        [*c.civic_users(accord), *c.signatories(accord)],
        "accord.sign_needed",
        lambda: (
            _("Both sides agreed on version %(n)s of accord %(ref)s. Your signature is needed.")
            % {"n": version.number, "ref": accord.reference}
        ),
        url,
    )
    return version


def accord_reopen(*, actor, accord: Accord, reason: str) -> Accord:
    """Withdraw the agreement on the locked version (before it is fully signed)."""
    reason = c.clean_text(reason, label=_("Reason"), limit=2000)
    with transaction.atomic():
        accord = c.lock(accord)
        side = c.check(actor, Action.REOPEN, accord)
        version = c.agreed_version(accord)
        if version is None:
            raise ValidationError(_("There is no agreed version waiting for signatures."))
        fields = advance(version, VERSION_TRANSITIONS, "withdraw")
        version.save(update_fields=fields)
        if accord.state == AccordState.AWAITING_SIGNATURES:
            fields = advance(accord, ACCORD_TRANSITIONS, "reopen")
            accord.state_changed_at = timezone.now()
            accord.save(update_fields=[*fields, "state_changed_at", "updated_at"])
        audit_log(
            actor=actor,
            action="accord.reopen",
            obj=accord,
            after={"version": version.number, "side": side},
            reason=reason,
        )
    c.tell(
        c.other_side_users(accord, side),
        "accord.reopened",
        lambda: (
            _("The co-design of accord %(ref)s was reopened: %(reason)s")
            % {"ref": accord.reference, "reason": reason[:200]}
        ),
        accord.workspace_url(),
    )
    return accord


def accord_cancel(*, actor, accord: Accord, reason: str) -> Accord:
    """The city gives up an accord that was never signed; the claim may start a new one."""
    reason = c.clean_text(reason, label=_("Reason"), limit=2000)
    with transaction.atomic():
        accord = c.lock(accord)
        c.check(actor, Action.CANCEL, accord)
        version = c.agreed_version(accord)
        if version is not None:
            version.save(update_fields=advance(version, VERSION_TRANSITIONS, "withdraw"))
        fields = advance(accord, ACCORD_TRANSITIONS, "cancel")
        accord.cancellation_reason = reason
        accord.state_changed_at = timezone.now()
        accord.save(
            update_fields=[*fields, "cancellation_reason", "state_changed_at", "updated_at"]
        )
        audit_log(actor=actor, action="accord.cancel", obj=accord, reason=reason)
    c.tell(
        c.civic_users(accord),
        "accord.cancelled",
        lambda: (
            _("The city cancelled the draft accord %(ref)s: %(reason)s")
            % {"ref": accord.reference, "reason": reason[:200]}
        ),
        accord.workspace_url(),
    )
    return accord
