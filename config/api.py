"""The public read-only API (django-ninja), with OpenAPI at /api/openapi.json."""

from ninja import NinjaAPI, Schema
from ninja.security import django_auth

from accords.api import router as accords_router
from assemblies.api import router as assemblies_router
from assemblies.motions.api import router as motions_router
from budgeting.api import router as budgeting_router
from contributions.api import router as contributions_router
from implementation.api import router as implementation_router
from proposals.api import router as proposals_router
from search.api import router as search_router

api = NinjaAPI(
    title="PartnerCity API",
    version="1",
    description="Read-only public data: processes, claims, accords, projects, results.",
    urls_namespace="api",
)


class HealthOut(Schema):
    status: str


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    preferred_language: str
    verified: bool
    district: str
    roles: list[str]


@api.get("/health", response=HealthOut, tags=["meta"])
def health(request):
    return {"status": "ok"}


@api.get("/me", response=MeOut, auth=django_auth, tags=["meta"])
def me(request):
    from citizens.rules import roles_of

    user = request.user
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "preferred_language": user.preferred_language,
        "verified": user.is_verified_resident,
        "district": user.district,
        "roles": sorted(roles_of(user)),
    }


# Resources and claims: /api/resources, /api/claims
api.add_router("/", proposals_router)

# The accord registry: /api/accords, /api/accords/{id}
api.add_router("/accords", accords_router)

# Contributions to an accord: /api/accords/{id}/contributions
api.add_router("/accords", contributions_router)

# Participatory budgeting: /api/processes, /api/processes/{id}, /api/processes/{id}/results
api.add_router("/", budgeting_router)

# Assemblies of the Commons and their meetings: /api/assemblies, /api/meetings
api.add_router("/", assemblies_router)
# Closed motions of a meeting, with outcomes and tallies: /api/meetings/{id}/motions
api.add_router("/", motions_router)
# Implementation tracking: /api/processes/{id}/implementation, /api/accords/{id}/implementation
api.add_router("/", implementation_router)
# Site search: /api/search
api.add_router("/", search_router)
