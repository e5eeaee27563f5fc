"""Every JSON endpoint of the kiosk answers malformed bodies with a 4xx, never a 5xx.

A 5xx makes a tablet keep the ballot and resend it forever; a body that cannot be read must
get an answer that says so (422), which the tablet does not resend.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.budgeting.factories import key, process_create, project_create
from tests.live_voting.factories import checkin, facilitator_create, session_make, tablet_make

pytestmark = pytest.mark.django_db

ENDPOINTS = ["pb_live:kiosk-cast", "pb_live:kiosk-claim", "pb_live:kiosk-void"]

# Literals that json.loads accepts (or nearly) and Python then chokes on.
NASTY = [
    "1e999", "-1e999", "NaN", "Infinity", "-Infinity", "1" * 40, "-" + "9" * 30, "1.5", "0",
    "true", "null", '"x"', '"\\u0000"', "{}", "[]", '"' + "9" * 30 + '"', "9223372036854775808",
]  # fmt: skip

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _templated(token: str, literal: str, field: str) -> bytes:
    fields = {"token": json.dumps(token), "key": json.dumps(key()), "code": '"123456"'}
    fields["projects"] = f"[{literal}]"
    fields[field] = literal
    return ("{" + ", ".join(f'"{k}": {v}' for k, v in fields.items()) + "}").encode()


def bodies(token: str):
    nested = st.integers(1, 40_000).flatmap(
        lambda n: st.sampled_from([b"[" * n, b'{"a":' * n, b"[" * n + b"]" * n])
    )
    return st.one_of(
        st.binary(max_size=64),
        nested,
        st.sampled_from(NASTY).map(str.encode),
        st.tuples(
            st.sampled_from(NASTY), st.sampled_from(["projects", "token", "key", "code"])
        ).map(lambda args: _templated(token, *args)),
        json_values.map(lambda value: json.dumps(value).encode()),
        st.fixed_dictionaries(
            {"token": json_values, "key": json_values, "projects": json_values, "code": json_values}
        ).map(lambda value: json.dumps(value).encode()),
    )


@pytest.fixture
def kiosk():
    process = process_create(budget=50_000)
    project_create(process, cost=20_000)
    facilitator = facilitator_create()
    session = session_make(process, facilitators=[facilitator])
    tablet, credential = tablet_make(session)
    _result, token = checkin(session, facilitator, tablet=tablet)
    client = Client(raise_request_exception=False)
    client.cookies["pb_live_device"] = credential
    return client, token


@pytest.fixture(autouse=True)
def _casts_in_the_test_transaction(settings):
    settings.PB_LIVE_CAST_THREADS = 0  # a pooled thread would not see this test's data


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_malformed_bodies_never_get_a_server_error(kiosk, endpoint):
    client, token = kiosk
    url = reverse(endpoint)

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(body=bodies(token))
    def posted(body):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code < 500, (body[:80], response.content[:200])
        assert response["Content-Type"] == "application/json"

    posted()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"token": "t", "key": "k1234567", "projects": [1e999]}', "bad_number"),
        (b"[" * 30_000, "too_deep"),
        (b'{"projects": [' + b"1" * 40 + b"]}", "bad_number"),
        (b"{not json", "invalid"),
        (b"[1, 2]", "invalid"),
    ],
)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_body_beyond_the_limits_gets_422_with_a_reason(kiosk, endpoint, body, code):
    client, _token = kiosk
    response = client.post(reverse(endpoint), body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == code and response.json()["errors"][0]
