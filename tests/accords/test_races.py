"""Races on PostgreSQL with real threads: row locks decide, constraints back them up."""

import pytest

from accords import services
from accords.models import Accord, AccordState, Signature, VersionStatus
from audit.models import AuditEntry
from tests.accords.factories import World
from tests.citizens.factories import PASSWORD
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_last_two_signatures_at_once_activate_exactly_once():
    for _ in range(3):  # a few rounds: the interleaving differs from run to run
        world = World()
        world.start()
        world.agree()
        accord = world.accord
        results = run_together(
            lambda a=accord, u=world.rep: services.accord_sign(
                actor=u, accord=a, credential=PASSWORD
            ),
            lambda a=accord, u=world.signatory: services.accord_sign(
                actor=u, accord=a, credential=PASSWORD
            ),
        )
        assert all(isinstance(r, Signature) for r in results), results
        accord = Accord.objects.get(pk=accord.pk)
        version = accord.versions.get()
        assert accord.state == AccordState.ACTIVE
        assert version.status == VersionStatus.SIGNED and version.signatures.count() == 2
        assert AuditEntry.objects.for_object(accord).filter(action="accord.activate").count() == 1


def test_the_same_person_signing_twice_at_once_signs_once():
    world = World()
    world.start()
    world.agree()
    accord = world.accord
    sign = lambda: services.accord_sign(actor=world.rep, accord=accord, credential=PASSWORD)  # noqa: E731
    results = run_together(sign, sign)
    assert sum(isinstance(r, Signature) for r in results) == 1
    assert Signature.objects.filter(version__accord=accord).count() == 1
    assert Accord.objects.get(pk=accord.pk).state == AccordState.AWAITING_SIGNATURES


def test_two_officers_starting_from_one_claim_make_one_accord():
    world = World()
    from tests.citizens.factories import officer_create

    second = officer_create(department=world.department)
    results = run_together(
        lambda: services.accord_start(actor=world.officer, claim=world.claim),
        lambda: services.accord_start(actor=second, claim=world.claim),
    )
    assert sum(isinstance(r, Accord) for r in results) == 1, results
    assert Accord.objects.filter(claim=world.claim).count() == 1


def test_both_sides_agreeing_at_once_lock_the_version_once():
    world = World()
    world.start()
    version = world.accord.versions.get()
    services.version_propose_final(actor=world.officer, version=version)
    results = run_together(
        lambda: services.version_agree(actor=world.rep, version=version),
        lambda: services.version_agree(actor=world.rep, version=version),
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    version.refresh_from_db()
    assert version.status == VersionStatus.AGREED and version.approvals.count() == 2
