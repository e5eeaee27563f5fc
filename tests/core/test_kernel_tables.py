"""Checks over every table of the project: each machine's guarded transitions name an action
its model's policy knows, so no transition can be fired past a missing rule."""

import pytest
from django.apps import apps

from core.fsm import StateMachine
from core.policy import policy_for


def machines():
    for model in apps.get_models():
        machine = model.__dict__.get("machine")
        if isinstance(machine, StateMachine):
            yield model, machine


def test_every_stateful_model_of_the_project_declares_its_machine():
    names = {model._meta.label for model, _machine in machines()}
    assert {
        "budgeting.Process",
        "budgeting.Project",
        "pb_live.VotingSession",
        "pb_live.BallotToken",
        "accords.Accord",
    } <= names


@pytest.mark.parametrize(
    ("model", "machine"), list(machines()), ids=lambda v: getattr(v, "__name__", "")
)
def test_each_guarded_transition_names_an_action_of_its_models_policy(model, machine):
    for transition in machine:
        state_field = model._meta.get_field(machine.field)
        choices = {value for value, _label in state_field.choices}
        assert transition.target in choices, (model, transition.name)
        assert transition.sources <= choices, (model, transition.name)
        if transition.action is not None:
            assert policy_for(model).rules_for(transition.action), (model, transition.name)
