"""The tablet: pairing, waiting for a voter, the ballot, casting (JSON), resetting.

A tablet is authenticated by its device credential, kept in an HttpOnly, SameSite=Strict
cookie (Secure whenever session cookies are). Every POST carries Django's CSRF token.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from budgeting import selectors as pb_selectors
from budgeting.live import selectors, services
from budgeting.live.conf import live_setting
from budgeting.live.forms import PairForm
from budgeting.live.models import VotingSession
from budgeting.validation import BallotInvalid, ballot_limits
from citizens.throttle import client_ip
from core import errors, jsonlimits
from live.credentials import set_device_cookie
from live.fastpath import in_vote_pool

# How the kiosk's JSON answers map refusals to HTTP statuses. 409: the ballot can never be
# accepted as sent (the kiosk stops resending it); 422: the body is not JSON within the
# limits (core/jsonlimits.py), so no resend can help either; 429 and 5xx: try again later.
STATUS = {
    "throttled": 429,
    "unknown": 409,
    "token_used": 409,
    "token_voided": 409,
    "token_expired": 409,
    "session_closed": 409,
    "closed": 409,
    "key_reused": 409,
    "tablet_busy": 409,
}


def _credential(request) -> str:
    return request.COOKIES.get(live_setting("PB_LIVE_DEVICE_COOKIE"), "")


def _tablet(request):
    return selectors.tablet_for_credential(_credential(request))


def _usable(tablet) -> bool:
    return (
        tablet is not None
        and not tablet.is_revoked
        and tablet.session.state not in (VotingSession.State.CLOSED, VotingSession.State.RECONCILED)
    )


@never_cache
@ensure_csrf_cookie
@require_GET
def kiosk(request):
    """The kiosk shell once paired; the pairing form otherwise (prefilled from the QR code)."""
    tablet = _tablet(request)
    if _usable(tablet):
        return render(
            request,
            "pb_live/kiosk.html",
            {
                "tablet": tablet,
                "session": tablet.session,
                "process": tablet.session.process,
                "idle_seconds": live_setting("PB_LIVE_KIOSK_IDLE_SECONDS"),
            },
        )
    form = PairForm(initial={"code": request.GET.get("code", "")})
    return render(
        request,
        "pb_live/kiosk_pair.html",
        {"form": form, "stale": tablet is not None},
    )


@never_cache
@require_POST
def kiosk_pair(request):
    form = PairForm(request.POST)
    if form.is_valid():
        try:
            tablet, credential = services.tablet_pair(
                code=form.cleaned_data["code"],
                label=form.cleaned_data["label"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc, "code")
        else:
            response = redirect("pb_live:kiosk")
            set_device_cookie(
                response,
                live_setting("PB_LIVE_DEVICE_COOKIE"),
                credential,
                max_age=live_setting("PB_LIVE_DEVICE_COOKIE_AGE"),
            )
            return response
    return render(request, "pb_live/kiosk_pair.html", {"form": form}, status=400)


def _json_error(exc, status=None) -> JsonResponse:
    if isinstance(exc, PermissionDenied):
        return JsonResponse(
            {"ok": False, "code": "forbidden", "errors": [errors.message(exc)]}, status=403
        )
    code = getattr(exc, "code", None) or "invalid"
    if isinstance(exc, BallotInvalid):
        status = status or 400
    body = {"ok": False, "code": code, "errors": list(getattr(exc, "messages", [str(exc)]))}
    retry_after = getattr(exc, "retry_after", None)  # a back-off (budgeting/live/throttles.py)
    if retry_after:
        body["retry_after"] = retry_after
    response = JsonResponse(body, status=status or errors.http_status(exc, by_code=STATUS))
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _device_or_401(request):
    tablet = _tablet(request)
    if tablet is None:
        return None, JsonResponse(
            {"ok": False, "code": "unpaired", "errors": [_("This tablet is not paired.")]},
            status=401,
        )
    return tablet, None


class MalformedBody(Exception):
    def __init__(self, response: JsonResponse):
        self.response = response


def _parsed(body: bytes) -> dict:
    """The JSON object of a kiosk request, parsed with size, depth and number limits."""
    try:
        data = jsonlimits.loads(body or b"{}", max_depth=4)
    except jsonlimits.JsonRejected as exc:
        raise MalformedBody(
            JsonResponse({"ok": False, "code": exc.code, "errors": [exc.message]}, status=422)
        ) from None
    if not isinstance(data, dict):
        raise MalformedBody(
            JsonResponse(
                {"ok": False, "code": "invalid", "errors": [_("The request must be an object.")]},
                status=422,
            )
        )
    return data


def _cast(credential: str, body: bytes) -> JsonResponse:
    tablet = selectors.tablet_for_cast(credential)
    if tablet is None:
        return JsonResponse(
            {"ok": False, "code": "unpaired", "errors": [_("This tablet is not paired.")]},
            status=401,
        )
    try:
        data = _parsed(body)
    except MalformedBody as malformed:
        return malformed.response
    projects = data.get("projects")
    if not isinstance(projects, list) or not all(
        isinstance(p, int) and not isinstance(p, bool) for p in projects
    ):
        return JsonResponse(
            {"ok": False, "code": "bad_request", "errors": [_("Malformed ballot.")]}, status=422
        )
    try:
        result = services.kiosk_cast(
            tablet=tablet,
            token=str(data.get("token") or ""),
            project_ids=projects,
            idempotency_key=str(data.get("key") or ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        return _json_error(exc)
    return JsonResponse({"ok": True, "created": result.created})


def cast_response(request):
    """The cast's answer, for this view and for the ASGI fast path (live/fastpath.py)."""
    response = _cast(_credential(request), request.body)
    add_never_cache_headers(response)
    return response


@never_cache
@require_POST
async def kiosk_cast(request):
    """POST {"token", "key", "projects": [ids]} → {"ok": true, "created": bool}.

    Under ASGI the fast path (live/fastpath.py) answers this URL's POSTs with
    ``budgeting.live.fastpath.cast``; this view serves the other cases (the test client, WSGI)
    with the same code, its database work in the same pool.
    """
    return await in_vote_pool(cast_response)(request)


@never_cache
@require_POST
def kiosk_claim(request):
    """POST {"code"}: the short code a facilitator gave the voter → {"ok", "token"}."""
    tablet, error = _device_or_401(request)
    if error:
        return error
    try:
        code = str(_parsed(request.body).get("code", ""))
    except MalformedBody as malformed:
        return malformed.response
    try:
        token = services.token_claim(tablet=tablet, short_code=code, ip=client_ip(request))
    except (ValidationError, PermissionDenied) as exc:
        return _json_error(exc)
    return JsonResponse({"ok": True, "token": token})


@never_cache
@require_POST
def kiosk_void(request):
    """POST {"token"}: the kiosk reset after inactivity; its token is voided."""
    tablet, error = _device_or_401(request)
    if error:
        return error
    try:
        token = str(_parsed(request.body).get("token", ""))
    except MalformedBody as malformed:
        return malformed.response
    try:
        voided = services.kiosk_token_void(tablet=tablet, token=token)
    except (ValidationError, PermissionDenied) as exc:
        return _json_error(exc)
    return JsonResponse({"ok": True, "voided": voided})


@never_cache
@require_GET
def kiosk_ballot(request):
    """The ballot for the token waiting on this tablet (an HTML fragment for the kiosk)."""
    tablet = _tablet(request)
    if not _usable(tablet):
        return render(request, "pb_live/_kiosk_message.html", {"code": "unpaired"}, status=401)
    token = selectors.pending_token(tablet)
    if token is None:
        return render(request, "pb_live/_kiosk_message.html", {"code": "no_token"}, status=409)
    process = tablet.session.process
    try:
        limits = ballot_limits(process, token.district)
    except BallotInvalid:
        return render(request, "pb_live/_kiosk_message.html", {"code": "no_envelope"}, status=409)
    projects = pb_selectors.ballot_projects(process, token.district, shuffle_seed=token.nonce)
    return render(
        request,
        "pb_live/_kiosk_ballot.html",
        {
            "process": process,
            "projects": projects,
            "limits": limits,
            "limits_json": limits.as_dict(),
            "district": token.district,
            "selected": set(),
            "total": 0,
            "remaining": limits.budget,
            "cast_url": reverse("pb_live:kiosk-cast"),
        },
    )
