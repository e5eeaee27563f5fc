"""Who may do what with resources, claims, reviews and comments.

Every rule returns a `Verdict`: truthy when allowed, otherwise carrying the message to show.
`verdict.enforce()` raises PermissionDenied for a wrong role and ValidationError for a wrong
moment (state, deadline, already done), which is how services refuse. Each rule that a list
needs has a queryset twin below ("which objects may this user see / act on").
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens import rules as citizen_rules
from citizens.rules import is_administrator, is_moderator, is_officer, is_verified_resident
from proposals.models import Claim, ClaimCoauthor, Comment, ReviewRequest, UrbanResource
from proposals.workflow import (
    EDITABLE_STATES,
    OPEN_STATES,
    PUBLIC_STATES,
    REVIEWABLE_STATES,
    approve_transition_name,
    transition_error,
)

# Permission names this app relies on ("app_label.codename"). A test asserts each exists.
PERM_OFFICER = citizen_rules.PERM_OFFICER
PERM_MODERATE = citizen_rules.PERM_MODERATE
PERM_MANAGE_PROCEDURE = citizen_rules.PERM_MANAGE_PROCEDURE
PERM_VIEW_CLAIM_ADMIN = "proposals.view_claim"
PERM_CHANGE_RESOURCE_ADMIN = "proposals.change_urbanresource"

ALL_PERMISSIONS = [
    PERM_OFFICER,
    PERM_MODERATE,
    PERM_MANAGE_PROCEDURE,
    PERM_VIEW_CLAIM_ADMIN,
    PERM_CHANGE_RESOURCE_ADMIN,
]

ROLE = "role"
STATE = "state"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    message: str = ""
    kind: str = ""

    def __bool__(self) -> bool:
        return self.allowed

    def enforce(self) -> None:
        if self.allowed:
            return
        if self.kind == ROLE:
            raise PermissionDenied(self.message)
        raise ValidationError(self.message, code="not_now")


ALLOW = Verdict(True)


def deny_role(message: str) -> Verdict:
    return Verdict(False, message, ROLE)


def deny_state(message: str) -> Verdict:
    return Verdict(False, message, STATE)


def _login_needed() -> Verdict:
    return deny_role(_("Please log in first."))


def _resident_needed() -> Verdict:
    return deny_role(
        _("Only residents with a verified residency can do this. Verify it in your profile.")
    )


def _officer_needed() -> Verdict:
    return deny_role(_("Only city officers can do this."))


def _proposer_needed() -> Verdict:
    return deny_role(_("Only the claim's proposers can do this."))


def is_proposer(user, claim: Claim) -> bool:
    return user.is_authenticated and user.pk in claim.proposer_ids


def _state_rule(claim: Claim, transition: str) -> Verdict:
    error = transition_error(claim, transition)
    return deny_state(error) if error else ALLOW


def consultation_open(claim: Claim) -> Verdict:
    if claim.state != Claim.State.CONSULTATION:
        return deny_state(_("This claim is not in public consultation."))
    if not claim.consultation_ends_at or timezone.now() >= claim.consultation_ends_at:
        return deny_state(_("The public consultation on this claim is closed."))
    return ALLOW


# Resources ---------------------------------------------------------------------------------


def may_manage_resources(user) -> Verdict:
    if not user.is_authenticated:
        return _login_needed()
    return ALLOW if is_officer(user) else _officer_needed()


# Claims: proposers -------------------------------------------------------------------------


def may_create_claim(user) -> Verdict:
    if not user.is_authenticated:
        return _login_needed()
    return ALLOW if is_verified_resident(user) else _resident_needed()


def may_view(user, claim: Claim) -> Verdict:
    if claim.state in PUBLIC_STATES or is_proposer(user, claim) or is_administrator(user):
        return ALLOW
    if (
        user.is_authenticated
        and claim.coauthors.filter(user=user, state=ClaimCoauthor.State.PENDING).exists()
    ):
        return ALLOW  # invited co-authors read the draft before answering
    return deny_role(_("This draft is visible only to its proposers."))


def may_edit(user, claim: Claim) -> Verdict:
    if not is_proposer(user, claim):
        return _proposer_needed()
    if claim.state not in EDITABLE_STATES:
        return deny_state(
            _("A claim can be changed only as a draft or when the city asks for documents.")
        )
    return ALLOW


def may_submit(user, claim: Claim) -> Verdict:
    if not is_proposer(user, claim):
        return _proposer_needed()
    if not is_verified_resident(user):
        return _resident_needed()
    return _state_rule(claim, "submit")


def may_delete_draft(user, claim: Claim) -> Verdict:
    if not is_proposer(user, claim):
        return _proposer_needed()
    if claim.state != Claim.State.DRAFT:
        return deny_state(_("Only drafts can be deleted; withdraw a submitted claim instead."))
    return ALLOW


def may_invite_coauthor(user, claim: Claim) -> Verdict:
    if not is_proposer(user, claim):
        return _proposer_needed()
    if claim.state != Claim.State.DRAFT:
        return deny_state(_("Co-authors can be invited while the claim is a draft."))
    return ALLOW


def may_answer_coauthorship(user, claim: Claim) -> Verdict:
    if not user.is_authenticated:
        return _login_needed()
    if not claim.coauthors.filter(user=user, state=ClaimCoauthor.State.PENDING).exists():
        return deny_state(_("There is no pending invitation for you on this claim."))
    if claim.state != Claim.State.DRAFT and claim.state not in OPEN_STATES:
        return deny_state(_("This claim is closed."))
    return ALLOW


def may_provide_documents(user, claim: Claim) -> Verdict:
    if not is_proposer(user, claim):
        return _proposer_needed()
    return _state_rule(claim, "provide_documents")


def may_withdraw(user, claim: Claim) -> Verdict:
    if not is_proposer(user, claim):
        return _proposer_needed()
    return _state_rule(claim, "withdraw")


# Claims: consultation ----------------------------------------------------------------------


def may_support(user, claim: Claim) -> Verdict:
    if not user.is_authenticated:
        return _login_needed()
    if not is_verified_resident(user):
        return _resident_needed()
    if is_proposer(user, claim):
        return deny_role(_("Proposers cannot support their own claim."))
    verdict = consultation_open(claim)
    if not verdict:
        return verdict
    if claim.supports.filter(user=user).exists():
        return deny_state(_("You already support this claim."))
    return ALLOW


def may_comment(user, claim: Claim) -> Verdict:
    if not user.is_authenticated:
        return _login_needed()
    if not is_verified_resident(user):
        return _resident_needed()
    return consultation_open(claim)


def may_object(user, claim: Claim) -> Verdict:
    if not user.is_authenticated:
        return _login_needed()
    if not is_verified_resident(user):
        return _resident_needed()
    if is_proposer(user, claim):
        return deny_role(_("Proposers cannot object to their own claim."))
    verdict = consultation_open(claim)
    if not verdict:
        return verdict
    if claim.comments.filter(author=user, kind=Comment.Kind.OBJECTION).exists():
        return deny_state(
            _("You have already objected to this claim. You can add comments instead.")
        )
    return ALLOW


# Claims: the city --------------------------------------------------------------------------


def may_start_screening(user, claim: Claim) -> Verdict:
    if not is_officer(user):
        return _officer_needed()
    return _state_rule(claim, "screening_start")


def may_screen(user, claim: Claim) -> Verdict:
    if not is_officer(user):
        return _officer_needed()
    return _state_rule(claim, "admit")


def may_request_review(user, claim: Claim) -> Verdict:
    if not is_officer(user):
        return _officer_needed()
    if claim.state not in REVIEWABLE_STATES:
        return deny_state(
            _(
                "Departments can be asked for an opinion during the consultation and the "
                "technical review."
            )
        )
    return ALLOW


def may_answer_review(user, review: ReviewRequest) -> Verdict:
    if not is_officer(user):
        return _officer_needed()
    if not (is_administrator(user) or user.department_id == review.department_id):
        return deny_role(_("Only officers of the department asked can answer this review."))
    if review.state != ReviewRequest.State.PENDING:
        return deny_state(_("This review has already been answered or cancelled."))
    if review.claim.state not in REVIEWABLE_STATES:
        return deny_state(_("The claim is no longer under review."))
    return ALLOW


def _no_pending_reviews(claim: Claim) -> Verdict:
    if claim.reviews.filter(state=ReviewRequest.State.PENDING).exists():
        return deny_state(
            _("Some departments have not answered yet. Wait for them or cancel the request.")
        )
    return ALLOW


def may_refer_to_executive(user, claim: Claim) -> Verdict:
    if not is_officer(user):
        return _officer_needed()
    return _state_rule(claim, "refer_to_executive") and _no_pending_reviews(claim)


def may_decide(user, claim: Claim, *, approve: bool = True) -> Verdict:
    """Approve (ordinary: after the review; complex: after the executive) or reject."""
    if not is_officer(user):
        return _officer_needed()
    name = approve_transition_name(claim) if approve else "reject"
    return _state_rule(claim, name) and _no_pending_reviews(claim)


def may_close_consultation(claim: Claim, now=None) -> Verdict:
    """Consultations close by time only (run_deadlines), never early."""
    verdict = _state_rule(claim, "close_consultation")
    if not verdict:
        return verdict
    now = now or timezone.now()
    if claim.consultation_ends_at and now < claim.consultation_ends_at:
        return deny_state(_("The consultation is still open."))
    return ALLOW


# Comments ----------------------------------------------------------------------------------


def may_hide_comment(user, comment: Comment) -> Verdict:
    if not is_moderator(user):
        return deny_role(_("Only moderators can hide comments."))
    if comment.is_hidden:
        return deny_state(_("This comment is already hidden."))
    return ALLOW


def may_report_comment(user, comment: Comment) -> Verdict:
    if not user.is_authenticated:
        return _login_needed()
    if comment.author_id == user.pk:
        return deny_role(_("You cannot report your own comment."))
    if comment.is_hidden:
        return deny_state(_("This comment is already hidden."))
    if comment.reports.filter(reporter=user).exists():
        return deny_state(_("You have already reported this comment."))
    return ALLOW


def may_moderate(user) -> Verdict:
    return ALLOW if is_moderator(user) else deny_role(_("Only moderators can do this."))


def may_use_office(user) -> Verdict:
    if not user.is_authenticated:
        return _login_needed()
    return ALLOW if is_officer(user) else _officer_needed()


# Queryset twins ----------------------------------------------------------------------------


def _proposed_by_q(user, prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}created_by": user})
        | Q(
            **{
                f"{prefix}coauthors__user": user,
                f"{prefix}coauthors__state": ClaimCoauthor.State.ACCEPTED,
            }
        )
        | Q(
            **{
                f"{prefix}group__memberships__user": user,
                f"{prefix}group__memberships__is_representative": True,
            }
        )
    )


def claims_proposed_by(user) -> QuerySet:
    if not user.is_authenticated:
        return Claim.objects.none()
    ids = Claim.objects.filter(_proposed_by_q(user)).values("pk")
    return Claim.objects.filter(pk__in=ids)


def claims_visible_to(user) -> QuerySet:
    """Twin of `may_view`: public claims, plus the user's own drafts (administrators: all)."""
    if is_administrator(user):
        return Claim.objects.all()
    public = Q(state__in=sorted(PUBLIC_STATES))
    if not user.is_authenticated:
        return Claim.objects.filter(public)
    return Claim.objects.filter(
        public
        | Q(pk__in=claims_proposed_by(user).values("pk"))
        | Q(
            pk__in=ClaimCoauthor.objects.filter(
                user=user, state=ClaimCoauthor.State.PENDING
            ).values("claim_id")
        )
    )


def claims_editable_by(user) -> QuerySet:
    """Twin of `may_edit`."""
    return claims_proposed_by(user).filter(state__in=sorted(EDITABLE_STATES))


def claims_in_queue_for(user) -> QuerySet:
    """Twin of `may_use_office`: the open claims the city has to handle."""
    if not is_officer(user):
        return Claim.objects.none()
    return Claim.objects.filter(state__in=sorted(OPEN_STATES))


def reviews_answerable_by(user) -> QuerySet:
    """Twin of `may_answer_review`: pending reviews of the user's department."""
    if not is_officer(user):
        return ReviewRequest.objects.none()
    pending = ReviewRequest.objects.filter(
        state=ReviewRequest.State.PENDING, claim__state__in=sorted(REVIEWABLE_STATES)
    )
    if is_administrator(user):
        return pending
    if not user.department_id:
        return ReviewRequest.objects.none()
    return pending.filter(department_id=user.department_id)


def comments_visible_to(user) -> QuerySet:
    """Comments on the claims the user may see. Hidden ones stay listed as a placeholder;
    their text is shown to moderators only (see the template)."""
    return Comment.objects.filter(claim__in=claims_visible_to(user).values("pk"))


def resources_manageable_by(user) -> QuerySet:
    """Twin of `may_manage_resources`."""
    return UrbanResource.objects.all() if is_officer(user) else UrbanResource.objects.none()
