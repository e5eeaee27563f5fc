"""Starting an accord from a claim, saving versions, comments, proposing and agreeing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accords import services
from accords.models import (
    Accord,
    AccordParty,
    AccordState,
    AccordVersion,
    ImmutableError,
    SupportItem,
    VersionStatus,
)
from accords.services import SupportItemDraft, VersionDraft
from audit.models import AuditEntry
from citizens.models import Notification
from proposals.models import Claim, ProcedureConfig
from tests.accords.factories import World, claim_create, today
from tests.citizens.factories import officer_create, resident_create

pytestmark = pytest.mark.django_db


def test_an_officer_starts_an_accord_prefilled_from_the_approved_claim():
    world = World(months=12)
    accord = world.start()
    version = accord.versions.get()
    assert accord.state == AccordState.DRAFTING
    assert accord.reference.startswith("PA-") and accord.claim == world.claim
    assert accord.resource == world.claim.resource and accord.district == "Centro"
    assert accord.department == world.department
    assert version.number == 1 and version.kind == "original"
    assert version.objectives == world.claim.objectives
    assert world.claim.activities.split("\n")[0] in version.actions
    assert "Gloves, rakes and water." in version.city_commitments
    assert version.civic_commitments == world.claim.resources_offered
    assert version.start_date == today()
    # Requested 12 months, inside the ordinary track's maximum.
    assert (
        version.end_date
        == dt.date(today().year + 1, today().month, today().day) - (dt.timedelta(days=1))
        or version.end_date > today()
    )
    parties = list(accord.parties.order_by("position"))
    assert [p.kind for p in parties] == ["department", "group"]
    assert version.parties[1]["name"] == world.group.name
    assert version.parties[1]["representatives"] == ["Rita Rep"]
    assert AuditEntry.objects.for_object(accord).filter(action="accord.start").exists()


def test_the_requested_duration_is_cut_to_the_tracks_maximum():
    world = World(months=120)
    accord = world.start()
    track = ProcedureConfig.get_solo().track("ordinary")
    assert accord.versions.get().end_date == track.accord_end_limit(today())


def test_individual_proposers_and_coauthors_become_parties():
    author, coauthor = resident_create(), resident_create()
    claim = claim_create(author=author, coauthors=[coauthor])
    officer = officer_create()
    accord = services.accord_start(actor=officer, claim=claim)
    users = set(accord.parties.filter(kind="resident").values_list("user", flat=True))
    assert users == {author.pk, coauthor.pk}


def test_only_officers_start_and_only_from_an_approved_claim_once():
    world = World()
    with pytest.raises(PermissionDenied):
        services.accord_start(actor=world.rep, claim=world.claim)
    draft_claim = claim_create(state=Claim.State.TECHNICAL_REVIEW)
    with pytest.raises(ValidationError, match="approved"):
        services.accord_start(actor=world.officer, claim=draft_claim)
    world.start()
    with pytest.raises(ValidationError, match="already has an accord"):
        services.accord_start(actor=world.officer, claim=world.claim)


def test_a_cancelled_draft_leaves_room_for_a_new_accord():
    world = World()
    world.start()
    services.accord_cancel(actor=world.officer, accord=world.accord, reason="Wrong department")
    again = services.accord_start(actor=world.officer, claim=world.claim)
    assert again.pk != world.accord.pk
    assert Accord.objects.filter(claim=world.claim).count() == 2


def test_every_save_is_a_new_immutable_version():
    world = World()
    world.start()
    v2 = world.edit(actor=world.rep, objectives="Keep the garden open every day.")
    assert v2.number == 2 and v2.created_side == "civic" and v2.based_on.number == 1
    v1 = world.accord.versions.get(number=1)
    assert v1.objectives != v2.objectives
    v1.objectives = "tampered"
    with pytest.raises(ImmutableError):
        v1.save()
    with pytest.raises(ImmutableError):
        AccordVersion.objects.filter(pk=v1.pk).update(objectives="tampered")
    assert (
        AuditEntry.objects.for_object(world.accord).filter(action="accord.version.create").count()
        == 1
    )


def test_saving_without_changes_is_refused():
    world = World()
    world.start()
    with pytest.raises(ValidationError, match="Nothing changed"):
        world.edit()


def test_an_end_date_beyond_the_tracks_maximum_is_refused():
    world = World()
    world.start()
    limit = ProcedureConfig.get_solo().track("ordinary").accord_end_limit(today())
    with pytest.raises(ValidationError, match="maximum duration"):
        world.edit(end_date=limit + dt.timedelta(days=1))
    assert world.edit(end_date=limit).end_date == limit


def test_end_before_start_is_refused():
    world = World()
    world.start()
    with pytest.raises(ValidationError, match="after the start date"):
        world.edit(end_date=today())


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            SupportItemDraft(kind="cash_grant", description="Money", value=Decimal("500")),
            "Cash grants are not possible",
        ),
        (
            SupportItemDraft(kind="materials_on_loan", description="Rakes", quantity=Decimal("-2")),
            "cannot be negative",
        ),
        (
            SupportItemDraft(kind="materials_on_loan", description="Rakes", quantity=Decimal("0")),
            "more than zero",
        ),
        (SupportItemDraft(kind="training", description="Course"), "quantity or a value"),
        (SupportItemDraft(kind="reimbursement", description="Costs", quantity=Decimal("1")), "cap"),
        (
            SupportItemDraft(kind="utilities", description="   ", quantity=Decimal("1")),
            "cannot be empty",
        ),
        (SupportItemDraft(kind="utilities", description="Water", value="lots"), "must be a number"),
        (
            SupportItemDraft(kind="utilities", description="Water", value=Decimal("1e12")),
            "too large",
        ),
    ],
)
def test_bad_support_items_are_refused(item, message):
    world = World()
    world.start()
    draft = VersionDraft.from_version(world.accord.versions.get())
    draft.support_items = [item]
    with pytest.raises(ValidationError, match=message):
        services.version_create(actor=world.officer, accord=world.accord, draft=draft)


def test_text_is_normalised_and_bounded():
    world = World()
    world.start()
    version = world.edit(objectives="Cafe\u0301 line one  \r\nline two\x00\r\n\r\n")
    assert version.objectives == "Café line one\nline two"
    with pytest.raises(ValidationError, match="too long"):
        world.edit(objectives="x" * 20_001)
    with pytest.raises(ValidationError, match="cannot be empty"):
        world.edit(objectives=" \n ")
    unicode = world.edit(title="Giardino 🌳 Margherita — 花园")
    assert unicode.title == "Giardino 🌳 Margherita — 花园"


def test_outsiders_cannot_edit_or_comment():
    world = World()
    world.start()
    for user in (world.outsider, world.member, world.other_officer):
        with pytest.raises(PermissionDenied):
            world.edit(actor=user, objectives="Mine now.")
        with pytest.raises(PermissionDenied):
            services.version_comment(actor=user, version=world.accord.versions.get(), body="Hello")


def test_both_sides_comment_and_the_other_side_is_told(django_capture_on_commit_callbacks):
    world = World()
    world.start()
    version = world.accord.versions.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.version_comment(actor=world.rep, version=version, body="Can we add gloves?")
        services.version_comment(actor=world.officer, version=version, body="Yes.")
    assert [c.side for c in version.comments.all()] == ["civic", "city"]
    assert Notification.objects.filter(user=world.officer, verb="accord.comment").exists()
    assert Notification.objects.filter(user=world.rep, verb="accord.comment").exists()


def test_propose_then_agree_locks_the_version_and_asks_for_signatures(
    django_capture_on_commit_callbacks,
):
    world = World()
    world.start()
    version = world.add_support()
    with django_capture_on_commit_callbacks(execute=True):
        services.version_propose_final(actor=world.rep, version=version)
    assert Notification.objects.filter(user=world.officer, verb="accord.proposed").exists()
    with pytest.raises(ValidationError, match="already proposed"):
        services.version_propose_final(actor=world.rep, version=version)
    with pytest.raises(ValidationError, match="already agreed"):
        services.version_agree(actor=world.rep, version=version)
    with django_capture_on_commit_callbacks(execute=True):
        services.version_agree(actor=world.officer, version=version)
    version.refresh_from_db()
    accord = world.refresh()
    assert accord.state == AccordState.AWAITING_SIGNATURES
    assert version.status == VersionStatus.AGREED and len(version.fingerprint) == 64
    assert Notification.objects.filter(user=world.rep, verb="accord.sign_needed").exists()
    assert Notification.objects.filter(user=world.signatory, verb="accord.sign_needed").exists()


def test_agreeing_needs_a_proposal_and_the_latest_version():
    world = World()
    world.start()
    v1 = world.accord.versions.get()
    with pytest.raises(ValidationError, match="propose it first"):
        services.version_agree(actor=world.rep, version=v1)
    services.version_propose_final(actor=world.officer, version=v1)
    world.edit(actor=world.rep, objectives="A change after the proposal.")
    with pytest.raises(ValidationError, match="not the latest"):
        services.version_agree(actor=world.rep, version=v1)


def test_a_locked_version_cannot_be_edited_until_the_codesign_is_reopened():
    world = World()
    world.start()
    world.agree()
    with pytest.raises(ValidationError, match="locked"):
        world.edit(objectives="Late change")
    services.accord_reopen(actor=world.rep, accord=world.accord, reason="We forgot the water.")
    accord = world.refresh()
    assert accord.state == AccordState.DRAFTING
    assert accord.versions.get(number=1).status == VersionStatus.WITHDRAWN
    assert world.edit(objectives="Now with water.").number == 2


def test_cancel_is_for_the_city_before_signing():
    world = World()
    world.start()
    with pytest.raises(PermissionDenied):
        services.accord_cancel(actor=world.rep, accord=world.accord, reason="No")
    with pytest.raises(ValidationError):
        services.accord_cancel(actor=world.officer, accord=world.accord, reason="  ")
    services.accord_cancel(actor=world.officer, accord=world.accord, reason="Duplicate")
    assert world.refresh().state == AccordState.CANCELLED


def test_parties_are_snapshotted_without_email_addresses():
    world = World(group=False)
    world.rep.display_name = ""
    world.rep.save()
    accord = world.start()
    names = [p["name"] for p in accord.versions.get().parties]
    assert all("@" not in n for n in names)
    assert AccordParty.objects.filter(accord=accord, kind="resident").count() == 1


def test_support_items_keep_their_key_across_versions():
    world = World()
    world.start()
    v2 = world.add_support()
    v3 = world.edit(objectives="Another change")
    assert {i.key for i in v2.support_items.all()} == {i.key for i in v3.support_items.all()}
    assert SupportItem.objects.filter(version=v3).count() == 3
