"""Starting an accord from an approved claim (the claims app's hand-off)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accords.clauses import default_clauses
from accords.models import Accord, AccordConfig, AccordParty, Side, VersionKind
from accords.rules import may_start
from accords.services import _common as c
from accords.services.drafts import VersionDraft, insert_version
from audit.services import audit_log
from core.notify import notify


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
        with transaction.atomic(durable=True):
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
            version = insert_version(
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
    notify(
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
