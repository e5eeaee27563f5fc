"""Pages of a meeting's records and of an assembly's formal opinions. Each asks
`assemblies.records.rules` and calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accords.diff import diff_lines
from assemblies.models import Assembly, Meeting, Registration
from assemblies.records import selectors, services
from assemblies.records.forms import DecisionForm, MinutesForm, OpinionForm, ReasonForm
from assemblies.records.models import Decision, Opinion
from assemblies.records.rules import (
    claim_in_consultation,
    is_meeting_runner,
    opinion_policy,
    records_policy,
)
from core import errors
from core.csv import stream
from core.views import confirm_then_act, id_param
from proposals.models import Claim
from proposals.views._helpers import paginate


def _meeting(pk) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("assembly", "chair"), pk=pk)


def _require(policy, user, action, obj):
    verdict = policy.allows(user, action, obj)
    if verdict.wrong_person:
        if not user.is_authenticated:
            raise Http404
        raise PermissionDenied(verdict.message)
    return verdict


def _person(user) -> str:
    return user.get_full_name()


# Attendance ---------------------------------------------------------------------------------


def meeting_attendance(request, pk):
    meeting = _meeting(pk)
    user = request.user
    if not records_policy.allows(user, "view_attendance", meeting):
        raise Http404
    can_mark = records_policy.allows(user, "mark_attendance", meeting)
    if request.method == "POST":
        if not user.is_authenticated:
            raise PermissionDenied
        registration = get_object_or_404(
            Registration, pk=id_param(request.POST.get("registration")), meeting=meeting
        )
        attended = request.POST.get("attended") == "1"
        try:
            services.attendance_mark_online(
                actor=user, registration=registration, attended=attended
            )
        except ValidationError as exc:
            errors.flash(request, exc)
        else:
            text = (
                _("%(name)s is marked as attending online.")
                if attended
                else _("%(name)s is no longer marked as attending online.")
            )
            messages.success(request, text % {"name": _person(registration.user)})
        return redirect("assembly_records:meeting-attendance", pk=meeting.pk)
    can_list = records_policy.allows(user, "view_attendees", meeting)
    page = query = None
    if can_list:
        page, query = paginate(request, selectors.attendance_list(meeting), per_page=50)
    return render(
        request,
        "assembly_records/meeting_attendance.html",
        {
            "meeting": meeting,
            "counts": selectors.attendance_counts(meeting),
            "page": page,
            "query": query,
            "can_mark": can_mark,
        },
    )


# Minutes ------------------------------------------------------------------------------------


def meeting_minutes(request, pk):
    """The minutes: published ones for everyone; drafts, history and tools for those who
    write them."""
    meeting = _meeting(pk)
    user = request.user
    if not records_policy.allows(user, "view_minutes", meeting):
        raise Http404
    versions = list(selectors.minutes_versions(meeting))
    return render(
        request,
        "assembly_records/meeting_minutes.html",
        {
            "meeting": meeting,
            "minutes": versions[0] if versions else None,
            "versions": versions,
            "decisions": selectors.meeting_decisions(meeting),
            "counts": selectors.attendance_counts(meeting),
            "can": {
                action: records_policy.allows(user, action, meeting)
                for action in ("draft_minutes", "record_decision", "publish_minutes")
            },
        },
    )


@login_required
def minutes_edit(request, pk):
    meeting = _meeting(pk)
    verdict = _require(records_policy, request.user, "draft_minutes", meeting)
    if not verdict:
        messages.error(request, verdict.message)
        return redirect("assembly_records:meeting-minutes", pk=meeting.pk)
    latest = selectors.minutes_latest(meeting)
    form = MinutesForm(request.POST or None, initial={"text": latest.text if latest else ""})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.minutes_save(
                actor=request.user, meeting=meeting, **form.cleaned_data
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(
                request, _("Version %(n)s of the minutes is saved.") % {"n": version.number}
            )
            return redirect("assembly_records:meeting-minutes", pk=meeting.pk)
    return render(
        request,
        "assembly_records/minutes_form.html",
        {"meeting": meeting, "form": form, "latest": latest},
        status=errors.form_status(form),
    )


def minutes_version(request, pk, number):
    """One version, compared with the one before it (or with `?compare=N`)."""
    meeting = _meeting(pk)
    if not records_policy.allows(request.user, "view_minutes", meeting):
        raise Http404
    versions = {v.number: v for v in selectors.minutes_versions(meeting)}
    version = versions.get(number)
    if version is None:
        raise Http404
    compare = id_param(request.GET.get("compare"))
    other = versions.get(compare) if compare is not None else versions.get(number - 1)
    rows = diff_lines(other.text.splitlines(), version.text.splitlines()) if other else []
    return render(
        request,
        "assembly_records/minutes_version.html",
        {
            "meeting": meeting,
            "version": version,
            "other": other,
            "rows": rows,
            "versions": list(versions.values()),
        },
    )


@login_required
def minutes_publish(request, pk):
    meeting = _meeting(pk)
    verdict = _require(records_policy, request.user, "publish_minutes", meeting)
    back = meeting_url = _minutes_url(meeting)
    latest = selectors.minutes_latest(meeting)
    return confirm_then_act(
        request,
        act=lambda data: services.minutes_publish(actor=request.user, meeting=meeting),
        success=_("The minutes are published."),
        next_url=back,
        title=_("Publish the minutes"),
        question=_(
            "Publish version %(n)s of the minutes with the decisions? Published minutes are "
            "public and can no longer be changed."
        )
        % {"n": latest.number if latest else 0},
        button=_("Publish the minutes"),
        cancel_url=meeting_url,
        summary=str(meeting),
        refusal="" if verdict else verdict.message,
    )


def _minutes_url(meeting) -> str:
    from django.urls import reverse

    return reverse("assembly_records:meeting-minutes", args=[meeting.pk])


# Decisions ----------------------------------------------------------------------------------


@login_required
def decision_form(request, pk, decision_pk=None):
    meeting = _meeting(pk)
    decision = get_object_or_404(Decision, pk=decision_pk, meeting=meeting) if decision_pk else None
    verdict = _require(records_policy, request.user, "record_decision", meeting)
    if not verdict:
        messages.error(request, verdict.message)
        return redirect(_minutes_url(meeting))
    initial = {}
    if decision is not None:
        initial = {
            "text": decision.text,
            "outcome": decision.outcome,
            "agenda_item": decision.agenda_item_id,
            "votes_summary": decision.votes_summary,
        }
    form = DecisionForm(request.POST or None, meeting=meeting, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if decision is None:
                services.decision_add(actor=request.user, meeting=meeting, **form.cleaned_data)
            else:
                services.decision_change(actor=request.user, decision=decision, **form.cleaned_data)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect(_minutes_url(meeting))
    return render(
        request,
        "assembly_records/decision_form.html",
        {"meeting": meeting, "form": form, "decision": decision},
        status=errors.form_status(form),
    )


@login_required
def decision_delete(request, pk, decision_pk):
    meeting = _meeting(pk)
    decision = get_object_or_404(Decision, pk=decision_pk, meeting=meeting)
    verdict = _require(records_policy, request.user, "record_decision", meeting)
    back = _minutes_url(meeting)
    return confirm_then_act(
        request,
        act=lambda data: services.decision_delete(actor=request.user, decision=decision),
        success=_("The decision is removed."),
        next_url=back,
        title=_("Remove the decision"),
        question=_("Remove this decision from the minutes?"),
        button=_("Remove"),
        danger=True,
        cancel_url=back,
        quote=decision.text,
        refusal="" if verdict else verdict.message,
    )


# Assembly: decisions, opinions, open data ----------------------------------------------------


def _assembly(slug) -> Assembly:
    return get_object_or_404(Assembly, slug=slug)


def assembly_records(request, slug):
    """Every decision and formal opinion of an assembly (the assembly page shows the latest)."""
    assembly = _assembly(slug)
    decisions, query = paginate(request, selectors.public_decisions(assembly), per_page=30)
    return render(
        request,
        "assembly_records/assembly_records.html",
        {
            "assembly": assembly,
            "page": decisions,
            "query": query,
            "opinions": selectors.assembly_opinions(request.user, assembly)[:50],
            "can_draft": assembly.pk in _coordinated(request.user),
        },
    )


def _coordinated(user):
    from assemblies.records.rules import coordinated_assemblies

    return coordinated_assemblies(user)


CSV_FIELDS = [
    "meeting",
    "meeting_date",
    "position",
    "agenda_item",
    "decision",
    "outcome",
    "votes",
    "motion_id",
    "minutes_url",
]


def decisions_csv(request, slug):
    from django.http import StreamingHttpResponse

    assembly = _assembly(slug)
    base = request.build_absolute_uri("/").rstrip("/")

    def rows():
        for d in selectors.public_decisions(assembly).iterator(chunk_size=500):
            yield {
                "meeting": d.meeting.title,
                "meeting_date": d.meeting.starts_at.date().isoformat(),
                "position": d.position,
                "agenda_item": d.agenda_item.title if d.agenda_item_id else "",
                "decision": d.text,
                "outcome": d.outcome,
                "votes": d.votes_summary,
                "motion_id": d.motion_id or "",
                "minutes_url": base + _minutes_url(d.meeting),
            }

    response = StreamingHttpResponse(stream(CSV_FIELDS, rows()), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="decisions-{assembly.slug}.csv"'
    return response


# Formal opinions ----------------------------------------------------------------------------


def _opinion(pk) -> Opinion:
    return get_object_or_404(
        Opinion.objects.select_related("assembly", "claim", "decision__meeting", "motion__meeting"),
        pk=pk,
    )


def opinion_detail(request, pk):
    """The opinion, the motions that put it to the vote (their meeting, outcome and tally),
    and, for a draft, where it can be put to the vote: it is adopted only by a motion."""
    opinion = _opinion(pk)
    user = request.user
    if not opinion_policy.allows(user, "view", opinion):
        raise Http404
    motions = list(selectors.opinion_motions(opinion))
    pending = next((m for m in motions if m.is_open or m.is_draft), None)
    meetings = []
    if opinion.is_draft and pending is None and opinion_policy.can(user, "edit", opinion):
        meetings = [
            (meeting, is_meeting_runner(user, meeting))
            for meeting in selectors.meetings_to_vote(opinion)[:10]
        ]
    return render(
        request,
        "assembly_records/opinion_detail.html",
        {
            "opinion": opinion,
            "claim": opinion.claim,
            "motions": motions,
            "pending": pending,
            "meetings": meetings,
            "in_consultation": claim_in_consultation(opinion.claim),
            "can": {a: opinion_policy.allows(user, a, opinion) for a in ("edit", "withdraw")},
        },
    )


@login_required
def opinion_new(request, slug):
    assembly = _assembly(slug)
    probe = Opinion(assembly=assembly, claim=Claim(state=Claim.State.CONSULTATION))
    verdict = opinion_policy.allows(request.user, "create", probe)
    if verdict.wrong_person:
        raise PermissionDenied(verdict.message)
    initial = {}
    claim_id = id_param(request.GET.get("claim"))
    if claim_id is not None:
        initial["claim"] = claim_id
    form = OpinionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            opinion = services.opinion_draft(
                actor=request.user, assembly=assembly, **form.cleaned_data
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc, field="claim")
        else:
            messages.success(
                request,
                _(
                    "The draft opinion is saved. The assembly adopts it by a motion: put it to "
                    "the vote in one of its meetings."
                ),
            )
            return redirect(opinion)
    return render(
        request,
        "assembly_records/opinion_form.html",
        {"assembly": assembly, "form": form, "opinion": None},
        status=errors.form_status(form),
    )


@login_required
def opinion_edit(request, pk):
    opinion = _opinion(pk)
    verdict = _require(opinion_policy, request.user, "edit", opinion)
    if not verdict:
        messages.error(request, verdict.message)
        return redirect(opinion)
    form = OpinionForm(request.POST or None, with_claim=False, initial={"text": opinion.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.opinion_edit(
                actor=request.user, opinion=opinion, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("The draft opinion is saved."))
            return redirect(opinion)
    return render(
        request,
        "assembly_records/opinion_form.html",
        {"assembly": opinion.assembly, "form": form, "opinion": opinion},
        status=errors.form_status(form),
    )


@login_required
def opinion_withdraw(request, pk):
    opinion = _opinion(pk)
    verdict = _require(opinion_policy, request.user, "withdraw", opinion)
    form = ReasonForm(request.POST or None)
    return confirm_then_act(
        request,
        form=form,
        act=lambda data: services.opinion_withdraw(
            actor=request.user, opinion=opinion, reason=data["reason"]
        ),
        success=_("The opinion is withdrawn."),
        next_url=opinion.get_absolute_url(),
        title=_("Withdraw the formal opinion"),
        question=_("Withdraw this opinion? The claim's page will show it as withdrawn."),
        button=_("Withdraw the opinion"),
        danger=True,
        cancel_url=opinion.get_absolute_url(),
        quote=opinion.text,
        refusal="" if verdict else verdict.message,
    )
