"""Formal opinions that civic bodies give on a claim, which the city's decision must answer.

The claims app does not know who gives them: an Assembly of the Commons
(`assemblies.records`) registers itself as a source in its `ready()`:

    from proposals.opinions import register_opinion_source
    register_opinion_source(AssemblyOpinions())

A source has two methods:

- `adopted(claim)`: the opinions in force on the claim, each with `body_name` (who gave it),
  `body_url`, `text`, `adopted_at` and `get_absolute_url()` (and, when a vote adopted it,
  `motion`: its title, meeting, `counts_line` and URL are shown); the claim's page and the
  officer's file show them, and `claim_decide` refuses a decision that does not answer them;
- `claim_decided(claim, actor)`: called inside the decision's transaction (notifications).
"""

from typing import Protocol

from proposals.models import Claim


class OpinionSource(Protocol):
    def adopted(self, claim: Claim) -> list: ...

    def claim_decided(self, claim: Claim, actor) -> None: ...


_sources: list[OpinionSource] = []


def register_opinion_source(source: OpinionSource) -> None:
    if source not in _sources:
        _sources.append(source)


def unregister_opinion_source(source: OpinionSource) -> None:
    if source in _sources:
        _sources.remove(source)


def formal_opinions(claim: Claim) -> list:
    """Every opinion in force on the claim, oldest first."""
    found = [opinion for source in _sources for opinion in source.adopted(claim)]
    return sorted(found, key=lambda o: (o.adopted_at, o.pk))


def claim_decided(claim: Claim, actor) -> None:
    for source in _sources:
        source.claim_decided(claim, actor)
