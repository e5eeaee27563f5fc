"""Activity reports (with photos) and disputes with a conciliation committee."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accords import deadlines, services
from accords.models import AccordConfig, Dispute, DisputeState, ReportPhoto
from citizens.models import Notification
from tests.accords.factories import World, today

pytestmark = pytest.mark.django_db


def image_file(name="garden.jpg", fmt="JPEG", size=(40, 30), exif=False) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (30, 120, 40))
    kwargs = {}
    if exif:
        info = Image.Exif()
        info[0x010F] = "SecretCamera"  # Make
        kwargs["exif"] = info.tobytes()
    image.save(buffer, format=fmt, **kwargs)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path


def _report(world, **kwargs):
    values = {
        "actor": world.rep,
        "accord": world.accord,
        "period_start": world.accord.start_date,
        "period_end": today(),
        "activities": "Cleaned the garden, planted tomatoes.",
        "volunteer_hours": "42.5",
        "participants": 12,
        "resources_used": "Rakes, gloves",
    }
    values.update(kwargs)
    return services.report_submit(**values)


def test_the_civic_side_reports_and_the_city_acknowledges(
    media, django_capture_on_commit_callbacks
):
    world = World()
    world.active()
    with django_capture_on_commit_callbacks(execute=True):
        report = _report(world, photos=[image_file(exif=True), image_file("b.png", "PNG")])
    assert report.state == "submitted" and report.photos.count() == 2
    assert Notification.objects.filter(user=world.officer, verb="accord.report").exists()
    photo = report.photos.first()
    assert photo.original_name == "garden.jpg" and "garden" not in photo.file.name
    with photo.file.open("rb") as handle:
        stored = handle.read()
    assert b"SecretCamera" not in stored  # metadata is stripped by re-encoding
    with pytest.raises(PermissionDenied):
        services.report_acknowledge(actor=world.rep, report=report)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_acknowledge(actor=world.officer, report=report, note="Thank you!")
    report.refresh_from_db()
    assert report.state == "acknowledged" and report.acknowledged_by == world.officer
    assert Notification.objects.filter(user=world.rep, verb="accord.report_acknowledged")
    with pytest.raises(ValidationError):
        services.report_acknowledge(actor=world.officer, report=report)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"activities": ""}, "cannot be empty"),
        ({"volunteer_hours": "-1"}, "cannot be negative"),
        ({"volunteer_hours": "abc"}, "as a number"),
        ({"participants": -3}, "between 0"),
        ({"period_end": dt.date(2000, 1, 1)}, "end after it starts"),
        ({"period_end": dt.date(2999, 1, 1)}, "already past"),
        ({"activities": "x" * 10_001}, "too long"),
    ],
)
def test_bad_reports_are_refused(media, changes, message):
    world = World()
    world.active()
    with pytest.raises(ValidationError, match=message):
        _report(world, **changes)


def test_photos_are_checked_by_content_and_size(media, settings):
    world = World()
    world.active()
    fake = SimpleUploadedFile("evil.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="not a photo"):
        _report(world, photos=[fake])
    gif = image_file("anim.gif", "GIF")
    with pytest.raises(ValidationError, match="not a photo"):
        _report(world, photos=[gif])
    settings.ACCORDS_PHOTO_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="the limit is"):
        _report(world, photos=[image_file(size=(200, 200))])
    settings.ACCORDS_PHOTO_MAX_BYTES = 5_000_000
    with pytest.raises(ValidationError, match="At most"):
        _report(world, photos=[image_file() for _ in range(7)])
    empty = SimpleUploadedFile("empty.jpg", b"", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="empty"):
        _report(world, photos=[empty])
    assert not ReportPhoto.objects.exists()


def test_odd_file_names_are_made_safe(media):
    world = World()
    world.active()
    report = _report(world, photos=[image_file("../../etc/pass\x00wd 🌳.jpeg")])
    photo = report.photos.get()
    assert photo.original_name == "passwd 🌳.jpg"
    assert ".." not in photo.file.name


def test_reports_are_for_the_civic_side_only(media):
    world = World()
    world.active()
    for user in (world.officer, world.outsider, world.member):
        with pytest.raises(PermissionDenied):
            _report(world, actor=user)


def test_a_dispute_goes_through_the_committee_to_an_outcome(django_capture_on_commit_callbacks):
    world = World()
    world.active()
    with django_capture_on_commit_callbacks(execute=True):
        dispute = services.dispute_open(
            actor=world.rep, accord=world.accord, description="The city did not deliver rakes."
        )
    assert Notification.objects.filter(user=world.officer, verb="accord.dispute").exists()
    days = AccordConfig.get_solo().settlement_days
    assert dispute.settlement_due == today() + dt.timedelta(days=days)
    with pytest.raises(ValidationError, match="already open"):
        services.dispute_open(actor=world.officer, accord=world.accord, description="Another")
    services.dispute_name_member(actor=world.officer, dispute=dispute, name="Ing. Bianchi")
    services.dispute_name_member(actor=world.rep, dispute=dispute, name="Avv. Rossi")
    services.dispute_propose_third_member(actor=world.officer, dispute=dispute, name="Prof. Verdi")
    with pytest.raises(ValidationError, match="other side has to agree"):
        services.dispute_agree_third_member(actor=world.officer, dispute=dispute)
    with pytest.raises(ValidationError, match="not been formed"):
        services.dispute_close(
            actor=world.officer, dispute=dispute, outcome="not_settled", text="No"
        )
    dispute = services.dispute_agree_third_member(actor=world.rep, dispute=dispute)
    assert dispute.state == DisputeState.COMMITTEE_FORMED
    with pytest.raises(ValidationError, match="already formed"):
        services.dispute_name_member(actor=world.rep, dispute=dispute, name="Someone else")
    with pytest.raises(PermissionDenied):
        services.dispute_record_settlement(actor=world.rep, dispute=dispute, settlement="x")
    with pytest.raises(ValidationError, match="record it first"):
        services.dispute_close(actor=world.officer, dispute=dispute, outcome="settled", text="ok")
    services.dispute_record_settlement(
        actor=world.officer, dispute=dispute, settlement="The rakes arrive within a week."
    )
    with pytest.raises(PermissionDenied):
        services.dispute_close(actor=world.rep, dispute=dispute, outcome="settled", text="ok")
    dispute = services.dispute_close(
        actor=world.officer, dispute=dispute, outcome="settled", text="Both sides accepted."
    )
    assert dispute.state == DisputeState.CLOSED and dispute.outcome == "settled"
    # A new dispute may be opened once the previous one is closed.
    services.dispute_open(actor=world.officer, accord=world.accord, description="Noise")


def test_only_the_opener_withdraws_a_dispute():
    world = World()
    world.active()
    dispute = services.dispute_open(actor=world.rep, accord=world.accord, description="Noise")
    with pytest.raises(PermissionDenied):
        services.dispute_close(actor=world.officer, dispute=dispute, outcome="withdrawn", text="x")
    services.dispute_close(
        actor=world.rep, dispute=dispute, outcome="withdrawn", text="Solved between us."
    )
    assert Dispute.objects.get().outcome == "withdrawn"


def test_the_settlement_deadline_is_configurable_and_flagged_once():
    config = AccordConfig.get_solo()
    config.settlement_days = 10
    config.save()
    world = World()
    world.active()
    dispute = services.dispute_open(actor=world.rep, accord=world.accord, description="Noise")
    assert dispute.settlement_due == today() + dt.timedelta(days=10)
    late = timezone.now() + dt.timedelta(days=11)
    assert deadlines.run(late)["disputes_overdue"] == 1
    assert deadlines.run(late)["disputes_overdue"] == 0
    assert Dispute.objects.get().overdue_notified_at is not None


def test_disputes_need_an_accord_in_force():
    world = World()
    world.start()
    with pytest.raises(ValidationError):
        services.dispute_open(actor=world.rep, accord=world.accord, description="Too early")
    with pytest.raises(PermissionDenied):
        services.dispute_open(actor=world.outsider, accord=world.accord, description="Me")
