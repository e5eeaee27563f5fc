from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core import errors
from proposals import selectors, services
from proposals.filters import ResourceFilter
from proposals.forms import ResourceForm
from proposals.models import Claim, UrbanResource
from proposals.rules import claim_policy, resource_policy
from proposals.views._helpers import paginate


def _map_points(queryset) -> list[dict]:
    """What the map needs, for every resource matching the filters (not only this page)."""
    rows = queryset.filter(latitude__isnull=False).values(
        "pk", "name", "address", "latitude", "longitude", "status"
    )
    return [
        {
            "id": r["pk"],
            "name": r["name"],
            "address": r["address"],
            "lat": float(r["latitude"]),
            "lon": float(r["longitude"]),
            "status": str(UrbanResource.Status(r["status"]).label),
            "url": reverse("proposals:resource-detail", args=[r["pk"]]),
        }
        for r in rows
    ]


def resource_list(request):
    resource_filter = ResourceFilter(request.GET or None, queryset=selectors.resource_list())
    queryset = resource_filter.qs
    page, query = paginate(request, queryset)
    return render(
        request,
        "proposals/resource_list.html",
        {
            "filter": resource_filter,
            "page": page,
            "query": query,
            "map_points": _map_points(queryset),
            "can_manage": resource_policy.allows(request.user, "manage").allowed,
        },
    )


def resource_detail(request, pk):
    try:
        resource = selectors.resource_get(pk)
    except UrbanResource.DoesNotExist:
        raise Http404 from None
    claims = selectors.resource_claims(resource)
    return render(
        request,
        "proposals/resource_detail.html",
        {
            "resource": resource,
            "claims": claims,
            "map_points": _map_points(UrbanResource.objects.with_status().filter(pk=resource.pk)),
            "can_manage": resource_policy.allows(request.user, "manage").allowed,
            "can_claim": claim_policy.allows(request.user, "create").allowed,
        },
    )


def _resource_form_view(request, *, resource=None, claim=None):
    verdict = resource_policy.allows(request.user, "manage")
    if not verdict:
        raise PermissionDenied(verdict.message)
    initial = {}
    if claim is not None:
        initial = {
            "name": claim.title[:200],
            "address": claim.location_address,
            "district": claim.district,
            "latitude": claim.location_latitude,
            "longitude": claim.location_longitude,
        }
    form = ResourceForm(request.POST or None, instance=resource, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if claim is not None:
                resource = services.resource_create_from_claim(
                    actor=request.user, claim=claim, data=data
                )
                messages.success(request, _("The resource was added and the claim points to it."))
            elif resource is None:
                resource = services.resource_create(actor=request.user, data=data)
                messages.success(request, _("The resource was added to the registry."))
            else:
                resource = services.resource_update(
                    actor=request.user, resource=resource, data=data
                )
                messages.success(request, _("The resource was saved."))
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            return redirect(resource)
    return render(
        request,
        "proposals/resource_form.html",
        {
            "form": form,
            "resource": resource,
            "claim": claim,
            "districts": selectors.district_choices(with_census=True),
        },
        status=400 if form.errors else 200,
    )


@login_required
def resource_create(request):
    return _resource_form_view(request)


@login_required
def resource_edit(request, pk):
    return _resource_form_view(request, resource=get_object_or_404(UrbanResource, pk=pk))


@login_required
def resource_from_claim(request, pk):
    claim = get_object_or_404(Claim, pk=pk)
    if claim.is_draft:
        raise Http404
    if claim.resource_id:
        messages.info(request, _("This claim already points to a resource."))
        return redirect("proposals:office-claim", pk=pk)
    return _resource_form_view(request, claim=claim)
