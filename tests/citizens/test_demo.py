"""The whole demo (`seed_demo`) tells a history a real run could have produced."""

import datetime as dt
import io
from collections import defaultdict

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_log
from core.clock import travel_to
from core.fsm import StateMachine
from tests.citizens.factories import officer_create

pytestmark = pytest.mark.django_db

STATEFUL_APPS = ("accords", "audit", "budgeting", "citizens", "comments", "pb_live", "proposals")


def _seed(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())


def _counts() -> dict[str, int]:
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in STATEFUL_APPS
    }
    # Each run draws a fresh pairing code for the live demo's first tablet (an audited act).
    counts["audit.AuditEntry"] -= AuditEntry.objects.filter(action="pb_live.pairing_code").count()
    return counts


def audit_trail_problems() -> list[str]:
    """What contradicts itself in the audit trail: state chains, order in time, the future."""
    now = timezone.now()
    problems = []
    trails = defaultdict(list)
    for entry in AuditEntry.objects.order_by("id"):
        if entry.at > now:
            problems.append(f"{entry}: in the future")
        trails[(entry.content_type_id, entry.object_id)].append(entry)
    for (_content_type, object_id), entries in trails.items():
        if not object_id:
            continue
        state, previous = None, None
        for entry in entries:
            if previous is not None and entry.at < previous.at:
                problems.append(f"{entry}: earlier than the entry before it ({previous})")
            before = entry.before if isinstance(entry.before, dict) else {}
            after = entry.after if isinstance(entry.after, dict) else {}
            if "state" in before and state is not None and before["state"] != state:
                problems.append(f"{entry}: starts from {before['state']!r}, was {state!r}")
            if "state" in after:
                state = after["state"]
            previous = entry
    return problems


def _stateful_models():
    """Models whose state only services move: every model with a core.fsm machine."""
    return [m for m in apps.get_models() if isinstance(getattr(m, "machine", None), StateMachine)]


def state_problems() -> list[str]:
    """Objects whose state no audited service put them in (a state written directly)."""
    problems = []
    for model in _stateful_models():
        field = model.machine.field if hasattr(model, "machine") else "state"
        initial = model._meta.get_field(field).default
        last_state = {}
        entries = AuditEntry.objects.filter(content_type__app_label=model._meta.app_label)
        for entry in entries.filter(content_type__model=model._meta.model_name).order_by("id"):
            if isinstance(entry.after, dict) and field in entry.after:
                last_state[entry.object_id] = entry.after[field]
        # A child's transitions audited on its parent's trail (core.fsm.fire(audit_object=)).
        prefix = model.machine.audit_prefix if hasattr(model, "machine") else ""
        child_key, child_id = f"{prefix}_{field}", f"{prefix}_id"
        for entry in AuditEntry.objects.filter(after__has_key=child_key).order_by("id"):
            if child_id in entry.after:
                last_state[str(entry.after[child_id])] = entry.after[child_key]
        for pk, state in model._default_manager.values_list("pk", field):
            recorded = last_state.get(str(pk), initial)
            if recorded != state:
                problems.append(f"{model._meta.label} {pk}: {state!r}, audited {recorded!r}")
    return problems


def test_every_audit_trail_of_the_demo_is_consistent(settings, tmp_path):
    _seed(settings, tmp_path)
    assert AuditEntry.objects.exists()
    assert audit_trail_problems() == []
    assert state_problems() == []


def test_the_demo_is_idempotent_across_every_app(settings, tmp_path):
    _seed(settings, tmp_path)
    counts = _counts()
    _seed(settings, tmp_path)
    assert _counts() == counts
    assert audit_trail_problems() == []


def test_the_audit_check_finds_broken_chains_backward_times_and_the_future():
    user = officer_create()
    now = timezone.now()
    with travel_to(now - dt.timedelta(days=2)):
        audit_log(actor=None, action="x.b", obj=user, before={"state": "a"}, after={"state": "b"})
    assert audit_trail_problems() == []
    with travel_to(now - dt.timedelta(days=3)):  # earlier than the entry before it
        audit_log(actor=None, action="x.c", obj=user, before={"state": "b"}, after={"state": "c"})
    AuditEntry.objects.create(  # in the future, and from a state it was not in
        at=now + dt.timedelta(hours=1),
        action="x.d",
        object_id=str(user.pk),
        content_type=ContentType.objects.get_for_model(user),
        before={"state": "a"},
        after={"state": "d"},
    )
    problems = audit_trail_problems()
    assert len(problems) == 3
    assert [p.split(": ")[-1][:10] for p in problems] == ["in the fut", "earlier th", "starts fro"]
