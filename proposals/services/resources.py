"""Officers curate the resource registry."""

from django.db import transaction

from audit.services import audit_log
from citizens.models import User
from proposals.models import Claim, UrbanResource
from proposals.rules import claim_policy, resource_policy
from proposals.services._common import lock_claim

RESOURCE_FIELDS = [
    "name",
    "kind",
    "description",
    "address",
    "latitude",
    "longitude",
    "district",
    "owner",
]


def _clean(data: dict) -> dict:
    data = {k: v for k, v in data.items() if k in RESOURCE_FIELDS}
    for key in ("name", "address", "district", "description"):
        if isinstance(data.get(key), str):
            data[key] = data[key].strip()
    return data


def resource_create(*, actor: User, data: dict) -> UrbanResource:
    with transaction.atomic(durable=True):
        return _resource_create(actor=actor, data=data)


def _resource_create(*, actor: User, data: dict, source_claim: Claim | None = None):
    resource_policy.allows(actor, "manage").enforce()
    with transaction.atomic():
        resource = UrbanResource(created_by=actor, source_claim=source_claim, **_clean(data))
        resource.full_clean()
        resource.save()
        audit_log(
            actor=actor,
            action="resource.create",
            obj=resource,
            after={"district": resource.district, "kind": resource.kind},
        )
    return resource


def resource_update(*, actor: User, resource: UrbanResource, data: dict) -> UrbanResource:
    resource_policy.allows(actor, "manage").enforce()
    with transaction.atomic(durable=True):
        resource = UrbanResource.objects.select_for_update().get(pk=resource.pk)
        before, after = {}, {}
        for key, value in _clean(data).items():
            if getattr(resource, key) != value:
                before[key], after[key] = getattr(resource, key), value
                setattr(resource, key, value)
        if after:
            resource.full_clean()
            resource.save()
            if "district" in after:
                # Claims keep their district next to them for filtering.
                resource.claims.update(district=resource.district)
            audit_log(
                actor=actor, action="resource.update", obj=resource, before=before, after=after
            )
    return resource


def resource_create_from_claim(*, actor: User, claim: Claim, data: dict) -> UrbanResource:
    """Turn the new location a claim suggested into a registry entry, and point the claim at it."""
    with transaction.atomic(durable=True):
        claim = lock_claim(claim)
        claim_policy.allows(actor, "add_resource", claim).enforce()
        resource = _resource_create(actor=actor, data=data, source_claim=claim)
        claim.resource = resource
        claim.district = resource.district
        claim.save(update_fields=["resource", "district", "updated_at"])
        audit_log(
            actor=actor,
            action="claim.resource_set",
            obj=claim,
            after={"resource": resource.pk, "name": resource.name},
        )
    return resource
