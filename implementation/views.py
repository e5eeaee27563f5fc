"""Pages of implementation tracking: the public page per PB process (list, map, CSV) and the
officers' workspace (update a status, progress, milestones, photos, expenses)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgeting import selectors as pb_selectors
from budgeting.models import Process, Project
from citizens.rules import is_administrator, is_officer
from core import csv as safe_csv
from core import errors
from core.views import confirm_then_act
from implementation import selectors, services
from implementation.forms import (
    CancelForm,
    DepartmentForm,
    ExpenseForm,
    MilestoneForm,
    PhotoForm,
    ProgressForm,
)
from implementation.models import Implementation, ImplementationState, Milestone, MilestonePhoto
from implementation.rules import Action, policy

FINISHED = (Process.State.RESULTS, Process.State.IMPLEMENTATION)


def _filters(request, process):
    state = request.GET.get("state") or ""
    if state not in (*ImplementationState.values, selectors.NOT_TRACKED):
        state = ""
    district = request.GET.get("district") or ""
    return state, district


# Public -------------------------------------------------------------------------------------


def process_implementation(request, pk):
    """Every funded project of a process with its status and progress, filterable, on a map."""
    process = pb_selectors.process_get(request.user, pk)
    state, district = _filters(request, process)
    projects = selectors.funded_projects(process, state=state, district=district)
    page = Paginator(projects, 25).get_page(request.GET.get("page"))
    districts = sorted(
        {e.district for e in process.envelopes.all()}
        | set(process.projects.exclude(district="").values_list("district", flat=True))
    )
    query = urlencode({k: v for k, v in {"state": state, "district": district}.items() if v})
    return render(
        request,
        "implementation/process_implementation.html",
        {
            "process": process,
            "published": process.state in FINISHED,
            "page": page,
            "query": query,
            "state": state,
            "district": district,
            "districts": districts,
            "states": [*ImplementationState.choices, (selectors.NOT_TRACKED, _("Not tracked yet"))],
            "map_points": selectors.map_points(projects),
            "csv_url": reverse("implementation:process-csv", args=[process.pk])
            + (f"?{query}" if query else ""),
        },
    )


CSV_FIELDS = [
    "project_id",
    "title",
    "district",
    "status",
    "progress",
    "department",
    "currency",
    "budgeted_cost",
    "spent",
    "milestones",
    "milestones_reached",
    "latitude",
    "longitude",
    "updated_at",
]


def process_implementation_csv(request, pk):
    """The same list as CSV (one row per funded project; formulas defused by core.csv)."""
    process = pb_selectors.process_get(request.user, pk)
    state, district = _filters(request, process)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="implementation-{process.pk}.csv"'
    out = safe_csv.dict_writer(response, CSV_FIELDS)
    out.writeheader()
    for project in selectors.funded_projects(process, state=state, district=district):
        impl = selectors.implementation_of(project)
        out.writerow(
            {
                "project_id": project.public_id,
                "title": project.title,
                "district": project.district,
                "status": impl.state if impl else selectors.NOT_TRACKED,
                "progress": impl.progress if impl else 0,
                "department": impl.department.name if impl and impl.department else "",
                "currency": process.currency,
                "budgeted_cost": impl.budgeted_cost if impl else project.cost,
                "spent": impl.spent if impl else 0,
                "milestones": project.milestones_total,
                "milestones_reached": project.milestones_done,
                "latitude": impl.latitude if impl else "",
                "longitude": impl.longitude if impl else "",
                "updated_at": impl.updated_at.isoformat() if impl else "",
            }
        )
    return response


CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def photo(request, pk):
    """A milestone photo (public, like the timeline that shows it); re-encoded on upload."""
    item = get_object_or_404(MilestonePhoto, pk=pk)
    extension = item.image.name.rsplit(".", 1)[-1].lower()
    try:
        handle = item.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=CONTENT_TYPES.get(extension, "image/png"))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_required
@require_POST
def subscription_cancel(request, project_pk):
    """A voter stops hearing about a project they voted for."""
    project = get_object_or_404(Project, pk=project_pk)
    services.subscription_cancel(user=request.user, project=project)
    messages.success(request, _("You will no longer be told how this project progresses."))
    return redirect(project.get_absolute_url())


# Officers -----------------------------------------------------------------------------------


def _staff_only(user):
    if not (is_officer(user) or is_administrator(user)):
        raise PermissionDenied(_("Only city officers can do this."))


@login_required
def workspace_list(request):
    """The implementations this officer may update, by status."""
    _staff_only(request.user)
    state = request.GET.get("state") or ""
    if state not in ImplementationState.values:
        state = ""
    qs = policy.queryset(request.user, Action.EXPENSE).select_related(
        "project__process", "accord", "department"
    )
    if state:
        qs = qs.filter(state=state)
    overdue = request.GET.get("overdue") == "1"
    if overdue:
        qs = selectors.overdue_filter(qs)
    page = Paginator(qs.order_by("state", "-updated_at", "id"), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "implementation/workspace_list.html",
        {
            "page": page,
            "state": state,
            "states": ImplementationState.choices,
            "overdue": overdue,
            "query": urlencode(
                {k: v for k, v in {"state": state, "overdue": "1" if overdue else ""}.items() if v}
            ),
        },
    )


def _impl(pk) -> Implementation:
    return get_object_or_404(
        Implementation.objects.select_related("project__process", "accord", "department"), pk=pk
    )


FORMS = {
    "progress": ProgressForm,
    "department": DepartmentForm,
    "milestone": MilestoneForm,
    "expense": ExpenseForm,
}


@login_required
def manage(request, pk):
    """One implementation's screen: status, progress, milestones with photos, expenses."""
    _staff_only(request.user)
    impl = _impl(pk)
    user = request.user
    url = reverse("implementation:manage", args=[impl.pk])
    forms = {
        "progress": ProgressForm(
            initial={
                "progress": impl.progress,
                "notes": impl.notes,
                "latitude": impl.latitude,
                "longitude": impl.longitude,
            }
        ),
        "department": DepartmentForm(initial={"department": impl.department_id}),
        "milestone": MilestoneForm(),
        "expense": ExpenseForm(),
    }
    status = 200
    if request.method == "POST":
        which = request.POST.get("form", "")
        if which not in FORMS:
            raise Http404
        form = FORMS[which](request.POST, request.FILES)
        forms[which] = form
        if form.is_valid():
            try:
                _act(user, impl, which, form.cleaned_data)
            except ValidationError as exc:
                errors.add_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(url)
        status = errors.form_status(form)
    milestones = list(impl.milestones.prefetch_related("photos"))
    return render(
        request,
        "implementation/manage.html",
        {
            "impl": impl,
            "forms": forms,
            "milestones": milestones,
            "expenses": list(impl.expenses.all()),
            "photo_form": PhotoForm(),
            "actions": policy.actions(user, impl),
        },
        status=status,
    )


def _act(user, impl, which: str, data: dict) -> None:
    if which == "progress":
        services.implementation_update(
            actor=user,
            implementation=impl,
            progress=data["progress"],
            notes=data["notes"],
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )
    elif which == "department":
        services.implementation_assign(
            actor=user, implementation=impl, department=data["department"]
        )
    elif which == "milestone":
        photos = [(data["photo"], data["alt_text"])] if data.get("photo") else []
        services.milestone_add(
            actor=user,
            implementation=impl,
            title=data["title"],
            due_date=data["due_date"],
            note=data["note"],
            done=data["done"],
            photos=photos,
        )
    elif which == "expense":
        services.expense_add(
            actor=user,
            implementation=impl,
            amount=data["amount"],
            spent_on=data["spent_on"],
            note=data["note"],
        )


@login_required
@require_POST
def transition(request, pk, name):
    """Start, complete or reopen (cancelling asks first: `cancel`)."""
    _staff_only(request.user)
    impl = _impl(pk)
    if name not in ("start", "complete", "reopen"):
        raise Http404
    try:
        services.implementation_transition(actor=request.user, implementation=impl, name=name)
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("The status was changed."))
    return redirect("implementation:manage", pk=impl.pk)


@login_required
def cancel(request, pk):
    _staff_only(request.user)
    impl = _impl(pk)
    back = reverse("implementation:manage", args=[impl.pk])
    verdict = policy.allows(request.user, Action.CANCEL, impl)
    if verdict.wrong_person:
        raise PermissionDenied(verdict.reason)
    form = CancelForm(request.POST or None)
    return confirm_then_act(
        request,
        act=lambda data: services.implementation_transition(
            actor=request.user, implementation=impl, name="cancel", reason=data["reason"]
        ),
        success=_("The implementation was cancelled."),
        next_url=back,
        form=form,
        title=_("Cancel the implementation of “%(title)s”?") % {"title": impl.subject},
        question=_(
            "The public timeline will show it as cancelled, with your reasons. A cancelled "
            "implementation cannot be resumed."
        ),
        button=_("Cancel the implementation"),
        cancel_url=back,
        cancel_label=_("Keep it"),
        danger=True,
        refusal="" if verdict else verdict.reason,
    )


def _milestone(pk, milestone_pk) -> Milestone:
    # implementation__pk, not implementation_id: an id past the database's integers finds
    # nothing (404) instead of overflowing the driver (500).
    return get_object_or_404(
        Milestone.objects.select_related("implementation"), pk=milestone_pk, implementation__pk=pk
    )


@login_required
@require_POST
def milestone_done(request, pk, milestone_pk):
    _staff_only(request.user)
    milestone = _milestone(pk, milestone_pk)
    try:
        services.milestone_complete(actor=request.user, milestone=milestone)
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("Milestone reached."))
    return redirect("implementation:manage", pk=pk)


@login_required
def photo_add(request, pk, milestone_pk):
    _staff_only(request.user)
    milestone = _milestone(pk, milestone_pk)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.photo_add(
                actor=request.user,
                milestone=milestone,
                upload=form.cleaned_data["photo"],
                alt_text=form.cleaned_data["alt_text"],
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc, "photo")
        else:
            messages.success(request, _("The photo was added."))
            return redirect("implementation:manage", pk=pk)
    return render(
        request,
        "implementation/photo_form.html",
        {"impl": milestone.implementation, "milestone": milestone, "form": form},
        status=errors.form_status(form) if request.method == "POST" else 200,
    )


@login_required
@require_POST
def open_project(request, project_pk):
    project = get_object_or_404(
        Project.objects.select_related("process", "resource"), pk=project_pk
    )
    try:
        impl = services.implementation_open_project(actor=request.user, project=project)
    except ValidationError as exc:
        errors.flash(request, exc)
        return redirect(project.get_absolute_url())
    return redirect("implementation:manage", pk=impl.pk)


@login_required
@require_POST
def open_accord(request, accord_pk):
    from accords.models import Accord

    accord = get_object_or_404(Accord, pk=accord_pk)
    try:
        impl = services.implementation_open_accord(actor=request.user, accord=accord)
    except ValidationError as exc:
        errors.flash(request, exc)
        return redirect(accord.get_absolute_url())
    return redirect("implementation:manage", pk=impl.pk)
