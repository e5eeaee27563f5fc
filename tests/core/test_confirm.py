"""Confirm, then act: one question page, then the service call, refusals by their code."""

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from core.views import confirm_then_act

pytestmark = pytest.mark.django_db


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Why?")


def request_for(method="get", data=None):
    request = getattr(RequestFactory(), method)("/act/", data or {})
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def page(request, act, **kwargs):
    return confirm_then_act(
        request,
        act=act,
        success="Done.",
        next_url="/next/",
        title="Close the thing?",
        question="It cannot be reopened.",
        button="Close it",
        cancel_url="/back/",
        **kwargs,
    )


def test_the_question_comes_first_and_nothing_happens():
    calls = []
    response = page(request_for(), calls.append)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Close the thing?" in html and "It cannot be reopened." in html
    assert 'name="confirm" value="1"' in html and 'href="/back/"' in html
    assert calls == []


def test_a_post_without_the_answer_asks_again():
    calls = []
    response = page(request_for("post", {}), calls.append)
    assert response.status_code == 200 and calls == []


def test_the_confirmed_action_runs_once_and_says_so():
    calls = []
    request = request_for("post", {"confirm": "1"})
    response = page(request, calls.append)
    assert response.status_code == 302 and response.url == "/next/"
    assert calls == [{}]
    assert [str(m) for m in get_messages(request)] == ["Done."]


def test_a_refusal_without_a_form_becomes_a_message_on_the_error_page():
    def refuse(_data):
        raise ValidationError("Not in this state.", code="illegal")

    request = request_for("post", {"confirm": "1"})
    response = page(request, refuse, error_url="/error/")
    assert response.status_code == 302 and response.url == "/error/"
    assert [str(m) for m in get_messages(request)] == ["Not in this state."]


def test_with_a_form_the_valid_form_is_the_answer_and_refusals_land_on_it():
    def refuse(data):
        assert data == {"reason": "Because"}
        raise ValidationError("Too many attempts.", code="throttled")

    response = page(request_for("post", {"reason": ""}), refuse, form=None)
    assert response.status_code == 200  # no confirm=1, no form: asked again
    request = request_for("post", {"reason": ""})
    response = page(request, refuse, form=ReasonForm(request.POST))
    assert response.status_code == 400
    request = request_for("post", {"reason": "Because"})
    response = page(request, refuse, form=ReasonForm(request.POST))
    assert response.status_code == 429 and "Too many attempts." in response.content.decode()


def test_a_permission_refusal_is_left_to_django():
    def forbid(_data):
        raise PermissionDenied("Officers only.")

    with pytest.raises(PermissionDenied):
        page(request_for("post", {"confirm": "1"}), forbid)


def test_a_refusal_shown_instead_of_the_form():
    response = page(request_for(), print, refusal="The accord is not active.")
    html = response.content.decode()
    assert "The accord is not active." in html and 'data-testid="confirm"' not in html
