"""Who may do what in participatory budgeting: one table per model, read by `core.policy`.

`PROCESS.allows(user, Action.VOTE, process)` answers "may this user do it now?" (a Verdict);
`PROCESS.queryset(user, Action.VIEW)` answers "on which processes?". Services enforce the
verdicts; views only use them to decide what to show. The permission-matrix test walks every
action of the tables for every role and process state.

(The result rules, greedy and Method of Equal Shares, live in `budgeting/rules/`; this module
keeps its historical name so that "rules" means one thing in this app.)
"""

from enum import StrEnum

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgeting.models import Process, Project, Result
from citizens.rules import PERM_FACILITATE, PERM_OFFICER, is_officer, is_verified_resident
from core.policy import ALLOW, ANYONE, EVERY, NONE, Policy, Rule, Who, deny_state, register

# Django permission names this app relies on ("app_label.codename"); a test checks each exists.
# Officers manage processes, review projects and publish results; facilitators run sessions.
PERM_MANAGE = PERM_OFFICER
PERM_RUN_SESSIONS = PERM_FACILITATE
ALL_PERMISSIONS = [PERM_MANAGE, PERM_RUN_SESSIONS]

S = Process.State
PUBLIC_STATES = frozenset(Process.PUBLIC_STATES)
REVIEWABLE_STATES = frozenset({S.DRAFT, S.IDEAS, S.REVIEW})
FINISHED_STATES = frozenset({S.RESULTS, S.IMPLEMENTATION})


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


# Actors -----------------------------------------------------------------------------------

OFFICER = Who(
    "officer",
    lambda user, obj: is_officer(user),
    lambda user: EVERY if is_officer(user) else NONE,
    _("Only city officers can do this."),
)
RESIDENT = Who(
    "resident",
    lambda user, obj: is_verified_resident(user),
    lambda user: EVERY if is_verified_resident(user) else NONE,
    _("Only residents with a verified residency can do this. Verify it in your profile."),
)


# Extra checks the table cannot say ---------------------------------------------------------


def _ideas_open(user, process: Process):
    if not process.ideas_are_open():
        return deny_state(_("Ideas are not being collected now."))
    if (
        process.residency == Process.Residency.DISTRICT
        and user.district != process.eligible_district
    ):
        return deny_state(_("Only residents of the process's district can submit ideas."))
    return ALLOW


def _between(opens: str, closes: str) -> Q:
    now = timezone.now()
    return (Q(**{f"{opens}__isnull": True}) | Q(**{f"{opens}__lte": now})) & (
        Q(**{f"{closes}__isnull": True}) | Q(**{f"{closes}__gt": now})
    )


def _ideas_open_q(user) -> Q:
    in_district = ~Q(residency=Process.Residency.DISTRICT) | Q(eligible_district=user.district)
    return _between("ideas_opens_at", "ideas_closes_at") & in_district


def _voting_open(user, process: Process):
    """The account and the phase allow voting; eligibility.eligibility_check says the rest."""
    return ALLOW if process.voting_is_open() else deny_state(_("Voting is not open now."))


def _statistics_shown(user, process: Process):
    if process.state in FINISHED_STATES or process.live_results != Process.LiveResults.NONE:
        return ALLOW
    return deny_state(_("This process does not show its turnout while voting."))


def _statistics_shown_q(user) -> Q:
    return Q(state__in=sorted(FINISHED_STATES)) | ~Q(live_results=Process.LiveResults.NONE)


class ProcessPolicy(Policy):
    model = Process
    rules = {
        Action.VIEW: (Rule(ANYONE, PUBLIC_STATES, _("once published")), Rule(OFFICER)),
        Action.MANAGE: Rule(OFFICER),
        Action.SUBMIT_IDEA: Rule(
            RESIDENT, {S.IDEAS}, _("during idea collection"), _ideas_open, _ideas_open_q
        ),
        Action.REVIEW: Rule(OFFICER, REVIEWABLE_STATES, _("until voting opens")),
        Action.VOTE: Rule(
            RESIDENT,
            {S.VOTING},
            _("while voting is open"),
            _voting_open,
            lambda user: _between("voting_opens_at", "voting_closes_at"),
        ),
        Action.COMPUTE: Rule(OFFICER, {S.COUNTING}, _("once voting has closed")),
        Action.PUBLISH: Rule(OFFICER, {S.COUNTING}, _("once voting has closed")),
        # Published results for everyone; officers also preview computed, unpublished ones.
        Action.VIEW_RESULTS: (
            Rule(ANYONE, FINISHED_STATES, _("once results are published")),
            Rule(OFFICER, {S.COUNTING}, _("once voting has closed")),
        ),
        # Turnout while voting if the process shows it live; everything once results are out.
        Action.VIEW_STATISTICS: (
            Rule(
                ANYONE,
                {S.VOTING, S.COUNTING, *FINISHED_STATES},
                _("once voting has opened"),
                _statistics_shown,
                _statistics_shown_q,
            ),
            Rule(OFFICER),
        ),
        # Anonymous ballots are open data once results are out; officers get them after close.
        Action.EXPORT: (
            Rule(ANYONE, FINISHED_STATES, _("once results are published")),
            Rule(OFFICER, {S.COUNTING}, _("once voting has closed")),
        ),
    }


PROCESS = register(ProcessPolicy())


class ProjectAction(StrEnum):
    VIEW = "project.view"
    REVIEW = "project.review"
    WITHDRAW = "project.withdraw"


def _in_public_process(user) -> Q:
    return Q(process__state__in=sorted(PUBLIC_STATES))


PUBLIC_PROJECT = Who(
    "public project",
    lambda user, project: (
        project.process.state in PUBLIC_STATES and project.state != Project.State.WITHDRAWN
    ),
    lambda user: _in_public_process(user) & ~Q(state=Project.State.WITHDRAWN),
    _("This project is not public."),
    anonymous=True,
)
PROPOSER = Who(
    "proposer",
    lambda user, project: project.proposer_id == user.pk,
    lambda user: Q(proposer=user),
    _("Only the proposer can do this."),
)
PROPOSER_IN_PUBLIC_PROCESS = Who(
    "proposer in a public process",
    lambda user, project: project.proposer_id == user.pk and project.process.state in PUBLIC_STATES,
    lambda user: Q(proposer=user) & _in_public_process(user),
    _("Only the proposer can do this."),
)


def _reviewable(user, project: Project):
    if project.process.state in REVIEWABLE_STATES:
        return ALLOW
    return deny_state(_("Projects can be reviewed by officers until voting opens."))


def _before_voting(user, project: Project):
    if project.process.state in (S.IDEAS, S.REVIEW):
        return ALLOW
    return deny_state(_("Ideas can be withdrawn only before voting opens."))


class ProjectPolicy(Policy):
    model = Project
    rules = {
        # The public sees projects of public processes; proposers also their withdrawn ideas.
        ProjectAction.VIEW: (
            Rule(PUBLIC_PROJECT),
            Rule(PROPOSER_IN_PUBLIC_PROCESS),
            Rule(OFFICER),
        ),
        ProjectAction.REVIEW: Rule(
            OFFICER,
            None,
            "",
            _reviewable,
            lambda user: Q(process__state__in=sorted(REVIEWABLE_STATES)),
        ),
        ProjectAction.WITHDRAW: Rule(
            PROPOSER,
            {Project.State.SUBMITTED, Project.State.FEASIBLE},
            _("before voting opens"),
            _before_voting,
            lambda user: Q(process__state__in=[S.IDEAS, S.REVIEW]),
        ),
    }


PROJECT = register(ProjectPolicy())


class ResultAction(StrEnum):
    VIEW = "result.view"


PUBLISHED_RESULT = Who(
    "published result",
    lambda user, result: (
        result.published_at is not None and result.process.state in FINISHED_STATES
    ),
    lambda user: Q(published_at__isnull=False, process__state__in=sorted(FINISHED_STATES)),
    _("These results are not published."),
    anonymous=True,
)


class ResultPolicy(Policy):
    model = Result
    rules = {ResultAction.VIEW: (Rule(PUBLISHED_RESULT), Rule(OFFICER))}


RESULT = register(ResultPolicy())


def can(user, action: Action, process: Process) -> bool:
    """For templates and views: may `user` take a process `action` now?"""
    return bool(PROCESS.allows(user, action, process))
