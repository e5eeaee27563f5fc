"""The projector view (public) and paper-ballot entry (officers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from budgeting import selectors as pb_selectors
from budgeting.live import broadcast, selectors, services
from budgeting.live.forms import PaperBallotForm
from budgeting.live.rules import Action, allowed
from budgeting.models import Process
from budgeting.validation import BallotInvalid, ballot_limits
from citizens.rules import is_officer


def live_snapshot(process: Process) -> tuple[int, dict]:
    """The last published snapshot of the process, or a fresh one (first viewer)."""
    last = broadcast.last_snapshot(broadcast.PROCESS, process.pk)
    if last is not None:
        return last
    data, _stale = broadcast.snapshot_data(broadcast.PROCESS, process.pk)
    return 0, data


def projector(request, pk):
    """Big, high-contrast turnout (and live results if the process shows them) for a room."""
    process = pb_selectors.process_get(request.user, pk)
    if process.live_results == Process.LiveResults.NONE and not is_officer(request.user):
        raise Http404
    seq, data = live_snapshot(process)
    return render(
        request,
        "pb_live/projector.html",
        {"process": process, "snapshot": data, "seq": seq},
    )


@login_required
def paper_ballot(request, pk):
    session = selectors.session_get(request.user, pk)
    if not allowed(request.user, Action.PAPER, session):
        raise PermissionDenied(
            _("Paper ballots are entered by officers, until the session is signed off.")
        )
    process = session.process
    districts = [e.district for e in process.envelopes.all()]
    district = request.POST.get("district") or request.GET.get("district") or ""
    if not district and session.district in districts:
        district = session.district
    form = PaperBallotForm(
        request.POST or None, districts=districts, initial={"district": district}
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.paper_ballot_enter(
                actor=request.user,
                session=session,
                project_ids=request.POST.getlist("projects"),
                idempotency_key=form.cleaned_data["key"],
                district=form.cleaned_data.get("district", ""),
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc)
        else:
            if result.created:
                messages.success(request, _("Paper ballot recorded."))
            else:
                messages.info(request, _("This paper ballot was already recorded."))
            url = request.path + (f"?district={district}" if districts else "")
            return redirect(url)
    limits = None
    if not districts or district in districts:
        try:
            limits = ballot_limits(process, district if districts else "")
        except BallotInvalid:
            limits = None
    projects = pb_selectors.ballot_projects(process, district if districts else "")
    selected = {int(i) for i in request.POST.getlist("projects") if str(i).isdecimal()}
    total = sum(p.cost or 0 for p in projects if p.pk in selected)
    return render(
        request,
        "pb_live/paper_ballot.html",
        {
            "session": session,
            "process": process,
            "form": form,
            "districts": districts,
            "district": district,
            "projects": projects if limits else [],
            "limits": limits,
            "limits_json": limits.as_dict() if limits else None,
            "selected": selected,
            "total": total,
            "remaining": (limits.budget - total) if limits else 0,
            "counts": selectors.reconciliation(session),
        },
        status=400 if form.errors else 200,
    )
