"""Signing: re-authentication, who may sign for whom, fingerprints, coming into force."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accords import services
from accords.models import AccordState, Signature, VersionStatus
from audit.models import AuditEntry
from citizens.models import Notification
from tests.accords.factories import World
from tests.citizens.factories import PASSWORD, officer_create

pytestmark = pytest.mark.django_db


def test_signing_an_unagreed_version_is_refused():
    world = World()
    world.start()
    with pytest.raises(ValidationError, match="both sides must agree"):
        services.accord_sign(actor=world.rep, accord=world.accord, credential=PASSWORD)
    version = world.accord.versions.get()
    world.agree()
    draft = world.accord.versions.get(number=1)
    assert draft.status == VersionStatus.AGREED
    services.accord_reopen(actor=world.officer, accord=world.accord, reason="One more thing")
    world.edit(objectives="Changed")
    with pytest.raises(ValidationError):
        services.accord_sign(
            actor=world.rep, accord=world.accord, credential=PASSWORD, version=version
        )
    assert not Signature.objects.exists()


def test_a_wrong_password_is_refused_and_throttled():
    world = World()
    world.start()
    world.agree()
    for _ in range(5):
        with pytest.raises(ValidationError, match="password is not correct"):
            services.accord_sign(actor=world.rep, accord=world.accord, credential="nope")
    with pytest.raises(ValidationError, match="Too many failed attempts") as refused:
        services.accord_sign(actor=world.rep, accord=world.accord, credential=PASSWORD)
    assert refused.value.code == "throttled"
    assert not Signature.objects.exists()


def test_a_user_with_two_factor_signs_with_an_authenticator_code():
    world = World()
    world.start()
    world.agree()
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(world.rep, secret)
    with pytest.raises(ValidationError, match="authenticator code"):
        services.accord_sign(actor=world.rep, accord=world.accord, credential=PASSWORD)
    import time

    from allauth.mfa import app_settings

    code = format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))
    signature = services.accord_sign(actor=world.rep, accord=world.accord, credential=code)
    assert signature.method == Signature.Method.TOTP
    assert Authenticator.objects.filter(user=world.rep).exists()


def test_a_non_signatory_cannot_sign_for_the_city():
    world = World()
    world.start()
    world.agree()
    city = world.accord.parties.get(side="city")
    for user in (world.officer, world.other_officer, world.outsider):
        with pytest.raises(PermissionDenied):
            services.accord_sign(actor=user, accord=world.accord, credential=PASSWORD, party=city)


def test_only_representatives_sign_for_a_group():
    world = World()
    world.start()
    world.agree()
    group_party = world.accord.parties.get(side="civic")
    with pytest.raises(PermissionDenied):
        services.accord_sign(
            actor=world.member, accord=world.accord, credential=PASSWORD, party=group_party
        )
    with pytest.raises(PermissionDenied):
        services.accord_sign(
            actor=world.signatory, accord=world.accord, credential=PASSWORD, party=group_party
        )


def test_a_signatory_who_is_also_a_civic_party_cannot_sign_for_the_city():
    world = World()
    conflicted = officer_create(signatory=True)
    from citizens.models import Membership

    Membership.objects.create(group=world.group, user=conflicted, is_representative=True)
    world.start()
    world.agree()
    city = world.accord.parties.get(side="city")
    with pytest.raises(PermissionDenied):
        services.accord_sign(actor=conflicted, accord=world.accord, credential=PASSWORD, party=city)


def test_signatures_record_the_fingerprint_and_the_last_one_activates(
    django_capture_on_commit_callbacks,
):
    world = World()
    world.start()
    world.add_support()
    world.agree()
    version = world.accord.versions.get(status=VersionStatus.AGREED)
    first = services.accord_sign(actor=world.rep, accord=world.accord, credential=PASSWORD)
    assert first.fingerprint == version.fingerprint and first.signer == world.rep
    assert world.refresh().state == AccordState.AWAITING_SIGNATURES
    with pytest.raises(ValidationError, match="already signed"):
        services.accord_sign(actor=world.rep, accord=world.accord, credential=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        services.accord_sign(actor=world.signatory, accord=world.accord, credential=PASSWORD)
    accord = world.refresh()
    version.refresh_from_db()
    assert accord.state == AccordState.ACTIVE
    assert accord.current_version == version and version.status == VersionStatus.SIGNED
    assert (accord.start_date, accord.end_date) == (version.start_date, version.end_date)
    assert accord.signed_at is not None
    actions = list(AuditEntry.objects.for_object(accord).values_list("action", flat=True))
    assert actions.count("accord.sign") == 2 and "accord.activate" in actions
    assert Notification.objects.filter(user=world.rep, verb="accord.in_force").exists()


def test_a_tampered_agreed_text_cannot_be_signed():
    world = World()
    world.start()
    world.agree()
    version = world.accord.versions.get()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accords_accordversion SET objectives = %s WHERE id = %s",
            ["Something else entirely", version.pk],
        )
    with pytest.raises(ValidationError, match="no longer matches its fingerprint"):
        services.accord_sign(actor=world.rep, accord=world.accord, credential=PASSWORD)


def test_an_amendment_is_agreed_and_signed_again_keeping_the_previous_version():
    world = World()
    world.active()
    v_signed = world.accord.current_version
    amendment = world.edit(actor=world.rep, objectives="Also a reading corner.")
    assert amendment.kind == "amendment"
    assert world.refresh().state == AccordState.ACTIVE  # still in force meanwhile
    world.agree()
    assert world.refresh().state == AccordState.ACTIVE
    world.sign_all()
    accord = world.refresh()
    v_signed.refresh_from_db()
    assert accord.current_version == amendment
    assert v_signed.status == VersionStatus.REPLACED and v_signed.signatures.count() == 2
    assert AuditEntry.objects.for_object(accord).filter(action="accord.amendment.in_force").exists()


def test_an_amendment_keeps_the_start_date():
    world = World()
    world.active()
    import datetime as dt

    with pytest.raises(ValidationError, match="keeps the start date"):
        world.edit(start_date=world.accord.start_date + dt.timedelta(days=1))


def test_support_tracking_carries_over_to_an_amendment():
    world = World()
    world.active()
    rakes = world.accord.current_version.support_items.get(kind="materials_on_loan")
    from tests.accords.factories import today

    services.support_item_update(actor=world.officer, item=rakes, status="delivered", on=today())
    world.edit(objectives="Amended objectives")
    world.agree()
    world.sign_all()
    carried = world.accord.current_version.support_items.get(kind="materials_on_loan")
    assert carried.pk != rakes.pk and carried.status == "delivered"
