"""The kernel's engine on its own: verdicts, policy tables and their queryset twins."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from core.fsm import StateMachine, Transition
from core.policy import ALLOW, LOGIN, STATE, Policy, Rule, Verdict, Who, deny
from core.policy import ANYONE as ANYONE_

USER = SimpleNamespace(is_authenticated=True, pk=1, name="ann")
ANON = SimpleNamespace(is_authenticated=False, pk=None)
OWNER = Who(
    "owner",
    lambda u, o: o is None or o.owner == u.pk,
    lambda u: Q(owner=u.pk),
    refusal="Only the owner can do this.",
)


def test_a_refused_verdict_is_falsy_and_enforces_by_code():
    assert ALLOW and not deny("no")
    with pytest.raises(PermissionDenied):
        deny("no").enforce()
    with pytest.raises(ValidationError) as caught:
        Verdict(False, "later", STATE).enforce()
    assert caught.value.code == STATE


def test_the_table_decides_person_then_state_then_extra_check():
    policy = Policy(
        rules={
            "edit": Rule(OWNER, {"draft"}, "as a draft"),
            "close": Rule(OWNER, None, check=lambda u, o: deny("busy", STATE)),
        }
    )
    mine = SimpleNamespace(owner=1, state="draft", get_state_display=lambda: "Draft")
    theirs = SimpleNamespace(owner=2, state="draft")
    sent = SimpleNamespace(owner=1, state="sent", get_state_display=lambda: "Sent")
    assert policy.allows(USER, "edit", mine)
    assert policy.allows(USER, "edit", theirs).code == "forbidden"
    refused = policy.allows(USER, "edit", sent)
    assert refused.code == STATE and "Sent" in refused.reason
    assert policy.allows(ANON, "edit", mine).code == LOGIN
    assert policy.allows(USER, "close", mine).reason == "busy"
    assert policy.actions(USER, mine) == {"edit"}


def test_a_machine_refuses_a_move_from_the_wrong_state_and_runs_its_guard():
    machine = StateMachine(
        Transition("send", "send", {"draft"}, "sent"),
        Transition("archive", "archive", {"sent"}, "archived", guard=lambda o: o.why),
        tones={"sent": "ok"},
    )
    draft = SimpleNamespace(state="draft", why="")
    assert machine.can(draft, "send") and not machine.can(draft, "archive")
    with pytest.raises(ValidationError):
        machine.check(draft, "archive")
    sent = SimpleNamespace(state="sent", why="not yet")
    assert machine.error(sent, "archive") == "not yet"
    assert machine.targets("draft") == {"sent"} and machine.tone("sent") == "ok"
    with pytest.raises(ValueError, match="duplicate transition"):
        StateMachine(Transition("a", "a", {"x"}, "y"), Transition("a", "a", {"y"}, "x"))


def test_a_policy_subclass_keeps_its_class_table():
    class OwnerPolicy(Policy):
        rules = {"edit": Rule(OWNER, {"draft"})}

    mine = SimpleNamespace(owner=1, state="draft")
    assert OwnerPolicy().rules and OwnerPolicy().allows(USER, "edit", mine)


def test_both_actors_must_match_and_the_first_refusal_is_shown():
    named = Who("named ann", lambda u, o: u.name == "ann", lambda u: Q(name="ann"), "Only Ann.")
    policy = Policy(rules={"edit": Rule(OWNER & named)})
    assert policy.allows(USER, "edit", SimpleNamespace(owner=1))
    refused = policy.allows(USER, "edit", SimpleNamespace(owner=2))
    assert refused.reason == "Only the owner can do this."
    bob = SimpleNamespace(is_authenticated=True, pk=1, name="bob")
    assert policy.allows(bob, "edit", SimpleNamespace(owner=1)).reason == "Only Ann."
    both = str((OWNER & named).q(USER))
    assert "('owner', 1)" in both and "('name', 'ann')" in both


def test_an_action_with_alternative_rules_is_allowed_by_any_and_refused_by_the_closest():
    officer = Who("officer", lambda u, o: u.name == "olga", lambda u: Q(pk__isnull=False))
    policy = Policy(
        rules={"view": (Rule(ANYONE_, {"public"}, "once public"), Rule(officer))},
    )
    draft = SimpleNamespace(state="draft", get_state_display=lambda: "Draft")
    olga = SimpleNamespace(is_authenticated=True, pk=2, name="olga")
    assert policy.allows(olga, "view", draft)
    refused = policy.allows(USER, "view", draft)
    assert refused.code == STATE and "once public" in refused.reason
    assert policy.allows(ANON, "view", SimpleNamespace(state="public"))
