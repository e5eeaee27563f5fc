"""A service's refusal becomes a status, a message or a form error by its code, never its text."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from core import errors
from tests.accords.factories import World
from tests.citizens.factories import PASSWORD


class CredentialForm(forms.Form):
    credential = forms.CharField()


def test_a_throttled_refusal_answers_429_whatever_its_language():
    assert errors.http_status(ValidationError("Troppi tentativi.", code="throttled")) == 429


def test_a_permission_refusal_answers_403_and_a_missing_object_404():
    assert errors.http_status(PermissionDenied("No.")) == 403
    assert errors.http_status(Http404()) == 404
    assert errors.http_status(ValidationError("Gone.", code="not_found")) == 404


def test_a_wrong_state_answers_400_unless_it_is_a_conflict():
    assert errors.http_status(ValidationError("Not now.", code="illegal")) == 400
    assert errors.http_status(ValidationError("Changed meanwhile.", code="conflict")) == 409
    assert errors.http_status(ValidationError("Plain.")) == 400


def test_the_codes_of_a_dict_of_errors_are_read_too():
    exc = ValidationError({"amount": ValidationError("Slow down.", code="throttled")})
    assert errors.codes(exc) == ["throttled"]
    assert errors.http_status(exc) == 429


def test_the_message_joins_every_message_of_the_refusal():
    exc = ValidationError([ValidationError("One."), ValidationError("Two.")])
    assert errors.message(exc) == "One. Two."
    assert errors.message(PermissionDenied("Only officers.")) == "Only officers."
    assert errors.message(PermissionDenied()) != ""


def test_a_refusal_put_on_a_form_keeps_its_code_and_field():
    form = CredentialForm({"credential": "x"})
    assert form.is_valid()
    errors.add_to_form(form, ValidationError("Troppi tentativi.", code="throttled"), "credential")
    assert form.errors["credential"] == ["Troppi tentativi."]
    assert errors.form_status(form) == 429


def test_a_refusal_naming_a_field_the_form_lacks_goes_to_the_whole_form():
    form = CredentialForm({"credential": "x"})
    assert form.is_valid()
    errors.add_to_form(form, ValidationError({"elsewhere": "Wrong.", "credential": "Bad."}))
    assert form.errors["credential"] == ["Bad."]
    assert form.non_field_errors() == ["Wrong."]
    assert errors.form_status(form) == 400


def test_a_form_without_errors_answers_ok():
    form = CredentialForm({"credential": "x"})
    assert form.is_valid()
    assert errors.form_status(form) == 200


@pytest.mark.django_db
def test_a_throttled_signature_answers_429_in_italian(client):
    world = World()
    world.start()
    world.agree()
    client.force_login(world.rep)
    url = reverse("accords:accord-sign", args=[world.accord.pk])
    italian = {"HTTP_ACCEPT_LANGUAGE": "it"}
    for _ in range(5):
        response = client.post(url, {"credential": "wrong", "confirm": "on"}, **italian)
        assert response.status_code == 400
    response = client.post(url, {"credential": PASSWORD, "confirm": "on"}, **italian)
    assert response.status_code == 429
    assert "Troppi tentativi" in response.content.decode()
    assert not world.accord.versions.get().signatures.exists()


def test_a_protocol_may_add_its_own_codes():
    used = ValidationError("This ballot token was used.", code="token_used")
    assert errors.http_status(used) == 400
    assert errors.http_status(used, by_code={"token_used": 409}) == 409
    assert errors.http_status(PermissionDenied(), by_code={"forbidden": 401}) == 403
