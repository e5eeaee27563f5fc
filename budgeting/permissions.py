"""Who may do what in participatory budgeting, in one place.

Each rule answers "may this user do X to this object?"; the queryset twins below answer
"which objects may this user see?". Services check the rules; views only use them to decide
what to show. ``allowed(user, action, obj)`` dispatches on the Action constants, which the
permission-matrix test walks through for every role and process state.
"""

from enum import StrEnum

from django.db.models import Q, QuerySet

from budgeting.models import Process, Project, Result
from citizens.rules import PERM_FACILITATE, PERM_OFFICER, is_officer, is_verified_resident

# Django permission names this app relies on ("app_label.codename"); a test checks each exists.
# Officers manage processes, review projects and publish results; facilitators run sessions.
PERM_MANAGE = PERM_OFFICER
PERM_RUN_SESSIONS = PERM_FACILITATE
ALL_PERMISSIONS = [PERM_MANAGE, PERM_RUN_SESSIONS]

S = Process.State
REVIEWABLE_STATES = (S.DRAFT, S.IDEAS, S.REVIEW)
FINISHED_STATES = (S.RESULTS, S.IMPLEMENTATION)


class Action(StrEnum):
    VIEW = "process.view"
    MANAGE = "process.manage"
    SUBMIT_IDEA = "project.submit"
    REVIEW = "project.review"
    VOTE = "ballot.cast"
    COMPUTE = "results.compute"
    PUBLISH = "results.publish"
    VIEW_RESULTS = "results.view"
    VIEW_STATISTICS = "statistics.view"
    EXPORT = "process.export"


def can_view_process(user, process: Process) -> bool:
    return process.is_public or is_officer(user)


def can_manage_process(user, process: Process | None = None) -> bool:
    return is_officer(user)


def can_submit_idea(user, process: Process) -> bool:
    if not (is_verified_resident(user) and process.ideas_are_open()):
        return False
    return (
        process.residency != Process.Residency.DISTRICT
        or user.district == process.eligible_district
    )


def can_review_projects(user, process: Process) -> bool:
    return is_officer(user) and process.state in REVIEWABLE_STATES


def can_vote(user, process: Process) -> bool:
    """The account and the phase allow voting; eligibility.eligibility_check says the rest."""
    return is_verified_resident(user) and process.voting_is_open()


def can_compute_results(user, process: Process) -> bool:
    return is_officer(user) and process.state == S.COUNTING


def can_publish_results(user, process: Process) -> bool:
    return is_officer(user) and process.state == S.COUNTING


def can_view_results(user, process: Process) -> bool:
    """Published results for everyone; officers also preview computed, unpublished ones."""
    if process.state in FINISHED_STATES:
        return True
    return is_officer(user) and process.state == S.COUNTING


def can_view_statistics(user, process: Process) -> bool:
    """Turnout while voting if the process shows it live; everything once results are out."""
    if is_officer(user) or process.state in FINISHED_STATES:
        return True
    return (
        process.state in (S.VOTING, S.COUNTING) and process.live_results != Process.LiveResults.NONE
    )


def can_export(user, process: Process) -> bool:
    """Anonymous ballots are open data once results are out; officers get them after close."""
    if process.state in FINISHED_STATES:
        return True
    return is_officer(user) and process.state == S.COUNTING


RULES = {
    Action.VIEW: can_view_process,
    Action.MANAGE: can_manage_process,
    Action.SUBMIT_IDEA: can_submit_idea,
    Action.REVIEW: can_review_projects,
    Action.VOTE: can_vote,
    Action.COMPUTE: can_compute_results,
    Action.PUBLISH: can_publish_results,
    Action.VIEW_RESULTS: can_view_results,
    Action.VIEW_STATISTICS: can_view_statistics,
    Action.EXPORT: can_export,
}


def allowed(user, action: Action, process: Process) -> bool:
    return RULES[action](user, process)


# Queryset twins ---------------------------------------------------------------------------


def processes_visible_to(user) -> QuerySet:
    if is_officer(user):
        return Process.objects.all()
    return Process.objects.filter(state__in=Process.PUBLIC_STATES)


def projects_visible_to(user, process: Process | None = None) -> QuerySet:
    """Officers see every project; others the public ones, plus their own withdrawn ideas."""
    qs = Project.objects.all() if process is None else process.projects.all()
    if is_officer(user):
        return qs
    visible = Q(process__state__in=Process.PUBLIC_STATES) & ~Q(state=Project.State.WITHDRAWN)
    if user.is_authenticated:
        visible |= Q(proposer=user)
    return qs.filter(visible)


def results_visible_to(user) -> QuerySet:
    if is_officer(user):
        return Result.objects.all()
    return Result.objects.filter(published_at__isnull=False, process__state__in=FINISHED_STATES)
