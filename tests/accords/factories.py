"""Factories for accords: approved claims to start from, and accords in each state."""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from accords import services
from accords.models import Accord, Side
from accords.services import SupportItemDraft, VersionDraft
from proposals.models import Claim, ClaimCoauthor, UrbanResource
from tests.citizens.factories import (
    PASSWORD,
    department_create,
    group_create,
    officer_create,
    resident_create,
)

_seq = itertools.count(1)


def resource_create(*, district="Centro", kind="green_area", located=True) -> UrbanResource:
    n = next(_seq)
    return UrbanResource.objects.create(
        name=f"Giardino {n}",
        kind=kind,
        address=f"Via dei Giardini {n}, Bologna",
        district=district,
        latitude=Decimal("44.490000") + Decimal(n) / 1000 if located else None,
        longitude=Decimal("11.350000") if located else None,
    )


def claim_create(
    *,
    author=None,
    group=None,
    coauthors=(),
    resource=None,
    track="ordinary",
    months=24,
    state=Claim.State.APPROVED,
    district="Centro",
) -> Claim:
    author = author or resident_create(district=district)
    resource = resource or resource_create(district=district)
    now = timezone.now()
    claim = Claim.objects.create(
        title=f"Care of {resource.name}",
        summary="Neighbours take care of the garden.",
        motivation="The garden needs care.",
        objectives="Keep the garden clean and open.\nPlant a vegetable patch.",
        activities="Weekly cleaning on Saturdays.\nSummer watering.",
        schedule="Every Saturday morning.",
        intensity=Claim.Intensity.CONTINUOUS_CARE,
        field=Claim.Field.PUBLIC_SPACE,
        resources_offered="Our time and our own tools.",
        support_requested="Gloves, rakes and water.",
        requested_duration_months=months,
        track=track,
        resource=resource,
        district=resource.district,
        created_by=author,
        group=group,
        state=state,
        submitted_at=now,
        decided_at=now if state == Claim.State.APPROVED else None,
        decision_reasons="Favourable reviews." if state == Claim.State.APPROVED else "",
    )
    for user in coauthors:
        ClaimCoauthor.objects.create(claim=claim, user=user, state=ClaimCoauthor.State.ACCEPTED)
    return claim


class World:
    """One accord with everyone around it: an officer of its department, a signatory, the
    civic representative (of a group), and outsiders."""

    def __init__(self, *, group: bool = True, months: int = 24, track: str = "ordinary"):
        self.department = department_create()
        self.officer = officer_create(department=self.department)
        self.signatory = officer_create(department=self.department, signatory=True)
        self.other_officer = officer_create()
        self.outsider = resident_create()
        self.rep = resident_create(display_name="Rita Rep")
        self.member = resident_create()
        if group:
            self.group = group_create(representative=self.rep, members=[self.member])
            self.claim = claim_create(author=self.rep, group=self.group, months=months, track=track)
        else:
            self.group = None
            self.claim = claim_create(author=self.rep, months=months, track=track)
        self.accord: Accord | None = None

    def start(self, **kwargs) -> Accord:
        self.accord = services.accord_start(actor=self.officer, claim=self.claim, **kwargs)
        return self.accord

    def refresh(self) -> Accord:
        self.accord = Accord.objects.get(pk=self.accord.pk)
        return self.accord

    def edit(self, actor=None, **changes):
        actor = actor or self.officer
        latest = self.accord.versions.order_by("-number").first()
        draft = VersionDraft.from_version(latest, **changes)
        version = services.version_create(actor=actor, accord=self.accord, draft=draft)
        self.refresh()
        return version

    def add_support(self, actor=None):
        latest = self.accord.versions.order_by("-number").first()
        draft = VersionDraft.from_version(latest)
        draft.support_items = [
            SupportItemDraft(
                kind="materials_on_loan",
                description="Rakes and shovels",
                quantity=Decimal("6"),
                unit="pieces",
                value=Decimal("120"),
            ),
            SupportItemDraft(
                kind="protective_equipment",
                description="Work gloves",
                quantity=Decimal("20"),
                unit="pairs",
            ),
            SupportItemDraft(
                kind="reimbursement", description="Seeds and plants", value=Decimal("300")
            ),
        ]
        version = services.version_create(
            actor=actor or self.officer,
            accord=self.accord,
            draft=draft,
            change_note="Support items",
        )
        self.refresh()
        return version

    def agree(self):
        latest = self.accord.versions.order_by("-number").first()
        services.version_propose_final(actor=self.officer, version=latest)
        services.version_agree(actor=self.rep, version=latest)
        return self.refresh()

    def sign_all(self):
        services.accord_sign(actor=self.rep, accord=self.accord, credential=PASSWORD)
        services.accord_sign(actor=self.signatory, accord=self.accord, credential=PASSWORD)
        return self.refresh()

    def active(self, *, support: bool = True) -> Accord:
        self.start()
        if support:
            self.add_support()
        self.agree()
        return self.sign_all()

    def side_user(self, side: str):
        return self.officer if side == Side.CITY else self.rep


def today() -> dt.date:
    return timezone.localdate()
