"""The facilitator console: my sessions, running one, checking voters in, reconciling."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import AuditEntry
from budgeting.live import credentials, selectors, services, throttles
from budgeting.live.forms import CheckinForm, ReconcileForm, ReissueForm, SessionForm
from budgeting.live.models import BallotToken, Tablet, VotingSession
from budgeting.live.rules import Action, allowed, can_plan_session
from budgeting.live.views.common import qr_svg
from core import errors
from core.views import confirm, confirmed, id_param

S = VotingSession.State
# The console's buttons: each is a transition of VotingSession.machine (its target and its
# policy action come from there) and the service that fires it.
SESSION_SERVICES = {
    "open": services.session_open,
    "pause": services.session_pause,
    "resume": services.session_resume,
    "close": services.session_close,
}
PAIRING_KEY = "pb_live_pairing"
CHECKIN_KEY = "pb_live_checkin"


def _console_url(session) -> str:
    return reverse("pb_live:session-detail", args=[session.pk])


@login_required
def session_list(request):
    state = request.GET.get("state") or ""
    if state not in S.values:
        state = ""
    try:
        day = parse_date(request.GET.get("day") or "")
    except ValueError:  # well formed but not a date (2026-02-30)
        day = None
    sessions = selectors.session_list(request.user, state=state or None, day=day)
    page = Paginator(sessions, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "pb_live/session_list.html",
        {
            "page": page,
            "state": state,
            "states": S.choices,
            "day": day,
            "can_plan": can_plan_session(request.user),
        },
    )


@login_required
def session_form(request, pk=None):
    session = selectors.session_get(request.user, pk) if pk else None
    if not can_plan_session(request.user, session):
        raise PermissionDenied(_("Only city officers can plan sessions, before they open."))
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k] for k in ("place_name", "address", "district", "starts_at", "ends_at")}
        try:
            if session is None:
                session = services.session_create(
                    actor=request.user,
                    process=data["process"],
                    facilitators=data["facilitators"],
                    **fields,
                )
            else:
                session = services.session_update(
                    actor=request.user,
                    session=session,
                    facilitators=data["facilitators"],
                    **fields,
                )
        except (ValidationError, PermissionDenied) as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("The session was saved."))
            return redirect(_console_url(session))
    return render(
        request,
        "pb_live/session_form.html",
        {"form": form, "session": session},
        status=400 if form.errors else 200,
    )


def _pairing_for(request, session):
    """The code this facilitator drew, while it is the session's live code."""
    stored = request.session.get(PAIRING_KEY, {}).get(str(session.pk))
    if not stored or not session.pairing_active():
        return None
    if credentials.pairing_code_hash(stored["code"]) != session.pairing_code_hash:
        return None  # used by a tablet, or replaced by another facilitator's code
    kiosk_url = request.build_absolute_uri(reverse("pb_live:kiosk"))
    return {
        "code": stored["code"],
        "expires_at": session.pairing_code_expires_at,
        "kiosk_url": kiosk_url,
        "url": f"{kiosk_url}?code={stored['code']}",
    }


def _flags(user, session) -> dict:
    return {name.name.lower(): allowed(user, name, session) for name in Action}


@login_required
def session_detail(request, pk, checkin_form=None, status=200):
    session = selectors.session_get(request.user, pk)
    snapshot, _stale = selectors.session_snapshot(session.pk)
    tablets = snapshot.get("tablets", [])
    pairing = _pairing_for(request, session)
    last_checkin = request.session.pop(CHECKIN_KEY, None)
    if last_checkin and last_checkin.get("session") != session.pk:
        last_checkin = None
    audit = (
        AuditEntry.objects.for_object(session)
        .filter(action__startswith="pb_live.")
        .order_by("-at", "-id")[:8]
    )
    return render(
        request,
        "pb_live/session_detail.html",
        {
            "session": session,
            "process": session.process,
            "snapshot": snapshot,
            "can": _flags(request.user, session),
            "pairing": pairing,
            "qr": qr_svg(pairing["url"]) if pairing else "",
            "checkin_form": checkin_form or CheckinForm(tablets=tablets),
            "last_checkin": last_checkin,
            "audit": audit,
            "transitions": [
                (verb, VotingSession.machine[verb].target)
                for verb in SESSION_SERVICES
                if allowed(request.user, VotingSession.machine[verb].action, session)
            ],
            "tablet_states": dict(Tablet.State.choices),
            "code_alerts": snapshot.get("code_alerts")
            or throttles.claim_alerts(session_id=session.pk, tablets=tablets),
            "pairing_alerts": throttles.pairing_alerts()
            if allowed(request.user, Action.REVOKE, session)
            else [],
        },
        status=status,
    )


@login_required
@require_POST
def session_transition(request, pk):
    session = selectors.session_get(request.user, pk)
    verb = request.POST.get("to", "")
    if verb not in SESSION_SERVICES:
        messages.error(request, _("Unknown action."))
        return redirect(_console_url(session))
    service, target = SESSION_SERVICES[verb], VotingSession.machine[verb].target
    if verb == "close" and not confirmed(request):
        counts = selectors.token_counts(session.pk)
        return confirm(
            request,
            title=_("Close the session at %(place)s?") % {"place": session.place_name},
            question=_(
                "No more voters can be checked in and tablets stop. %(open)s token(s) still "
                "open will be voided. Then reconcile the counts and sign them off."
            )
            % {"open": counts["issued"]},
            button=_("Close the session"),
            cancel_url=_console_url(session),
            fields={"to": "close"},
            danger=True,
        )
    try:
        service(actor=request.user, session=session)
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("The session is now “%(state)s”.") % {"state": S(target).label})
        if verb == "close":
            return redirect("pb_live:session-reconcile", pk=session.pk)
    return redirect(_console_url(session))


@login_required
@require_POST
def pairing_issue(request, pk):
    session = selectors.session_get(request.user, pk)
    try:
        code, expires_at = services.pairing_code_issue(actor=request.user, session=session)
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
    else:
        codes = request.session.get(PAIRING_KEY, {})
        codes[str(session.pk)] = {"code": code}
        request.session[PAIRING_KEY] = codes
        messages.success(
            request,
            _("Pairing code ready until %(time)s. It pairs one tablet.")
            % {"time": timezone.localtime(expires_at).strftime("%H:%M")},
        )
    return redirect(_console_url(session) + "#pairing")


@login_required
@require_POST
def tablet_revoke(request, pk, tablet_pk):
    session = selectors.session_get(request.user, pk)
    tablet = get_object_or_404(Tablet, pk=tablet_pk, session=session)
    try:
        services.tablet_revoke(actor=request.user, session=session, tablet=tablet)
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("%(tablet)s was unpaired.") % {"tablet": tablet.label})
    return redirect(_console_url(session) + "#tablets")


@login_required
@require_POST
def codes_reset(request, pk):
    """Clear the back-off of wrong codes: a tablet's, the session's, or an address's."""
    session = selectors.session_get(request.user, pk)
    tablet = None
    if request.POST.get("tablet"):
        tablet = get_object_or_404(Tablet, pk=id_param(request.POST["tablet"]), session=session)
    ip = request.POST.get("ip", "").strip()[:64]
    try:
        services.codes_reset(actor=request.user, session=session, tablet=tablet, ip=ip)
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("The wrong codes were forgotten: the tablets may try again."))
    return redirect(_console_url(session) + "#code-alerts")


def _issued_message(issued) -> dict:
    return {
        "token": issued.token.pk,
        "tablet": issued.tablet.label if issued.tablet else "",
        "short_code": issued.short_code or "",
    }


def _tablet_choice(session, value) -> Tablet | None:
    if not value:
        return None
    return Tablet.objects.filter(pk=value, session=session, revoked_at__isnull=True).first()


@login_required
@require_POST
def checkin_create(request, pk):
    session = selectors.session_get(request.user, pk)
    snapshot, _stale = selectors.session_snapshot(session.pk)
    form = CheckinForm(request.POST, tablets=snapshot.get("tablets", []))
    if not form.is_valid():
        return session_detail(request, pk, checkin_form=form, status=400)
    data = form.cleaned_data
    try:
        result = services.checkin_create(
            actor=request.user,
            session=session,
            document_id=data["document_id"],
            birth_date=data["birth_date"],
            tablet=_tablet_choice(session, data["tablet"]),
        )
    except (ValidationError, PermissionDenied) as exc:
        errors.add_to_form(form, exc)
        return session_detail(request, pk, checkin_form=form, status=400)
    request.session[CHECKIN_KEY] = _issued_message(result.issued) | {
        "session": session.pk,
        "replaced_online": result.replaced_online,
    }
    return redirect(_console_url(session) + "#checkin")


@login_required
@require_POST
def token_void(request, pk, token_pk):
    session = selectors.session_get(request.user, pk)
    token = get_object_or_404(BallotToken, pk=token_pk, session=session)
    try:
        services.token_void(actor=request.user, session=session, token=token)
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("Token #%(id)s was voided.") % {"id": token.pk})
    return redirect(_console_url(session) + "#tokens")


@login_required
@require_POST
def token_reissue(request, pk, token_pk):
    session = selectors.session_get(request.user, pk)
    token = get_object_or_404(BallotToken, pk=token_pk, session=session)
    form = ReissueForm(request.POST)
    tablet = _tablet_choice(session, form.data.get("tablet"))
    try:
        issued = services.token_reissue(
            actor=request.user, session=session, token=token, tablet=tablet
        )
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
        return redirect(_console_url(session) + "#tokens")
    request.session[CHECKIN_KEY] = _issued_message(issued) | {
        "session": session.pk,
        "reissue_of": token.pk,
    }
    return redirect(_console_url(session) + "#checkin")


@login_required
def session_reconcile(request, pk):
    session = selectors.session_get(request.user, pk)
    if not allowed(request.user, Action.VIEW, session):
        raise PermissionDenied
    form = ReconcileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_reconcile(
                actor=request.user, session=session, note=form.cleaned_data["note"]
            )
        except (ValidationError, PermissionDenied) as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("The session is reconciled and signed off."))
            return redirect("pb_live:session-reconcile", pk=session.pk)
    counts = session.reconciliation or selectors.reconciliation(session)
    return render(
        request,
        "pb_live/session_reconcile.html",
        {
            "session": session,
            "process": session.process,
            "counts": counts,
            "form": form,
            "can_reconcile": allowed(request.user, Action.RECONCILE, session),
            "can_paper": allowed(request.user, Action.PAPER, session),
        },
        status=400 if form.errors else 200,
    )
