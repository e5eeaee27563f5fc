"""What other apps' pages show of implementation tracking, with one line in their templates.

{% load implementation_tags %}
{% implementation_timeline project %}        the public timeline (a project's or an accord's page)
{% implementation_states process as impls %}  one query for a list of projects
{% implementation_badge project impls %}      the status next to the "Funded" badge
"""

from django import template

from budgeting.models import Project
from citizens.rules import is_administrator, is_officer
from implementation import selectors
from implementation.models import Implementation, ImplementationSubscription
from implementation.rules import Action, policy

register = template.Library()


def _subject_filter(subject) -> dict:
    return {"project": subject} if isinstance(subject, Project) else {"accord": subject}


@register.inclusion_tag("implementation/includes/timeline.html", takes_context=True)
def implementation_timeline(context, subject):
    request = context.get("request")
    user = getattr(request, "user", None)
    impl = (
        Implementation.objects.filter(**_subject_filter(subject))
        .select_related("department", "project__process", "accord")
        .first()
    )
    data = {"impl": impl, "subject": subject, "request": request, "can_open": False}
    is_project = isinstance(subject, Project)
    data["is_project"] = is_project
    if impl is None:
        if user is not None and user.is_authenticated:
            if is_project:
                from implementation.services import is_funded

                data["can_open"] = (is_officer(user) or is_administrator(user)) and is_funded(
                    subject
                )
            else:
                from accords.rules import is_city_officer
                from implementation.services import IN_FORCE_ACCORD_STATES

                data["can_open"] = (
                    is_city_officer(user, subject) and subject.state in IN_FORCE_ACCORD_STATES
                )
        return data
    events, milestones = selectors.timeline(impl)
    data |= {
        "events": events,
        "milestones": milestones,
        "can_manage": bool(user and policy.allows(user, Action.EXPENSE, impl)),
        "subscribed": bool(
            is_project
            and user is not None
            and user.is_authenticated
            and ImplementationSubscription.objects.filter(user=user, project=subject).exists()
        ),
    }
    return data


@register.simple_tag
def implementation_states(process) -> dict:
    """{project id: implementation} for a process's projects (one query)."""
    return {
        impl.project_id: impl
        for impl in Implementation.objects.filter(project__process=process).only(
            "id", "project_id", "state", "progress"
        )
    }


@register.inclusion_tag("implementation/includes/badge.html")
def implementation_badge(project, states=None):
    if states is None:
        impl = Implementation.objects.filter(project=project).only("state", "progress").first()
    else:
        impl = states.get(project.pk)
    return {"impl": impl}
