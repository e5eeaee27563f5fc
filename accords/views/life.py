"""Life after signing: suspension, termination, archive, extension, renewal, support items,
activity reports and disputes."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accords import services
from accords.forms import (
    DisputeCloseForm,
    DisputeForm,
    MemberForm,
    NewTermForm,
    NoteForm,
    ReportForm,
    SettlementForm,
    SupportUpdateForm,
)
from accords.models import AccordConfig, ActivityReport, Dispute, SupportItem
from accords.rules import DISPUTES, Action, side_of
from accords.services import _common as common
from accords.views._helpers import accord_or_404, require, run
from accords.views.workspace import _confirm
from core import errors
from core.policy import allows


@login_required
def accord_suspend(request, pk: int):
    return _confirm(
        request,
        pk,
        action=Action.SUSPEND,
        service=lambda a, d: services.accord_suspend(
            actor=request.user, accord=a, reason=d["reason"]
        ),
        template_title=_("Suspend this accord"),
        success=_("The accord is suspended."),
        button=_("Suspend the accord"),
    )


@login_required
def accord_resume(request, pk: int):
    return _confirm(
        request,
        pk,
        action=Action.RESUME,
        service=lambda a, d: services.accord_resume(
            actor=request.user, accord=a, note=d.get("note", "")
        ),
        template_title=_("Resume this accord"),
        success=_("The accord is active again."),
        button=_("Resume the accord"),
        danger=False,
        form_class=NoteForm,
    )


@login_required
def accord_terminate(request, pk: int):
    return _confirm(
        request,
        pk,
        action=Action.TERMINATE,
        service=lambda a, d: services.accord_terminate(
            actor=request.user, accord=a, reason=d["reason"]
        ),
        template_title=_("Terminate this accord"),
        success=_("The accord is terminated."),
        button=_("Terminate the accord"),
        to_detail=True,
    )


@login_required
def accord_archive(request, pk: int):
    return _confirm(
        request,
        pk,
        action=Action.ARCHIVE,
        service=lambda a, d: services.accord_archive(actor=request.user, accord=a),
        template_title=_("Archive this accord"),
        success=_("The accord is archived."),
        button=_("Archive"),
        danger=False,
        form_class=NoteForm,
        to_detail=True,
    )


def _new_term(request, pk: int, *, action, service, title, success):
    accord = accord_or_404(pk)
    require(request.user, action, accord)
    form = NewTermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = service(
                actor=request.user,
                accord=accord,
                end_date=form.cleaned_data["end_date"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, success % {"n": version.number})
            return redirect(accord.workspace_url() + f"#v{version.number}")
    current = accord.current_version
    start = (
        current.start_date
        if action == Action.EXTEND
        else (current.end_date + dt.timedelta(days=1) if current else None)
    )
    return render(
        request,
        "accords/accord_new_term.html",
        {
            "accord": accord,
            "form": form,
            "title": title,
            "start": start,
            "limit": common.end_limit(accord, start) if start else None,
            "allowed": allows(request.user, action, accord),
        },
        status=400 if form.errors else 200,
    )


@login_required
def accord_extend(request, pk: int):
    return _new_term(
        request,
        pk,
        action=Action.EXTEND,
        service=services.accord_extend,
        title=_("Ask for an extension"),
        success=_("Version %(n)s with the new end date is proposed to the other side."),
    )


@login_required
def accord_renew(request, pk: int):
    return _new_term(
        request,
        pk,
        action=Action.RENEW,
        service=services.accord_renew,
        title=_("Propose a renewal"),
        success=_("Version %(n)s with the new term is proposed to the other side."),
    )


@login_required
@require_POST
def support_update(request, pk: int, item_pk: int):
    accord = accord_or_404(pk)
    require(request.user, Action.TRACK_SUPPORT, accord)
    item = get_object_or_404(SupportItem, pk=item_pk, version__accord=accord)
    form = SupportUpdateForm(request.POST)
    next_url = accord.workspace_url() + "#support"
    if not form.is_valid():
        messages.error(request, _("Give a valid date."))
        return redirect(next_url)
    data = form.cleaned_data
    return run(
        request,
        lambda: services.support_item_update(
            actor=request.user,
            item=item,
            status=data["status"],
            on=data["on"],
            note=data["note"],
        ),
        success=_("Support item updated."),
        next_url=next_url,
    )


# Reports -----------------------------------------------------------------------------------


@login_required
def report_create(request, pk: int):
    accord = accord_or_404(pk)
    require(request.user, Action.REPORT, accord)
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_submit(
                actor=request.user,
                accord=accord,
                period_start=data["period_start"],
                period_end=data["period_end"],
                activities=data["activities"],
                participants=data["participants"],
                resources_used=data["resources_used"],
                photos=data["photos"],
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Report filed. The city has been asked to acknowledge it."))
            return redirect(report.get_absolute_url())
    return render(
        request,
        "accords/report_form.html",
        {"accord": accord, "form": form, "allowed": allows(request.user, Action.REPORT, accord)},
        status=400 if form.errors else 200,
    )


@login_required
def report_detail(request, pk: int, report_pk: int):
    accord = accord_or_404(pk)
    report = get_object_or_404(
        ActivityReport.objects.prefetch_related("photos").select_related("submitted_by"),
        pk=report_pk,
        accord=accord,
    )
    report.accord = accord
    if not allows(request.user, Action.VIEW, report):
        raise Http404
    form = NoteForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Action.ACKNOWLEDGE, report)
        if form.is_valid():
            try:
                services.report_acknowledge(
                    actor=request.user, report=report, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                errors.flash(request, exc)
            else:
                messages.success(request, _("Report acknowledged."))
            return redirect(report.get_absolute_url())
    return render(
        request,
        "accords/report_detail.html",
        {
            "accord": accord,
            "report": report,
            "form": form,
            "can_acknowledge": bool(allows(request.user, Action.ACKNOWLEDGE, report)),
        },
    )


# Disputes ----------------------------------------------------------------------------------


@login_required
def dispute_create(request, pk: int):
    accord = accord_or_404(pk)
    require(request.user, Action.OPEN_DISPUTE, accord)
    form = DisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dispute = services.dispute_open(
                actor=request.user, accord=accord, description=form.cleaned_data["description"]
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Dispute opened. Name your member of the committee."))
            return redirect(dispute.get_absolute_url())
    return render(
        request,
        "accords/dispute_form.html",
        {
            "accord": accord,
            "form": form,
            "allowed": allows(request.user, Action.OPEN_DISPUTE, accord),
            "days": AccordConfig.get_solo().settlement_days,
        },
        status=400 if form.errors else 200,
    )


DISPUTE_STEPS = {
    "member": (
        MemberForm,
        lambda u, d, data: services.dispute_name_member(actor=u, dispute=d, name=data["name"]),
        _("Committee member named."),
    ),
    "third": (
        MemberForm,
        lambda u, d, data: services.dispute_propose_third_member(
            actor=u, dispute=d, name=data["name"]
        ),
        _("Third member proposed to the other side."),
    ),
    "agree_third": (
        None,
        lambda u, d, data: services.dispute_agree_third_member(actor=u, dispute=d),
        _("Third member agreed."),
    ),
    "settlement": (
        SettlementForm,
        lambda u, d, data: services.dispute_record_settlement(
            actor=u, dispute=d, settlement=data["settlement"]
        ),
        _("Settlement recorded."),
    ),
    "close": (
        DisputeCloseForm,
        lambda u, d, data: services.dispute_close(
            actor=u, dispute=d, outcome=data["outcome"], text=data["text"]
        ),
        _("Dispute closed."),
    ),
}


@login_required
def dispute_detail(request, pk: int, dispute_pk: int):
    accord = accord_or_404(pk)
    dispute = get_object_or_404(Dispute, pk=dispute_pk, accord=accord)
    dispute.accord = accord
    require(request.user, Action.VIEW, dispute)
    forms = {
        "member": MemberForm(prefix="member"),
        "third": MemberForm(prefix="third"),
        "settlement": SettlementForm(prefix="settlement"),
        "close": DisputeCloseForm(prefix="close"),
    }
    if request.method == "POST":
        step = request.POST.get("step")
        if step not in DISPUTE_STEPS:
            messages.error(request, _("Unknown action."))
            return redirect(dispute.get_absolute_url())
        form_class, call, success = DISPUTE_STEPS[step]
        form = form_class(request.POST, prefix=step) if form_class else None
        if form is None or form.is_valid():
            try:
                call(request.user, dispute, form.cleaned_data if form else {})
            except ValidationError as exc:
                errors.flash(request, exc)
            else:
                messages.success(request, success)
                return redirect(dispute.get_absolute_url())
        if form is not None:
            forms[step] = form
        dispute.refresh_from_db()
    return render(
        request,
        "accords/dispute_detail.html",
        {
            "accord": accord,
            "dispute": dispute,
            "forms": forms,
            "my_side": side_of(request.user, accord),
            "actions": DISPUTES.actions(request.user, dispute),
        },
        status=400 if request.method == "POST" else 200,
    )
