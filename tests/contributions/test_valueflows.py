"""The Valueflows JSON-LD export, expanded with the vendored Valueflows context (pyld): every
term maps to an IRI of the vocabulary, nothing is dropped, events are in the scope of the
accord as an agreement."""

import json

import pytest
from django.urls import reverse
from pyld import jsonld

from contributions import exports, services
from tests.contributions.factories import active_world, confirmed_hours, today

pytestmark = pytest.mark.django_db

VF = "https://w3id.org/valueflows/ont/vf#"
OM2 = "http://www.ontology-of-units-of-measure.org/resource/om-2/"


def _keys(node) -> int:
    """Properties of a compact node and its nested nodes (not @context/id/type)."""
    count = 0
    for key, value in node.items():
        if key in ("@context", "id", "type", "@id", "@type"):
            continue
        count += 1
        if isinstance(value, dict):
            count += _keys(value)
    return count


def _expanded_keys(node) -> int:
    count = 0
    for key, values in node.items():
        if key.startswith("@"):
            continue
        count += 1
        for value in values:
            nested = isinstance(value, dict) and "@value" not in value
            if nested and (len(value) > 1 or "@id" not in value):
                count += _expanded_keys(value)
    return count


def test_the_vendored_context_uses_the_valueflows_namespace():
    ctx = exports.context()
    assert ctx["vf"] == VF
    for term in ("EconomicEvent", "Agreement", "effortQuantity", "resourceQuantity", "inScopeOf"):
        assert ctx[term] if isinstance(ctx[term], str) else ctx[term]["@id"]


def test_the_export_expands_to_valueflows_economic_events(client):
    world = active_world()
    confirmed_hours(world, "2.5", show_name=True)
    goods = services.log_goods(
        actor=world.member,
        accord=world.accord,
        on=today(),
        description="Compost",
        quantity="3",
        unit="bags",
    )
    services.confirm(actor=world.rep, entry=goods)
    response = client.get(reverse("contributions:accord-valueflows", args=[world.accord.pk]))
    assert response["Content-Type"].startswith("application/ld+json")
    document = json.loads(response.content)
    expanded = jsonld.expand(document)
    by_type = {}
    for node in expanded:
        for t in node.get("@type", []):
            by_type.setdefault(t, []).append(node)
    agreements = by_type[f"{VF}Agreement"]
    events = by_type[f"{VF}EconomicEvent"]
    assert len(agreements) == 1 and len(events) == 2
    accord_iri = agreements[0]["@id"]
    for event in events:
        assert event[f"{VF}inScopeOf"] == [{"@id": accord_iri}]
    work = next(e for e in events if e[f"{VF}action"] == [{"@id": f"{VF}work"}])
    effort = work[f"{VF}effortQuantity"][0]
    assert effort[f"{OM2}hasUnit"] == [{"@id": f"{OM2}hour"}]
    assert effort[f"{OM2}hasNumericalValue"][0]["@value"] == "2.5"
    transfer = next(e for e in events if e[f"{VF}action"] == [{"@id": f"{VF}transfer"}])
    assert transfer[f"{VF}resourceQuantity"][0][f"{OM2}hasNumericalValue"][0]["@value"] == "3.00"
    # Nothing the export says is dropped by the expansion (every key is a term of the context).
    compact_nodes = document["@graph"]
    assert sum(_keys(n) for n in compact_nodes) == sum(_expanded_keys(n) for n in expanded)
