"""allauth's pages in the site's form style: no colons, required fields marked, each error
next to its field."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_account_forms_mark_required_fields_and_use_no_colons(client, name):
    html = client.get(reverse(name)).content.decode()
    labels = re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)
    assert labels
    assert not [label for label in labels if ":" in label]
    assert '<span aria-hidden="true">*</span>' in html


def test_a_signup_error_sits_next_to_its_field(client):
    html = client.post(
        reverse("account_signup"),
        {"email": "not-an-address", "password1": "x", "password2": "y"},
    ).content.decode()
    email_field = re.search(r'<div class="field has-error">(.*?)</div>', html, re.S)
    assert email_field, html
    assert 'name="email"' in email_field.group(1)
    assert 'class="errorlist" role="alert"' in email_field.group(1)


def test_allauths_single_fields_use_the_site_style_too(client):
    from tests.citizens.factories import user_create

    client.force_login(user_create())
    html = client.get(reverse("account_email")).content.decode()
    # The radio buttons of the addresses come from allauth's single-field element.
    assert re.search(r'<div class="field">\s*<input type="radio"', html), html
    labels = re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)
    assert labels and not [label for label in labels if ":" in label]
